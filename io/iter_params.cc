#include "io/iter_params.h"

#include <utility>

#include "io/prefetcher.h"

namespace mx {
namespace io {

std::unique_ptr<DataIter> MakeIterator(
    std::shared_ptr<const RandomAccessSource> source, const OrderOptions& order,
    const BatchOptions& batch, int64_t prefetch_buffer) {
  return std::make_unique<Prefetcher>(
      std::make_unique<BatchLoader>(
          std::make_unique<OrderedSource>(std::move(source), order), batch),
      prefetch_buffer);
}

}  // namespace io
}  // namespace mx
