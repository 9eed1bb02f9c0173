// Intra-op parallelism: one OpenMP thread team per engine worker serves every
// kernel that splits its work (gemm slices, oneDNN primitives, elementwise
// and pooling loops), so no second thread pool competes for the cores (Note
// [Thread budget] in docs/design_notes.md).
#ifndef MX_CORE_ENGINE_PARALLEL_H_
#define MX_CORE_ENGINE_PARALLEL_H_

#include <cstdint>
#include <functional>

namespace mx {

// Threads one kernel may use: MX_OMP_NTHREADS (or, as before,
// OPENBLAS_NUM_THREADS / MX_BLAS_NTHREADS) when set, else
// max(1, cores / CPU engine workers).
int IntraOpThreads();

// The same for an engine of `cpu_workers` CPU workers.
int IntraOpThreadsFor(int cpu_workers);

// Calls body(begin, end) on disjoint ranges covering [0, n), each at least
// `grain` long (but the last), on up to IntraOpThreads() threads; on the
// calling thread alone when one range suffices. Returns when all are done.
// body must not throw.
void ParallelFor(int64_t n, int64_t grain,
                 const std::function<void(int64_t, int64_t)>& body);

// Sets the OpenMP team size of the calling thread to IntraOpThreads() (for
// libraries such as oneDNN that open their own OpenMP regions).
void UseIntraOpThreads();

}  // namespace mx

#endif  // MX_CORE_ENGINE_PARALLEL_H_
