// NDArrayIter: batches over arrays in memory (tests, embedding use), as
// MXNet's NDArrayIter: data (N, ...), label (N,) or (N, k), last batch
// padded by default.
#ifndef MX_IO_NDARRAY_ITER_H_
#define MX_IO_NDARRAY_ITER_H_

#include <cstdint>
#include <memory>

#include "core/ndarray/ndarray.h"
#include "io/batch_loader.h"
#include "io/data_iter.h"
#include "io/instance_source.h"

namespace mx {
namespace io {

struct NDArrayIterOptions {
  BatchOptions batch;  // last_batch kPad by default, as MXNet
  OrderOptions order;
  int64_t prefetch_buffer = 0;
};

// Copies `data` and `label` (any numeric type, read as float32) at
// construction; mx::Error when their first extents differ or label is not
// 1-D or 2-D. A none `label` gives zeros.
std::unique_ptr<DataIter> CreateNDArrayIter(const NDArray& data,
                                            const NDArray& label,
                                            const NDArrayIterOptions& options);

}  // namespace io
}  // namespace mx

#endif  // MX_IO_NDARRAY_ITER_H_
