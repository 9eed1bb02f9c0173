// A small JSON document model for our text formats (symbol JSON): a parser
// that records line and column of every value for error messages, and a
// writer that reproduces dmlc::JSONWriter's layout byte for byte, so files we
// write look exactly like MXNet's (see Note [Symbol JSON layout] in
// docs/design_notes.md).
#ifndef MX_CORE_BASE_JSON_H_
#define MX_CORE_BASE_JSON_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mx {

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsBool() const { return kind_ == Kind::kBool; }
  bool IsNumber() const { return kind_ == Kind::kNumber; }
  bool IsString() const { return kind_ == Kind::kString; }
  bool IsArray() const { return kind_ == Kind::kArray; }
  bool IsObject() const { return kind_ == Kind::kObject; }
  // "null", "boolean", "number", "string", "array", "object".
  const char* KindName() const;

  // Where the value starts in the source text (1-based).
  int line() const { return line_; }
  int column() const { return column_; }

  bool bool_value() const { return bool_; }
  double number() const { return number_; }
  // The number's source text, exactly as written.
  const std::string& number_text() const { return text_; }
  const std::string& str() const { return text_; }
  const std::vector<JsonValue>& items() const { return items_; }
  const std::vector<std::pair<std::string, JsonValue>>& members() const {
    return members_;
  }
  // The member named `key` of an object, or nullptr.
  const JsonValue* Find(const std::string& key) const;

 private:
  friend class JsonParser;
  Kind kind_ = Kind::kNull;
  int line_ = 0, column_ = 0;
  bool bool_ = false;
  double number_ = 0;
  std::string text_;
  std::vector<JsonValue> items_;
  std::vector<std::pair<std::string, JsonValue>> members_;
};

// Parses `text`; mx::Error "<source>:<line>:<col>: <problem>" on malformed
// input, duplicate keys, nesting deeper than 200 or trailing garbage.
JsonValue ParseJson(const std::string& text, const std::string& source);

// Writes JSON with dmlc::JSONWriter's layout: a multi-line scope puts each
// item on its own line indented by two spaces per open scope, items separated
// by ", " before the newline; a single-line scope writes "[1, 2]".
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject(bool multi_line = true);
  void EndObject();
  void BeginArray(bool multi_line = true);
  void EndArray();
  // Starts the member `key` of the current object; write its value next.
  void Key(const std::string& key);
  // Starts the next item of the current array; write its value next.
  void NextItem();
  void String(const std::string& s);
  void Int(int64_t v);
  // A value already in JSON's syntax (a number formatted by the caller).
  void Raw(const std::string& json);

 private:
  void Separator();
  void Close(char bracket);

  std::string* out_;
  std::vector<bool> multi_line_;
  std::vector<size_t> count_;
};

}  // namespace mx

#endif  // MX_CORE_BASE_JSON_H_
