// Checks for NaN and infinite values in arrays.
#ifndef MX_CORE_NDARRAY_FINITE_H_
#define MX_CORE_NDARRAY_FINITE_H_

#include <cstdint>

#include "core/ndarray/ndarray.h"

namespace mx {

// True when no element of a float array is NaN or infinite (integer arrays
// always are); waits for pending writes. GPU arrays are checked on the GPU.
bool IsFinite(const NDArray& a);

// The flat index of the first NaN or infinite element of a host array
// (float32, float64 or float16), or -1 when there is none.
int64_t FirstNonFinite(const NDArray& a);

}  // namespace mx

#endif  // MX_CORE_NDARRAY_FINITE_H_
