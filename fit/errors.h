// The errors of training that are neither config nor internal errors, so
// callers (mxtrain's exit codes, Python) tell them apart.
#ifndef MX_FIT_ERRORS_H_
#define MX_FIT_ERRORS_H_

#include <string>

#include "core/base/error.h"

namespace mx {

// A data set that cannot be read (bad file, corrupt record) while training.
class DataError : public Error {
 public:
  explicit DataError(const std::string& message) : Error(message) {}
};

// The loss or a gradient went NaN or infinite.
class NumericalError : public Error {
 public:
  explicit NumericalError(const std::string& message) : Error(message) {}
};

}  // namespace mx

#endif  // MX_FIT_ERRORS_H_
