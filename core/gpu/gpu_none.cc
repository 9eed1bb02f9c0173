// core/gpu/gpu.h in builds without CUDA: no devices, and every GPU request is
// a clear error.
#include "core/base/error.h"
#include "core/gpu/gpu.h"

namespace mx::gpu {
namespace {

[[noreturn]] void NoCuda(const char* what) {
  MX_THROW(what, ": this build of mx has no CUDA support; use cpu()");
}

}  // namespace

bool BuiltWithCuda() { return false; }
int DeviceCount() { return 0; }

void CheckDevice(Context ctx) {
  MX_THROW(ctx,
           " is not available: this build of mx has no GPU backend (build "
           "with bazel --config=cuda); use cpu");
}

void SetDevice(int) { NoCuda("selecting a GPU"); }
void* DeviceAllocate(size_t, int) { NoCuda("allocating GPU memory"); }
void DeviceFree(void*, int) { NoCuda("freeing GPU memory"); }
void MemoryInfo(int, size_t*, size_t*) { NoCuda("reading GPU memory info"); }
void* PinnedAllocate(size_t) { NoCuda("allocating pinned memory"); }
void PinnedFree(void*) { NoCuda("freeing pinned memory"); }
Stream NewStream(int) { NoCuda("creating a CUDA stream"); }
void DeleteStream(Stream) { NoCuda("destroying a CUDA stream"); }
void SyncStream(Stream) { NoCuda("waiting for a CUDA stream"); }
void SyncDevice(int) { NoCuda("waiting for a GPU"); }
EventPtr Event::Record(Stream, int) { NoCuda("recording a CUDA event"); }
void RunWhenDone(std::vector<EventPtr> events, std::function<void()> fn) {
  fn();  // no event can be pending without CUDA
}
void CopyAsync(void*, const void*, size_t, Stream) {
  NoCuda("copying to or from a GPU");
}
void CopySync(void*, const void*, size_t, int) {
  NoCuda("copying to or from a GPU");
}
void CheckLaunch(const char* what) { NoCuda(what); }

}  // namespace mx::gpu
