// Small string helpers shared by error messages and text formats: joining,
// "did you mean" suggestions, Python-style number and tuple formatting.
#ifndef MX_CORE_BASE_STRINGS_H_
#define MX_CORE_BASE_STRINGS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mx {

// Joins `items` with `sep`: Join({"a", "b"}, ", ") == "a, b".
std::string Join(const std::vector<std::string>& items, const std::string& sep);

// Edit distance between `a` and `b`: insert, delete, substitute, and swap
// of adjacent characters, each costing one.
int EditDistance(const std::string& a, const std::string& b);

// The candidate closest to `word` when it is close enough to be a plausible
// typo (distance <= max(1, len/3), or one is a prefix of the other); "" when
// none is.
std::string NearestMatch(const std::string& word,
                         const std::vector<std::string>& candidates);

// "; did you mean 'x'?" for the nearest candidate, or "" when none is close.
std::string DidYouMean(const std::string& word,
                       const std::vector<std::string>& candidates);

// Python's repr of a float: the shortest text that reads back exactly, with
// ".0" on integral values: 1.0, 0.5, 0.0001, 1e-05, inf, nan.
std::string PythonFloatRepr(double value);

// Python's str of a tuple of integers: "()", "(5,)", "(3, 3)".
std::string PythonTuple(const std::vector<int64_t>& values);
// The same of items already written as text: "(a, b)", "(a,)".
std::string PythonTupleOf(const std::vector<std::string>& items);

// `s` with ASCII letters in lower case.
std::string ToLower(std::string s);

// `s` as one CSV field (RFC 4180): in double quotes, its quotes doubled,
// when it holds a comma, a quote or a line break; as it is otherwise.
std::string CsvField(const std::string& s);

// Removes leading and trailing ASCII whitespace.
std::string Trim(const std::string& s);

// Whether `s` begins / ends with `affix`.
bool StartsWith(const std::string& s, const std::string& affix);
bool EndsWith(const std::string& s, const std::string& affix);

// The pieces of `s` between the separators: Split("a.b", '.') is {"a",
// "b"}; "" gives {""}, empty pieces are kept.
std::vector<std::string> Split(const std::string& s, char sep);

// The byte offset of the first byte of `s` that does not begin a valid
// UTF-8 sequence (overlong forms, surrogates and code points past U+10FFFF
// are invalid), or std::string::npos when `s` is valid UTF-8.
size_t FindInvalidUtf8(const std::string& s);

}  // namespace mx

#endif  // MX_CORE_BASE_STRINGS_H_
