// InvokeOp (imperative op calls) and float16 through the float32 kernels
// (Note [Float16 arithmetic]).
#include "core/executor/imperative.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/executor/executor.h"
#include "core/symbol/symbol.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using ::mx::testing::MessageOf;

NDArray Random(const Shape& shape, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-2, 2);
  std::vector<float> v(static_cast<size_t>(shape.Size()));
  for (float& x : v) x = u(rng);
  return NDArray::FromVector(v, shape);
}

std::vector<float> Floats(const NDArray& a) {
  return a.AsType(DType::kFloat32).ToVector<float>();
}

TEST(InvokeOpTest, RunsOpsWithTheirParametersAndChecksInputs) {
  const NDArray x = NDArray::FromVector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  const std::vector<NDArray> sum = InvokeOp("sum", {x}, {{"axis", "1"}});
  ASSERT_EQ(sum.size(), 1u);
  EXPECT_EQ(sum[0].shape(), (Shape{2}));
  EXPECT_EQ(Floats(sum[0]), (std::vector<float>{6, 15}));
  const NDArray t = InvokeOp("transpose", {x}, {})[0];
  EXPECT_EQ(Floats(t), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  // Into a given array; several visible outputs.
  NDArray out = NDArray::Zeros(Shape{2, 3});
  InvokeOp("_mul_scalar", {x}, {{"scalar", "2"}}, {.out = {out}});
  EXPECT_EQ(Floats(out), (std::vector<float>{2, 4, 6, 8, 10, 12}));
  EXPECT_EQ(InvokeOp("topk", {x}, {{"k", "2"}, {"ret_typ", "both"}}).size(),
            2u);
  // A sampling op on the given context.
  EXPECT_EQ(InvokeOp("_random_uniform", {}, {{"shape", "(4, 5)"}})[0].shape(),
            (Shape{4, 5}));
  EXPECT_EQ(MessageOf([&] { InvokeOp("dot", {x}, {}); }),
            "dot 'dot': takes 2 inputs (lhs, rhs), got 1");
  EXPECT_NE(MessageOf([&] {
              InvokeOp("sum", {x}, {{"axis", "4"}});
            }).find("sum 'sum': axis 4 is out of range for 2-d data"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] {
              InvokeOp("nosuchop", {x}, {});
            }).find("unknown operator 'nosuchop'"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] {
              InvokeOp("_mul_scalar", {x}, {{"scalar", "2"}},
                       {.out = {NDArray::Zeros(Shape{3})}});
            }).find("out[0] is"),
            std::string::npos);
}

// Each float16 result is the float32 result on the same (half) values,
// rounded to half: exactly, for single ops.
TEST(Float16Test, OpsComputeInFloat32AndRoundOnce) {
  const NDArray a = Random(Shape{3, 4}, 1).AsType(DType::kFloat16);
  const NDArray b = Random(Shape{1, 4}, 2).AsType(DType::kFloat16);
  const NDArray w = Random(Shape{5, 4}, 3).AsType(DType::kFloat16);
  struct Call {
    std::string op;
    std::vector<NDArray> inputs;
    AttrDict params;
  };
  const std::vector<Call> calls = {
      {"exp", {a}, {}},
      {"broadcast_mul", {a, b}, {}},
      {"softmax", {a}, {}},
      {"sum", {a}, {{"axis", "0"}}},
      {"FullyConnected", {a, w}, {{"num_hidden", "5"}, {"no_bias", "True"}}},
  };
  for (const Call& c : calls) {
    SCOPED_TRACE(c.op);
    const NDArray half = InvokeOp(c.op, c.inputs, c.params)[0];
    EXPECT_EQ(half.dtype(), DType::kFloat16);
    std::vector<NDArray> f32;
    for (const NDArray& x : c.inputs) f32.push_back(x.AsType(DType::kFloat32));
    const NDArray full = InvokeOp(c.op, f32, c.params)[0];
    const NDArray rounded = full.AsType(DType::kFloat16);
    EXPECT_EQ(Floats(half), Floats(rounded));
  }
}

// A float16 graph trains: forward, backward (gradient sums included) and
// accumulation (grad_req add) in half.
TEST(Float16Test, GraphsRunForwardAndBackwardInHalf) {
  const Symbol x = Symbol::Variable("x");
  Symbol fc = Symbol::Create("FullyConnected", {x},
                             {{"num_hidden", "3"}, {"name", "fc"}});
  // x feeds two branches: its gradient is a sum step.
  const Symbol y = Symbol::Create("elemwise_add",
                                  {Symbol::Create("sum", {fc}, {{"axis", "1"}}),
                                   Symbol::Create("sum", {x}, {{"axis", "1"}})},
                                  {});
  auto exec =
      Executor::SimpleBind(y, Context::CPU(), {{"x", Shape{2, 4}}},
                           GradReq::kWrite, {}, {{"x", DType::kFloat16}});
  for (NDArray arg : exec->arg_arrays()) {
    EXPECT_EQ(arg.dtype(), DType::kFloat16);
    Random(arg.shape(), 7).AsType(DType::kFloat16).CopyTo(&arg);
  }
  exec->Forward(true);
  exec->Backward({NDArray::Ones(Shape{2}, Context::CPU(), DType::kFloat16)});
  // d/dx = sum over fc's rows of its weight + 1, for every row of x.
  const std::vector<float> w = Floats(exec->arg_dict().at("fc_weight"));
  const std::vector<float> gx = Floats(exec->grad_dict().at("x"));
  for (int j = 0; j < 4; ++j) {
    const float expected = w[j] + w[4 + j] + w[8 + j] + 1;
    EXPECT_NEAR(gx[j], expected, 2e-3 * (1 + std::abs(expected))) << j;
    EXPECT_EQ(gx[4 + j], gx[j]);
  }
}

}  // namespace
}  // namespace mx
