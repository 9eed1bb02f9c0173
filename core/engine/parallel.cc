#include "core/engine/parallel.h"

#include <omp.h>

#include <algorithm>

#include "core/base/env.h"
#include "core/engine/engine.h"

namespace mx {

int IntraOpThreadsFor(int cpu_workers) {
  const int fallback = std::max(1, NumCores() / std::max(1, cpu_workers));
  for (const char* name :
       {"MX_OMP_NTHREADS", "OPENBLAS_NUM_THREADS", "MX_BLAS_NTHREADS"}) {
    const int64_t threads = EnvInt(name, 0, 0, 4096);
    if (threads > 0) return static_cast<int>(threads);
  }
  return fallback;
}

int IntraOpThreads() {
  static const int threads = IntraOpThreadsFor(Engine::Get()->NumCpuWorkers());
  return threads;
}

void UseIntraOpThreads() { omp_set_num_threads(IntraOpThreads()); }

void ParallelFor(int64_t n, int64_t grain,
                 const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t ranges =
      std::min<int64_t>(IntraOpThreads(), (n + grain - 1) / grain);
  if (ranges <= 1) {
    body(0, n);
    return;
  }
  const int64_t step = (n + ranges - 1) / ranges;
#pragma omp parallel for num_threads(ranges) schedule(static, 1)
  for (int64_t r = 0; r < ranges; ++r) {
    const int64_t begin = r * step, end = std::min(n, begin + step);
    if (begin < end) body(begin, end);
  }
}

}  // namespace mx
