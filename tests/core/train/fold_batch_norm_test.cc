// FoldBatchNorm: the folded inference graph computes what the unfolded one
// does; only BatchNorms that may be folded are.
#include "core/train/fold_batch_norm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/engine/engine.h"
#include "core/executor/executor.h"
#include "core/ndarray/ndarray.h"

namespace mx {
namespace {

Symbol Conv(const Symbol& in, const char* name, int filters, bool bias) {
  return Symbol::Create("Convolution", {in},
                        {{"kernel", {3, 3}},
                         {"pad", {1, 1}},
                         {"num_filter", filters},
                         {"no_bias", !bias},
                         {"name", name}});
}

Symbol Bn(const Symbol& in, const char* name, bool fix_gamma) {
  return Symbol::Create(
      "BatchNorm", {in},
      {{"fix_gamma", fix_gamma}, {"eps", 1e-3}, {"name", name}});
}

Symbol Relu(const Symbol& in, const char* name) {
  return Symbol::Create("Activation", {in},
                        {{"act_type", "relu"}, {"name", name}});
}

// conv1 (no bias) -> bn1 -> relu: folded; conv2 (bias) -> bn2 (fix_gamma):
// folded; conv3 read by bn3 and by the sum: kept; fc -> bn4: kept. The
// output is bn4's (not a saturating softmax), so every value counts.
Symbol Net() {
  Symbol x = Symbol::Variable("data");
  x = Relu(Bn(Conv(x, "conv1", 4, false), "bn1", false), "relu1");
  x = Relu(Bn(Conv(x, "conv2", 5, true), "bn2", true), "relu2");
  const Symbol c3 = Conv(x, "conv3", 5, false);
  x = Symbol::Create("elemwise_add", {Bn(c3, "bn3", false), c3},
                     {{"name", "sum"}});
  x = Symbol::Create("FullyConnected", {x},
                     {{"num_hidden", 6}, {"name", "fc"}});
  return Bn(x, "bn4", false);
}

// Random parameters; moving variances in [0.5, 2).
Checkpoint RandomModel(const Symbol& net, const Shape& data) {
  Checkpoint c;
  c.symbol = net;
  const Shapes shapes = net.InferShape({{"data", data}});
  const std::vector<std::string> args = net.ListArguments();
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "data") continue;
    c.args[args[i]] = RandomUniform(-1, 1, shapes.arguments[i]);
  }
  const std::vector<std::string> aux = net.ListAuxiliaryStates();
  for (size_t i = 0; i < aux.size(); ++i) {
    const bool var = aux[i].find("moving_var") != std::string::npos;
    c.aux[aux[i]] =
        RandomUniform(var ? 0.5f : -1.f, var ? 2.f : 1.f, shapes.aux_states[i]);
  }
  return c;
}

std::vector<float> Infer(const Checkpoint& c, const NDArray& data) {
  const std::map<std::string, Shape> shapes = {{"data", data.shape()}};
  auto exec =
      Executor::SimpleBind(c.symbol, Context::CPU(), shapes, GradReq::kNull);
  for (auto& [name, a] : exec->arg_dict()) {
    NDArray dst = a;
    if (name == "data") data.CopyTo(&dst);
    if (c.args.count(name)) c.args.at(name).CopyTo(&dst);
  }
  for (auto& [name, a] : exec->aux_dict()) {
    NDArray dst = a;
    c.aux.at(name).CopyTo(&dst);
  }
  exec->Forward(false);
  return exec->outputs()[0].ToVector<float>();
}

TEST(FoldBatchNormTest, FoldsConvolutionBatchNormPairsAndKeepsTheOutputs) {
  const Shape data_shape({3, 2, 6, 5});
  const Checkpoint model = RandomModel(Net(), data_shape);
  Checkpoint folded = model;
  EXPECT_EQ(FoldBatchNorm(&folded), 2);
  // bn1 and bn2 are gone (their states unread), bn3 and bn4 stay.
  const std::vector<std::string> aux = folded.symbol.ListAuxiliaryStates();
  EXPECT_EQ(aux,
            (std::vector<std::string>{"bn3_moving_mean", "bn3_moving_var",
                                      "bn4_moving_mean", "bn4_moving_var"}));
  const std::vector<std::string> args = folded.symbol.ListArguments();
  EXPECT_NE(std::find(args.begin(), args.end(), "conv1_bias"), args.end());
  EXPECT_EQ(std::find(args.begin(), args.end(), "bn1_gamma"), args.end());
  // The unfolded model's arrays are untouched.
  EXPECT_EQ(model.args.count("conv1_bias"), 0u);

  const NDArray data = RandomUniform(-1, 1, data_shape);
  const std::vector<float> want = Infer(model, data);
  const std::vector<float> got = Infer(folded, data);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 1e-4 + 1e-4 * std::fabs(want[i])) << i;
  }
}

TEST(FoldBatchNormTest, ANetWithoutFoldableBatchNormsIsKept) {
  Symbol x = Symbol::Variable("data");
  x = Symbol::Create("FullyConnected", {x},
                     {{"num_hidden", 4}, {"name", "fc"}});
  x = Bn(x, "bn", false);
  Checkpoint c = RandomModel(x, Shape({2, 3}));
  const std::string before = c.symbol.ToJSON();
  EXPECT_EQ(FoldBatchNorm(&c), 0);
  EXPECT_EQ(c.symbol.ListAuxiliaryStates().size(), 2u);
  EXPECT_EQ(c.symbol.ListArguments(), Symbol::FromJSON(before).ListArguments());
}

}  // namespace
}  // namespace mx
