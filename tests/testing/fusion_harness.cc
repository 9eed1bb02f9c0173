#include "tests/testing/fusion_harness.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <memory>
#include <random>
#include <set>

#include "core/executor/executor.h"
#include "core/executor/fuse_ops.h"
#include "core/ndarray/ndarray.h"
#include "core/symbol/node.h"
#include "tests/testing/expect_close.h"

namespace mx::testing {
namespace {

std::multiset<std::string> OpsOf(const Symbol& net) {
  std::multiset<std::string> ops;
  PostOrderVisit(net.outputs(), [&](const std::shared_ptr<Node>& n) {
    if (!n->is_variable()) ops.insert(n->attrs.op->name());
  });
  return ops;
}

// Binds `net` with MX_FUSION set to `fusion` (restored after).
std::unique_ptr<Executor> BindWithFusion(
    const Symbol& net, bool fusion, const std::map<std::string, NDArray>& args,
    const std::map<std::string, NDArray>& aux) {
  const char* old = getenv("MX_FUSION");
  const std::string saved = old ? old : "";
  setenv("MX_FUSION", fusion ? "1" : "0", 1);
  std::map<std::string, NDArray> copies, grads, aux_copies;
  for (const auto& [name, a] : args) {
    copies[name] = a.CopyTo(Context::CPU());
    grads[name] = NDArray::Zeros(a.shape());
  }
  for (const auto& [name, a] : aux) aux_copies[name] = a.CopyTo(Context::CPU());
  auto exec =
      Executor::Bind(net, Context::CPU(), copies, grads, {}, aux_copies);
  if (old) {
    setenv("MX_FUSION", saved.c_str(), 1);
  } else {
    unsetenv("MX_FUSION");
  }
  return exec;
}

void ExpectSame(const std::vector<NDArray>& fused,
                const std::vector<NDArray>& plain,
                const std::vector<std::string>& names, double tolerance,
                const std::string& what) {
  ASSERT_EQ(fused.size(), plain.size());
  for (size_t i = 0; i < fused.size(); ++i) {
    if (plain[i].is_none()) continue;
    ExpectClose(fused[i].ToVector<float>(), plain[i].ToVector<float>(),
                tolerance, what + " " + names[i]);
  }
}

}  // namespace

std::vector<std::string> FusedOps(const Symbol& net) {
  std::multiset<std::string> before = OpsOf(net);
  std::vector<std::string> added;
  for (const std::string& op : OpsOf(FuseOps(net, DeviceType::kCPU))) {
    const auto it = before.find(op);
    if (it == before.end()) {
      added.push_back(op);
    } else {
      before.erase(it);
    }
  }
  std::sort(added.begin(), added.end());
  return added;
}

void CheckFusionCase(const FusionCase& c) {
  SCOPED_TRACE("fusion case " + c.name);
  EXPECT_EQ(FusedOps(c.net), c.fused_ops);
  const Shapes shapes = c.net.InferShape(
      std::map<std::string, PartialShape>(c.shapes.begin(), c.shapes.end()));
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<float> uniform(-1, 1);
  const auto random = [&](const Shape& shape, float low, float high) {
    std::vector<float> v(static_cast<size_t>(shape.Size()));
    for (float& x : v) x = low + (high - low) * (uniform(rng) + 1) / 2;
    return NDArray::FromVector(v, shape);
  };
  std::map<std::string, NDArray> args, aux;
  const std::vector<std::string> arg_names = c.net.ListArguments();
  const std::vector<std::string> aux_names = c.net.ListAuxiliaryStates();
  for (size_t i = 0; i < arg_names.size(); ++i) {
    args[arg_names[i]] = random(shapes.arguments[i], -1, 1);
  }
  for (size_t i = 0; i < aux_names.size(); ++i) {
    // Positive, as moving variances must be.
    aux[aux_names[i]] = random(shapes.aux_states[i], 0.5, 1.5);
  }
  std::vector<NDArray> head_grads;
  for (const Shape& s : shapes.outputs) head_grads.push_back(random(s, -1, 1));

  auto fused = BindWithFusion(c.net, true, args, aux);
  auto plain = BindWithFusion(c.net, false, args, aux);
  for (Executor* e : {fused.get(), plain.get()}) {
    e->Forward(true);
    e->Backward(head_grads);
  }
  const std::vector<std::string> outputs = c.net.ListOutputs();
  ExpectSame(fused->outputs(), plain->outputs(), outputs, c.tolerance,
             "training output");
  ExpectSame(fused->grad_arrays(), plain->grad_arrays(), arg_names, c.tolerance,
             "gradient of");
  ExpectSame(fused->aux_arrays(), plain->aux_arrays(), aux_names, c.tolerance,
             "auxiliary state");
  for (Executor* e : {fused.get(), plain.get()}) e->Forward(false);
  ExpectSame(fused->outputs(), plain->outputs(), outputs, c.tolerance,
             "inference output");
}

}  // namespace mx::testing
