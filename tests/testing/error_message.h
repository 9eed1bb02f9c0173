// The message of the mx::Error a call throws, for tests that pin error texts.
#ifndef MX_TESTS_TESTING_ERROR_MESSAGE_H_
#define MX_TESTS_TESTING_ERROR_MESSAGE_H_

#include <functional>
#include <string>

#include "core/base/error.h"

namespace mx::testing {

// Runs `fn`; returns what() of the mx::Error it throws, or "<no error>".
inline std::string MessageOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace mx::testing

#endif  // MX_TESTS_TESTING_ERROR_MESSAGE_H_
