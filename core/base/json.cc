#include "core/base/json.h"

#include <cstdio>
#include <cstdlib>

#include "core/base/error.h"

namespace mx {

const char* JsonValue::KindName() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
  }
  return "?";
}

const JsonValue* JsonValue::Find(const std::string& key) const {
  for (const auto& member : members_) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

// Recursive-descent parser over the whole text, tracking line and column.
class JsonParser {
 public:
  JsonParser(const std::string& text, const std::string& source)
      : text_(text), source_(source) {}

  JsonValue ParseDocument() {
    SkipSpace();
    JsonValue value = ParseValue(0);
    SkipSpace();
    if (pos_ != text_.size()) Fail("unexpected text after the JSON value");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 200;

  [[noreturn]] void Fail(const std::string& problem) const {
    MX_THROW(source_, ":", line_, ":", column_, ": malformed JSON: ", problem);
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  char Advance() {
    const char c = text_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    return c;
  }
  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' ||
                        Peek() == '\r')) {
      Advance();
    }
  }
  void Expect(char c) {
    if (Peek() != c) {
      Fail(AtEnd() ? StrCat("expected '", c, "' but the text ended")
                   : StrCat("expected '", c, "' but found '", Peek(), "'"));
    }
    Advance();
  }

  JsonValue ParseValue(int depth) {
    if (depth > kMaxDepth) Fail("nesting deeper than 200 levels");
    JsonValue value;
    value.line_ = line_;
    value.column_ = column_;
    if (AtEnd()) Fail("expected a value but the text ended");
    const char c = Peek();
    if (c == '{') {
      ParseObject(&value, depth);
    } else if (c == '[') {
      ParseArray(&value, depth);
    } else if (c == '"') {
      value.kind_ = JsonValue::Kind::kString;
      value.text_ = ParseString();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      ParseNumber(&value);
    } else if (ConsumeWord("true")) {
      value.kind_ = JsonValue::Kind::kBool;
      value.bool_ = true;
    } else if (ConsumeWord("false")) {
      value.kind_ = JsonValue::Kind::kBool;
    } else if (ConsumeWord("null")) {
      value.kind_ = JsonValue::Kind::kNull;
    } else {
      Fail(StrCat("unexpected character '", c, "'"));
    }
    return value;
  }

  bool ConsumeWord(const char* word) {
    const std::string w(word);
    if (text_.compare(pos_, w.size(), w) != 0) return false;
    for (size_t i = 0; i < w.size(); ++i) Advance();
    return true;
  }

  void ParseObject(JsonValue* value, int depth) {
    value->kind_ = JsonValue::Kind::kObject;
    Advance();
    SkipSpace();
    if (Peek() == '}') {
      Advance();
      return;
    }
    while (true) {
      SkipSpace();
      if (Peek() != '"') Fail("expected a quoted object key");
      const int key_line = line_, key_column = column_;
      std::string key = ParseString();
      if (value->Find(key) != nullptr) {
        line_ = key_line;
        column_ = key_column;
        Fail("duplicate key \"" + key + "\"");
      }
      SkipSpace();
      Expect(':');
      SkipSpace();
      value->members_.emplace_back(std::move(key), ParseValue(depth + 1));
      SkipSpace();
      if (Peek() == ',') {
        Advance();
        continue;
      }
      Expect('}');
      return;
    }
  }

  void ParseArray(JsonValue* value, int depth) {
    value->kind_ = JsonValue::Kind::kArray;
    Advance();
    SkipSpace();
    if (Peek() == ']') {
      Advance();
      return;
    }
    while (true) {
      SkipSpace();
      value->items_.push_back(ParseValue(depth + 1));
      SkipSpace();
      if (Peek() == ',') {
        Advance();
        continue;
      }
      Expect(']');
      return;
    }
  }

  void ParseNumber(JsonValue* value) {
    const size_t start = pos_;
    if (Peek() == '-') Advance();
    if (Peek() == '0') {
      Advance();
    } else if (Peek() >= '1' && Peek() <= '9') {
      while (Peek() >= '0' && Peek() <= '9') Advance();
    } else {
      Fail("malformed number");
    }
    if (Peek() == '.') {
      Advance();
      if (!(Peek() >= '0' && Peek() <= '9')) Fail("malformed number");
      while (Peek() >= '0' && Peek() <= '9') Advance();
    }
    if (Peek() == 'e' || Peek() == 'E') {
      Advance();
      if (Peek() == '+' || Peek() == '-') Advance();
      if (!(Peek() >= '0' && Peek() <= '9')) Fail("malformed number");
      while (Peek() >= '0' && Peek() <= '9') Advance();
    }
    value->kind_ = JsonValue::Kind::kNumber;
    value->text_ = text_.substr(start, pos_ - start);
    value->number_ = std::strtod(value->text_.c_str(), nullptr);
  }

  unsigned ParseHex4() {
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = Peek();
      unsigned digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        Fail("malformed \\u escape: expected 4 hex digits");
      }
      Advance();
      code = code * 16 + digit;
    }
    return code;
  }

  static void AppendUtf8(unsigned code, std::string* out) {
    if (code < 0x80) {
      out->push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (code >> 6)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (code >> 12)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (code >> 18)));
      out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  std::string ParseString() {
    Advance();
    std::string out;
    while (true) {
      if (AtEnd()) Fail("unterminated string");
      const char c = Peek();
      if (c == '"') {
        Advance();
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) {
        Fail("control character inside a string (escape it)");
      }
      if (c != '\\') {
        out.push_back(Advance());
        continue;
      }
      Advance();
      if (AtEnd()) Fail("unterminated string");
      const char e = Advance();
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          unsigned code = ParseHex4();
          if (code >= 0xD800 && code < 0xDC00) {
            if (!ConsumeWord("\\u")) Fail("unpaired UTF-16 surrogate");
            const unsigned low = ParseHex4();
            if (low < 0xDC00 || low >= 0xE000)
              Fail("unpaired UTF-16 surrogate");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(code, &out);
          break;
        }
        default:
          Fail(StrCat("unknown escape '\\", e, "'"));
      }
    }
  }

  const std::string& text_;
  const std::string& source_;
  size_t pos_ = 0;
  int line_ = 1, column_ = 1;
};

