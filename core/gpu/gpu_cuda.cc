// The CUDA implementation of core/gpu/gpu.h (built under --config=cuda).
#include <cuda_runtime.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/gpu/gpu.h"

namespace mx::gpu {
namespace {

// mx::Error "<what>: CUDA error <name>: <description>" unless `status` is
// success.
void Check(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return;
  MX_THROW(what, ": CUDA error ", cudaGetErrorName(status), ": ",
           cudaGetErrorString(status));
}

cudaStream_t AsCuda(Stream s) { return static_cast<cudaStream_t>(s); }

// Free events per device; events are created once and reused, since creating
// one per operation costs more than recording it.
class EventPool {
 public:
  cudaEvent_t Take(int device) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto& free = free_[device];
      if (!free.empty()) {
        cudaEvent_t e = free.back();
        free.pop_back();
        return e;
      }
    }
    cudaEvent_t e;
    Check(cudaEventCreateWithFlags(&e, cudaEventDisableTiming),
          "creating a CUDA event");
    return e;
  }
  void Give(int device, cudaEvent_t e) {
    std::lock_guard<std::mutex> lock(mu_);
    free_[device].push_back(e);
  }

 private:
  std::mutex mu_;
  std::map<int, std::vector<cudaEvent_t>> free_;
};

EventPool& Events() {
  static EventPool* const pool = new EventPool();  // never destroyed
  return *pool;
}

class CudaEvent final : public Event {
 public:
  CudaEvent(cudaEvent_t e, Stream s, int device)
      : event_(e), stream_(s), device_(device) {}
  ~CudaEvent() override { Events().Give(device_, event_); }
  Stream stream() const override { return stream_; }
  int device() const override { return device_; }
  void WaitOn(Stream stream) const override {
    Check(cudaStreamWaitEvent(AsCuda(stream), event_, 0),
          "making a stream wait for an event");
  }
  void Sync() const override {
    Check(cudaEventSynchronize(event_), "waiting for GPU work");
  }
  bool Done() const override {
    const cudaError_t status = cudaEventQuery(event_);
    if (status == cudaErrorNotReady) return false;
    Check(status, "querying a CUDA event");
    return true;
  }

 private:
  cudaEvent_t event_;
  Stream stream_;
  int device_;
};

// One background thread that runs callbacks once their events fire.
class Reaper {
 public:
  Reaper() : thread_([this] { Run(); }) { thread_.detach(); }

  void Add(std::vector<EventPtr> events, std::function<void()> fn) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.emplace_back(std::move(events), std::move(fn));
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    for (;;) {
      std::pair<std::vector<EventPtr>, std::function<void()>> item;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      for (const EventPtr& e : item.first) {
        try {
          e->Sync();
        } catch (const Error&) {
          // The failure is reported where the work's results are waited for.
        }
      }
      item.first.clear();
      item.second();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::vector<EventPtr>, std::function<void()>>> queue_;
  std::thread thread_;
};

}  // namespace

bool BuiltWithCuda() { return true; }

int DeviceCount() {
  static const int count = [] {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      cudaGetLastError();  // no driver or no device: not sticky
      return 0;
    }
    return n;
  }();
  return count;
}

void CheckDevice(Context ctx) {
  MX_INTERNAL_CHECK(ctx.dev_type == DeviceType::kGPU, ctx, " is not a GPU");
  const int n = DeviceCount();
  MX_CHECK(ctx.dev_id >= 0 && ctx.dev_id < n, ctx,
           " is not available: this machine has ", n, " GPU", n == 1 ? "" : "s",
           n == 0 ? " (no CUDA device or driver found); use cpu()"
                  : StrCat(" (gpu(0) to gpu(", n - 1, "))"));
}

void SetDevice(int device) {
  Check(cudaSetDevice(device), StrCat("selecting gpu(", device, ")").c_str());
}

void* DeviceAllocate(size_t bytes, int device) {
  SetDevice(device);
  void* p = nullptr;
  const cudaError_t status = cudaMalloc(&p, bytes);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // clear it: the caller may retry
    return nullptr;
  }
  Check(status,
        StrCat("allocating ", bytes, " bytes on gpu(", device, ")").c_str());
  return p;
}

void DeviceFree(void* ptr, int device) {
  SetDevice(device);
  Check(cudaFree(ptr), StrCat("freeing memory on gpu(", device, ")").c_str());
}

void MemoryInfo(int device, size_t* free_bytes, size_t* total_bytes) {
  SetDevice(device);
  Check(cudaMemGetInfo(free_bytes, total_bytes), "reading GPU memory info");
}

void* PinnedAllocate(size_t bytes) {
  void* p = nullptr;
  Check(cudaHostAlloc(&p, bytes, cudaHostAllocPortable),
        StrCat("allocating ", bytes, " bytes of pinned host memory").c_str());
  return p;
}

void PinnedFree(void* ptr) {
  Check(cudaFreeHost(ptr), "freeing pinned host memory");
}

Stream NewStream(int device) {
  SetDevice(device);
  cudaStream_t s;
  Check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking),
        "creating a CUDA stream");
  return s;
}

void DeleteStream(Stream stream) {
  Check(cudaStreamDestroy(AsCuda(stream)), "destroying a CUDA stream");
}

void SyncStream(Stream stream) {
  Check(cudaStreamSynchronize(AsCuda(stream)), "waiting for GPU work");
}

void SyncDevice(int device) {
  SetDevice(device);
  Check(cudaDeviceSynchronize(),
        StrCat("waiting for gpu(", device, ")").c_str());
}

EventPtr Event::Record(Stream stream, int device) {
  SetDevice(device);  // the caller may be any thread (async completions)
  cudaEvent_t e = Events().Take(device);
  auto event = std::make_shared<CudaEvent>(e, stream, device);
  Check(cudaEventRecord(e, AsCuda(stream)), "recording a CUDA event");
  return event;
}

void RunWhenDone(std::vector<EventPtr> events, std::function<void()> fn) {
  bool done = true;
  for (const EventPtr& e : events) {
    try {
      done = done && e->Done();
    } catch (const Error&) {
      // A failed stream: free now, the error shows at the next wait.
    }
  }
  if (done) {
    fn();
    return;
  }
  static Reaper* const reaper = new Reaper();  // never destroyed
  reaper->Add(std::move(events), std::move(fn));
}

void CopyAsync(void* dst, const void* src, size_t bytes, Stream stream) {
  Check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, AsCuda(stream)),
        "copying between host and GPU");
}

void CopySync(void* dst, const void* src, size_t bytes, int device) {
  SetDevice(device);
  // cudaMemcpy may return before a pageable-to-device DMA has landed: queue
  // the copy on the default stream and wait for that stream instead.
  Check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDefault, nullptr),
        StrCat("copying between host and gpu(", device, ")").c_str());
  Check(cudaStreamSynchronize(nullptr),
        StrCat("copying between host and gpu(", device, ")").c_str());
}

void CheckLaunch(const char* what) { Check(cudaGetLastError(), what); }

}  // namespace mx::gpu
