#include "core/base/strings.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace mx {

std::string Join(const std::vector<std::string>& items,
                 const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

int EditDistance(const std::string& a, const std::string& b) {
  // Optimal string alignment: a swap of neighbours ("rleu") costs one.
  std::vector<std::vector<int>> d(a.size() + 1, std::vector<int>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string NearestMatch(const std::string& word,
                         const std::vector<std::string>& candidates) {
  // Nobody mistypes a name of hundreds of characters; the distance table
  // of such a word (from a corrupt file) would be large for nothing.
  if (word.size() > 256) return "";
  const std::string lower_word = ToLower(word);
  std::string best;
  int best_distance = 0;
  for (const std::string& candidate : candidates) {
    const std::string lower = ToLower(candidate);
    int distance = EditDistance(lower_word, lower);
    const bool prefix =
        !lower_word.empty() &&
        (lower.rfind(lower_word, 0) == 0 || lower_word.rfind(lower, 0) == 0);
    const int limit = std::max<int>(
        1, static_cast<int>(std::max(word.size(), candidate.size())) / 3);
    if (distance > limit && !prefix) continue;
    if (best.empty() || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string DidYouMean(const std::string& word,
                       const std::vector<std::string>& candidates) {
  const std::string match = NearestMatch(word, candidates);
  return match.empty() ? "" : "; did you mean '" + match + "'?";
}

std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  std::string text = buf;
  // Python writes exponents with at least two digits ("1e-05") and switches
  // to exponent form from 1e16 on; %g switches earlier ("1e+06"), so expand
  // exponents below 16 to plain digits as Python does.
  const size_t e = text.find('e');
  if (e != std::string::npos) {
    const int exponent = std::atoi(text.c_str() + e + 1);
    if (exponent >= 0 && exponent < 16) {
      std::snprintf(buf, sizeof(buf), "%.1f", value);
      return buf;
    }
    return text;
  }
  if (text.find('.') == std::string::npos) text += ".0";
  return text;
}

std::string PythonTuple(const std::vector<int64_t>& values) {
  std::vector<std::string> items;
  for (const int64_t v : values) items.push_back(std::to_string(v));
  return PythonTupleOf(items);
}

std::string PythonTupleOf(const std::vector<std::string>& items) {
  return "(" + Join(items, ", ") + (items.size() == 1 ? ",)" : ")");
}

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}

bool StartsWith(const std::string& s, const std::string& affix) {
  return s.size() >= affix.size() && s.compare(0, affix.size(), affix) == 0;
}

bool EndsWith(const std::string& s, const std::string& affix) {
  return s.size() >= affix.size() &&
         s.compare(s.size() - affix.size(), affix.size(), affix) == 0;
}

size_t FindInvalidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto byte = [&](size_t k) {
      return static_cast<unsigned char>(s[k]);
    };
    const unsigned char b = byte(i);
    if (b < 0x80) {
      ++i;
      continue;
    }
    // Lead byte: sequence length and the smallest code point it may encode.
    size_t len = 0;
    uint32_t code = 0, min = 0;
    if ((b & 0xe0) == 0xc0) {
      len = 2, code = b & 0x1f, min = 0x80;
    } else if ((b & 0xf0) == 0xe0) {
      len = 3, code = b & 0x0f, min = 0x800;
    } else if ((b & 0xf8) == 0xf0) {
      len = 4, code = b & 0x07, min = 0x10000;
    } else {
      return i;
    }
    if (i + len > s.size()) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((byte(i + k) & 0xc0) != 0x80) return i;
      code = code << 6 | (byte(i + k) & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return i;
    }
    i += len;
  }
  return std::string::npos;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Trim(const std::string& s) {
  size_t begin = 0, end = s.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(s[begin])))
    ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(s[end - 1])))
    --end;
  return s.substr(begin, end - begin);
}

}  // namespace mx
