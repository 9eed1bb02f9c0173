// optimizer_gpu.h without CUDA: there are no GPU arrays to update.
#include "core/base/error.h"
#include "core/train/optimizer_gpu.h"

namespace mx::cuda {

void ApplyUpdate(const UpdateRule&, float*, const float*, float*, float*,
                 int64_t, gpu::Stream) {
  MX_THROW("optimizer update on a GPU: this build of mx has no CUDA");
}

}  // namespace mx::cuda
