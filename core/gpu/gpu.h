// The CUDA runtime as the rest of core sees it: devices, memory, streams,
// events and copies (Note [GPU runtime seam] in docs/design_notes.md).
//
// Two implementations, chosen by the build: gpu_cuda.cc under --config=cuda,
// gpu_none.cc otherwise, where DeviceCount() is 0 and every other call is an
// mx::Error saying the build has no CUDA. Callers never #ifdef.
#ifndef MX_CORE_GPU_GPU_H_
#define MX_CORE_GPU_GPU_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "core/base/context.h"

namespace mx::gpu {

// True when this build has the CUDA backend.
bool BuiltWithCuda();

// Number of usable GPUs: 0 without CUDA, without a driver or without a device
// (never an error; asked once, then cached).
int DeviceCount();

// mx::Error naming `ctx` unless it is a GPU context this process can use:
// "gpu(3) is not available: this machine has 1 GPU (gpu(0))".
void CheckDevice(Context ctx);

// Makes `device` current for the calling thread's later CUDA calls.
void SetDevice(int device);

// Device memory (cudaMalloc: never managed memory). Allocate returns null when
// the device is out of memory (the caller may free cached blocks and retry);
// other failures are mx::Error.
void* DeviceAllocate(size_t bytes, int device);
void DeviceFree(void* ptr, int device);
// Bytes free and in total on `device`.
void MemoryInfo(int device, size_t* free_bytes, size_t* total_bytes);

// Page-locked host memory, for fast and truly asynchronous copies.
void* PinnedAllocate(size_t bytes);
void PinnedFree(void* ptr);

// An opaque cudaStream_t. Streams are non-blocking with respect to the legacy
// default stream.
using Stream = void*;
Stream NewStream(int device);
void DeleteStream(Stream stream);
// Blocks until every operation queued on `stream` is done; mx::Error with
// CUDA's message when one failed.
void SyncStream(Stream stream);
// Blocks until all work on `device` is done (WaitForAll).
void SyncDevice(int device);

// A completion marker on a stream (a pooled cudaEvent_t without timing).
class Event {
 public:
  // Records the event at the current end of `stream`.
  static std::shared_ptr<Event> Record(Stream stream, int device);
  virtual ~Event() = default;
  // The stream it was recorded on.
  virtual Stream stream() const = 0;
  virtual int device() const = 0;
  // Makes `stream` wait (on the device, not the host) until the event fires.
  virtual void WaitOn(Stream stream) const = 0;
  // Blocks the host until the event fires; mx::Error when the work before it
  // failed.
  virtual void Sync() const = 0;
  // True when the event has fired.
  virtual bool Done() const = 0;
};
using EventPtr = std::shared_ptr<Event>;

// Runs `fn` on a background thread once every event in `events` has fired
// (frees memory the GPU may still be using without blocking the caller).
void RunWhenDone(std::vector<EventPtr> events, std::function<void()> fn);

// Queues a copy of `bytes` between any two of host and device memory (the
// direction follows from the pointers) on `stream`.
void CopyAsync(void* dst, const void* src, size_t bytes, Stream stream);

// Copies `bytes` between host and `device` memory at once, on the calling
// thread (the caller has waited for pending work on both).
void CopySync(void* dst, const void* src, size_t bytes, int device);

// mx::Error naming `what` when the last kernel launch on this thread failed
// (cudaGetLastError).
void CheckLaunch(const char* what);

}  // namespace mx::gpu

#endif  // MX_CORE_GPU_GPU_H_
