// Errors of two tiers (see docs/design_notes.md, Note [Two tiers of errors]).
// mx::Error is the user's mistake (bad shape, bad file, bad flag); the message
// says what was expected and names the file/op/argument involved.
// mx::InternalError is a broken invariant inside mx, a bug; the message starts
// "internal error at file:line".
#ifndef MX_CORE_BASE_ERROR_H_
#define MX_CORE_BASE_ERROR_H_

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace mx {

// A user-facing error: bad input, bad configuration, misuse of the API.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A violated internal invariant (a bug in mx, not in the user's input).
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message) : Error(message) {}
};

// Memory for an allocation could not be had: the model or the batch is too
// large for the device (a user-facing error, which callers may name).
class OutOfMemoryError : public Error {
 public:
  explicit OutOfMemoryError(const std::string& message) : Error(message) {}
};

// Concatenates streamable values into a string: StrCat("shape ", s, " has ", n,
// " dims").
template <typename... Args>
std::string StrCat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}

namespace detail {
// Throws InternalError "internal error at file:line: check 'cond' failed[:
// message]".
[[noreturn]] void ThrowInternal(const char* file, int line, const char* cond,
                                const std::string& message);
}  // namespace detail

}  // namespace mx

// Throws mx::Error with the concatenated message when `cond` is false (user
// errors).
#define MX_CHECK(cond, ...)                                    \
  do {                                                         \
    if (!(cond)) throw ::mx::Error(::mx::StrCat(__VA_ARGS__)); \
  } while (0)

// Throws mx::Error with the concatenated message.
#define MX_THROW(...) throw ::mx::Error(::mx::StrCat(__VA_ARGS__))

// Throws mx::InternalError "internal error at file:line: check 'cond' failed:
// ..." (bugs).
#define MX_INTERNAL_CHECK(cond, ...)                          \
  do {                                                        \
    if (!(cond))                                              \
      ::mx::detail::ThrowInternal(__FILE__, __LINE__, #cond,  \
                                  ::mx::StrCat(__VA_ARGS__)); \
  } while (0)

#endif  // MX_CORE_BASE_ERROR_H_
