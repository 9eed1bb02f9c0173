// Note [GPU streams and events] helpers (engine_var.h).
#include <utility>

#include "core/engine/engine_var.h"

namespace mx {

void WaitGpuDeps(EngineVar* var, bool write, gpu::Stream stream) {
  if (!var->touched_by_gpu.load(std::memory_order_acquire)) return;
  std::vector<gpu::EventPtr> events = PendingGpuEvents(var, write);
  for (const gpu::EventPtr& e : events) {
    // Work on the same stream is ordered already.
    if (e->stream() != stream) e->WaitOn(stream);
  }
}

void RecordGpuUse(EngineVar* var, bool write, const gpu::EventPtr& done) {
  std::lock_guard<std::mutex> lock(var->mu);
  if (write) {
    var->gpu_write = done;
    var->gpu_reads.clear();
  } else {
    bool replaced = false;
    for (gpu::EventPtr& e : var->gpu_reads) {
      if (e->stream() == done->stream()) {
        e = done;
        replaced = true;
        break;
      }
    }
    if (!replaced) var->gpu_reads.push_back(done);
  }
  var->touched_by_gpu.store(true, std::memory_order_release);
}

void ClearGpuUses(EngineVar* var) {
  if (!var->touched_by_gpu.load(std::memory_order_acquire)) return;
  std::lock_guard<std::mutex> lock(var->mu);
  var->gpu_write.reset();
  var->gpu_reads.clear();
  var->touched_by_gpu.store(false, std::memory_order_release);
}

std::vector<gpu::EventPtr> PendingGpuEvents(EngineVar* var, bool for_write) {
  std::vector<gpu::EventPtr> events;
  if (!var->touched_by_gpu.load(std::memory_order_acquire)) return events;
  std::lock_guard<std::mutex> lock(var->mu);
  if (var->gpu_write) events.push_back(var->gpu_write);
  if (for_write) {
    events.insert(events.end(), var->gpu_reads.begin(), var->gpu_reads.end());
  }
  return events;
}

void SyncGpuEvents(const std::vector<gpu::EventPtr>& events) {
  for (const gpu::EventPtr& e : events) e->Sync();
}

}  // namespace mx
