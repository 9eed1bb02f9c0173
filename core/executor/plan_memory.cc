#include "core/executor/plan_memory.h"

#include <cstdio>
#include <map>

#include "core/base/error.h"

namespace mx {
namespace {

// Blocks and the free list of one planning run.
class BlockPool {
 public:
  BlockPool(MemoryPlan* plan, size_t match_range)
      : plan_(plan), match_range_(match_range) {}

  // A free block for `bytes` (the closest size within the match range, grown
  // if smaller) or a new one.
  int Request(size_t bytes) {
    if (match_range_ > 0 && !free_.empty()) {
      auto it = free_.lower_bound(bytes);
      if (it != free_.end() && it->first / match_range_ <= bytes) {
        return Take(it, bytes);
      }
      if (it != free_.begin()) {
        --it;  // the largest smaller block
        if (it->first * match_range_ >= bytes) return Take(it, bytes);
      }
    }
    plan_->block_bytes.push_back(bytes);
    // Blocks are numbered across the plan's pools.
    holders_.resize(plan_->block_bytes.size(), 0);
    holders_.back() = 1;
    return static_cast<int>(plan_->block_bytes.size()) - 1;
  }

  // One more entry lives in block `b`.
  void Hold(int b) { ++holders_[b]; }

  // An entry in block `b` died; the block is free when none is left.
  void Release(int b) {
    MX_INTERNAL_CHECK(holders_[b] > 0, "block ", b, " released twice");
    if (--holders_[b] == 0) free_.emplace(plan_->block_bytes[b], b);
  }

  int holders(int b) const { return holders_[b]; }

 private:
  int Take(std::multimap<size_t, int>::iterator it, size_t bytes) {
    const int b = it->second;
    free_.erase(it);
    if (plan_->block_bytes[b] < bytes) plan_->block_bytes[b] = bytes;
    holders_[b] = 1;
    return b;
  }

  MemoryPlan* plan_;
  size_t match_range_;
  std::multimap<size_t, int> free_;
  std::vector<int> holders_;
};

}  // namespace

MemoryPlan PlanMemory(const PlanRequest& req) {
  const size_t num_entries = req.entry_bytes.size();
  MX_INTERNAL_CHECK(
      req.external.size() == num_entries && req.keep.size() == num_entries,
      "PlanMemory: per-entry vectors differ in size");
  MemoryPlan plan;
  plan.entry_block.assign(num_entries, -1);
  plan.workspace_block.assign(req.steps.size(), -1);
  plan.inplace.resize(req.steps.size());

  std::vector<int> readers(num_entries, 0);
  for (const PlanStep& step : req.steps) {
    for (int e : step.inputs) ++readers[e];
  }
  for (size_t e = 0; e < num_entries; ++e) {
    if (!req.external[e]) plan.naive_bytes += req.entry_bytes[e];
  }

  BlockPool pool(&plan, req.match_range);
  // Workspaces live for one step; a pool of their own keeps arrays from
  // settling into workspace-sized blocks that the next workspace then
  // cannot reuse.
  BlockPool workspace_pool(&plan, req.match_range);
  std::vector<bool> produced(num_entries, false);
  for (size_t s = 0; s < req.steps.size(); ++s) {
    const PlanStep& step = req.steps[s];
    plan.inplace[s].assign(step.outputs.size(), false);
    for (int e : step.inputs) {
      MX_INTERNAL_CHECK(req.external[e] || produced[e], "PlanMemory: step ", s,
                        " reads entry ", e, " before it is written");
    }
    // In place: the output takes the block of an input that this step reads
    // last and that no other live entry shares.
    std::vector<bool> donated(step.inputs.size(), false);
    for (const auto& [ip, op] : step.inplace) {
      const int in = step.inputs[ip];
      const int out = step.outputs[op];
      if (!req.allow_inplace || req.external[in] || req.external[out] ||
          req.keep[in] || readers[in] != 1 || donated[ip] ||
          plan.entry_block[out] >= 0) {
        continue;
      }
      const int b = plan.entry_block[in];
      if (pool.holders(b) != 1 || plan.block_bytes[b] < req.entry_bytes[out]) {
        continue;
      }
      plan.entry_block[out] = b;
      pool.Hold(b);
      donated[ip] = true;
      plan.inplace[s][op] = true;
      ++plan.inplace_count;
    }
    for (int out : step.outputs) {
      MX_INTERNAL_CHECK(!produced[out], "PlanMemory: entry ", out,
                        " written twice");
      produced[out] = true;
      if (!req.external[out] && plan.entry_block[out] < 0) {
        plan.entry_block[out] = pool.Request(req.entry_bytes[out]);
      }
    }
    if (step.workspace_bytes > 0) {
      plan.naive_bytes += step.workspace_bytes;
      plan.workspace_block[s] = workspace_pool.Request(step.workspace_bytes);
      workspace_pool.Release(plan.workspace_block[s]);
    }
    for (int in : step.inputs) {
      if (--readers[in] == 0 && !req.external[in] && !req.keep[in]) {
        pool.Release(plan.entry_block[in]);
      }
    }
    for (int out : step.outputs) {
      if (readers[out] == 0 && !req.external[out] && !req.keep[out]) {
        pool.Release(plan.entry_block[out]);
      }
    }
  }
  for (size_t b : plan.block_bytes) plan.planned_bytes += b;
  return plan;
}

std::string DescribePlan(const MemoryPlan& plan) {
  const double ratio =
      plan.planned_bytes == 0
          ? 1.0
          : static_cast<double>(plan.naive_bytes) / plan.planned_bytes;
  char buf[160];
  std::snprintf(buf, sizeof(buf),
                "naive %.3f MiB -> planned %.3f MiB (%.2fx), %d in place",
                plan.naive_bytes / 1048576.0, plan.planned_bytes / 1048576.0,
                ratio, plan.inplace_count);
  return buf;
}

}  // namespace mx