JsonValue ParseJson(const std::string& text, const std::string& source) {
  return JsonParser(text, source).ParseDocument();
}

void JsonWriter::Separator() {
  if (multi_line_.empty() || multi_line_.back()) {
    out_->push_back('\n');
    out_->append(multi_line_.size() * 2, ' ');
  }
}

void JsonWriter::BeginObject(bool multi_line) {
  out_->push_back('{');
  multi_line_.push_back(multi_line);
  count_.push_back(0);
}

void JsonWriter::BeginArray(bool multi_line) {
  out_->push_back('[');
  multi_line_.push_back(multi_line);
  count_.push_back(0);
}

void JsonWriter::Close(char bracket) {
  MX_INTERNAL_CHECK(!multi_line_.empty(), "JsonWriter: no open scope");
  const bool newline = multi_line_.back();
  const size_t count = count_.back();
  multi_line_.pop_back();
  count_.pop_back();
  if (newline && count != 0) Separator();
  out_->push_back(bracket);
}

void JsonWriter::EndObject() { Close('}'); }
void JsonWriter::EndArray() { Close(']'); }

void JsonWriter::Key(const std::string& key) {
  MX_INTERNAL_CHECK(!count_.empty(), "JsonWriter: key outside an object");
  if (count_.back() != 0) out_->append(", ");
  Separator();
  String(key);
  out_->append(": ");
  ++count_.back();
}

void JsonWriter::NextItem() {
  MX_INTERNAL_CHECK(!count_.empty(), "JsonWriter: item outside an array");
  if (count_.back() != 0) out_->append(", ");
  ++count_.back();
  Separator();
}

void JsonWriter::String(const std::string& s) {
  out_->push_back('"');
  for (const char c : s) {
    switch (c) {
      case '\r':
        out_->append("\\r");
        break;
      case '\n':
        out_->append("\\n");
        break;
      case '\\':
        out_->append("\\\\");
        break;
      case '\t':
        out_->append("\\t");
        break;
      case '"':
        out_->append("\\\"");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out_->append(buf);
        } else {
          out_->push_back(c);
        }
    }
  }
  out_->push_back('"');
}

void JsonWriter::Int(int64_t v) { out_->append(std::to_string(v)); }

void JsonWriter::Raw(const std::string& json) { out_->append(json); }

}  // namespace mx
