// The executor's fusion pass (Note [Op fusion]): each fusion an op declares
// is checked through the shared harness (fused graph against the unfused
// one), and the pairs it must leave alone are left alone.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/executor/executor.h"
#include "core/executor/fuse_ops.h"
#include "core/op/op.h"
#include "core/symbol/symbol.h"
#include "tests/testing/fusion_harness.h"

namespace mx {
namespace {

using testing::CheckFusionCase;
using testing::FusionCase;

constexpr char kBnRelu[] = "_contrib_BatchNormWithReLU";
constexpr char kAddRelu[] = "_fused_add_relu";

Symbol Op(const std::string& op, const std::vector<Symbol>& inputs,
          Kwargs kwargs) {
  return Symbol::Create(op, inputs, kwargs);
}

Symbol Relu(const Symbol& x, const std::string& name) {
  return Op("Activation", {x}, {{"act_type", "relu"}, {"name", name}});
}

Symbol Bn(const Symbol& x, const std::string& name, Kwargs more = {}) {
  more.push_back({"name", name});
  more.push_back({"fix_gamma", false});
  return Op("BatchNorm", {x}, more);
}

Symbol Conv(const Symbol& x, const std::string& name, int filters) {
  return Op("Convolution", {x},
            {{"num_filter", filters},
             {"kernel", {3, 3}},
             {"pad", {1, 1}},
             {"name", name}});
}

// A residual block: conv, BatchNorm + ReLU, conv, BatchNorm, + input, ReLU.
Symbol Residual(const Symbol& x, const std::string& name, int channels) {
  const Symbol a = Relu(Bn(Conv(x, name + "_conv1", channels), name + "_bn1"),
                        name + "_relu1");
  const Symbol b = Bn(Conv(a, name + "_conv2", channels), name + "_bn2");
  return Relu(Op("elemwise_add", {b, x}, {{"name", name + "_sum"}}),
              name + "_relu2");
}

std::vector<FusionCase> Cases() {
  const Symbol data = Symbol::Variable("data");
  std::vector<FusionCase> cases;
  // Planes of 36 values reach the optimized BatchNorm kernel.
  cases.push_back(
      {"conv_bn_relu",
       Op("FullyConnected", {Relu(Bn(Conv(data, "conv", 4), "bn"), "relu")},
          {{"num_hidden", 5}, {"name", "fc"}}),
       {{"data", Shape{3, 2, 6, 6}}},
       {kBnRelu}});
  cases.push_back({"residual_blocks",
                   Residual(Residual(data, "res1", 3), "res2", 3),
                   {{"data", Shape{2, 3, 5, 5}}},
                   {kBnRelu, kBnRelu, kAddRelu, kAddRelu}});
  // 2-D data: the reference BatchNorm kernel; the ReLU is an output.
  cases.push_back({"bn_relu_2d_output",
                   Relu(Bn(data, "bn"), "relu"),
                   {{"data", Shape{8, 5}}},
                   {kBnRelu}});
  // Nothing fuses where the first node's output is read elsewhere.
  const Symbol bn = Bn(data, "bn");
  cases.push_back({"bn_output_also_an_output",
                   Symbol::Group({Relu(bn, "relu"), bn}),
                   {{"data", Shape{4, 3, 4, 4}}},
                   {}});
  const Symbol sum = Op("elemwise_add", {data, data}, {{"name", "sum"}});
  cases.push_back({"sum_read_twice",
                   Op("elemwise_mul", {Relu(sum, "relu"), sum}, {}),
                   {{"data", Shape{4, 7}}},
                   {}});
  const Symbol bn_stats = Bn(data, "bn", {{"output_mean_var", true}});
  cases.push_back({"bn_mean_read",
                   Symbol::Group({Relu(bn_stats[0], "relu"), bn_stats[1]}),
                   {{"data", Shape{4, 3, 4, 4}}},
                   {}});
  // Other activations, and a ReLU after a fused pair, stay as they are.
  cases.push_back({"bn_tanh",
                   Op("Activation", {Bn(data, "bn")}, {{"act_type", "tanh"}}),
                   {{"data", Shape{4, 3, 4, 4}}},
                   {}});
  cases.push_back({"relu_after_pair",
                   Relu(Relu(Bn(data, "bn"), "relu1"), "relu2"),
                   {{"data", Shape{4, 3, 4, 4}}},
                   {kBnRelu}});
  return cases;
}

TEST(FusionTest, FusedGraphsMatchUnfusedOnes) {
  for (const FusionCase& c : Cases()) CheckFusionCase(c);
}

// Every fusion an op declares has a case above that makes it.
TEST(FusionTest, EveryDeclaredFusionHasACase) {
  std::set<std::string> covered;
  for (const FusionCase& c : Cases()) {
    covered.insert(c.fused_ops.begin(), c.fused_ops.end());
  }
  for (const std::string& name : OpRegistry::Global().Names()) {
    for (const OpFusion& f : OpRegistry::Global().Get(name).fusions()) {
      EXPECT_TRUE(covered.count(f.fused))
          << name << " + " << f.next << " -> " << f.fused << " has no case";
    }
  }
}

// The fused node is named after the pair and keeps the symbol's interface.
TEST(FusionTest, FusedSymbolKeepsArgumentsAndOutputs) {
  const Symbol net = Residual(Symbol::Variable("data"), "res", 2);
  int count = 0;
  const Symbol fused = FuseOps(net, DeviceType::kCPU, &count);
  EXPECT_EQ(count, 2);
  EXPECT_EQ(fused.ListArguments(), net.ListArguments());
  EXPECT_EQ(fused.ListAuxiliaryStates(), net.ListAuxiliaryStates());
  EXPECT_EQ(fused.ListOutputs().size(), net.ListOutputs().size());
  const std::string json = fused.ToJSON();
  EXPECT_NE(json.find("res_bn1+res_relu1"), std::string::npos);
  EXPECT_NE(json.find("res_sum+res_relu2"), std::string::npos);
}

// MX_FUSION=0 binds the graph as written; another value is refused.
TEST(FusionTest, EnvironmentSwitch) {
  const Symbol net = Relu(Bn(Symbol::Variable("data"), "bn"), "relu");
  setenv("MX_FUSION", "0", 1);
  auto plain = Executor::SimpleBind(net, Context::CPU(), {{"data", {4, 3}}});
  EXPECT_EQ(plain->DebugString().find("bn+relu"), std::string::npos);
  setenv("MX_FUSION", "2", 1);
  EXPECT_THROW(Executor::SimpleBind(net, Context::CPU(), {{"data", {4, 3}}}),
               Error);
  unsetenv("MX_FUSION");
  auto fused = Executor::SimpleBind(net, Context::CPU(), {{"data", {4, 3}}});
  EXPECT_NE(fused->DebugString().find("bn+relu"), std::string::npos)
      << fused->DebugString();
}

// Errors of a fused graph are the user's graph's: they name its nodes.
TEST(FusionTest, ErrorsNameTheUsersNodes) {
  const Symbol net = Relu(Bn(Symbol::Variable("data"), "bn"), "relu");
  try {
    Executor::SimpleBind(net, Context::CPU(), {{"data", {4, 3}}},
                         GradReq::kWrite, {}, {{"data", DType::kInt32}});
    FAIL() << "int32 BatchNorm bound";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "BatchNorm 'bn': no kernel for int32 on cpu(0); supported: "
              "float32, float64");
  }
}

}  // namespace
}  // namespace mx
