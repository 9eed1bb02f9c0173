// MXNet's test_operator cases through the executor: ElementWiseSum, Concat,
// SliceChannel and the regression outputs, forward and backward against
// values computed here.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/executor/executor.h"
#include "core/symbol/symbol.h"

namespace mx {
namespace {

std::vector<float> Uniform(size_t n, float low, float high, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Element (o, i, r) of an array split as (outer, extent, inner) at an axis.
size_t At(size_t o, size_t i, size_t r, size_t extent, size_t inner) {
  return (o * extent + i) * inner + r;
}

// (outer, inner) of `shape` around `axis`.
std::pair<size_t, size_t> OuterInner(const Shape& shape, int axis) {
  size_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= shape[d];
  for (int d = axis + 1; d < shape.ndim(); ++d) inner *= shape[d];
  return {outer, inner};
}

// test_elementwise_sum: the sum of n inputs; every input's gradient is the
// head gradient, exactly.
TEST(OperatorTest, ElementWiseSum) {
  const Shape shape{2, 3, 5};
  for (int n = 1; n <= 7; ++n) {
    std::vector<Symbol> inputs;
    std::vector<NDArray> args, grads;
    std::vector<std::vector<float>> values;
    for (int i = 0; i < n; ++i) {
      inputs.push_back(Symbol::Variable("arg" + std::to_string(i)));
      values.push_back(Uniform(shape.Size(), -10, 10, 100 * n + i));
      args.push_back(NDArray::FromVector(values.back(), shape));
      grads.push_back(NDArray::Zeros(shape));
    }
    const Symbol sum =
        Symbol::Create("ElementWiseSum", inputs, {{"num_args", n}});
    auto exec =
        Executor::Bind(sum, Context::CPU(), args, grads, {GradReq::kWrite}, {});
    exec->Forward(true);
    const std::vector<float> out = exec->outputs()[0].ToVector<float>();
    for (size_t k = 0; k < out.size(); ++k) {
      float want = 0;
      for (int i = 0; i < n; ++i) want += values[i][k];
      EXPECT_NEAR(out[k], want, 1e-4) << "n=" << n << " element " << k;
    }
    const std::vector<float> head = Uniform(shape.Size(), -1, 1, n);
    exec->Backward({NDArray::FromVector(head, shape)});
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(grads[i].ToVector<float>(), head) << "n=" << n << " arg" << i;
    }
  }
}

// test_concat: 2-D and 4-D arrays of different extents along each axis;
// the output holds them in order and each gradient is its slice of the head
// gradient.
TEST(OperatorTest, ConcatForwardBackward) {
  const std::vector<Shape> bases = {Shape{2, 3}, Shape{2, 3, 4, 5}};
  for (const Shape& base : bases) {
    for (int axis = 0; axis < base.ndim(); ++axis) {
      const std::vector<int64_t> extents = {1, 3, 2};
      std::vector<Symbol> inputs;
      std::vector<NDArray> args, grads;
      std::vector<std::vector<float>> values;
      std::vector<Shape> shapes;
      int64_t total = 0;
      for (size_t i = 0; i < extents.size(); ++i) {
        std::vector<int64_t> dims = base.dims();
        dims[axis] = extents[i];
        shapes.emplace_back(dims);
        total += extents[i];
        inputs.push_back(Symbol::Variable("arg" + std::to_string(i)));
        values.push_back(Uniform(shapes.back().Size(), -1, 1, axis * 10 + i));
        args.push_back(NDArray::FromVector(values.back(), shapes.back()));
        grads.push_back(NDArray::Zeros(shapes.back()));
      }
      std::vector<int64_t> out_dims = base.dims();
      out_dims[axis] = total;
      const Shape out_shape(out_dims);
      const Symbol cat = Symbol::Create(
          "Concat", inputs,
          {{"num_args", static_cast<int>(extents.size())}, {"dim", axis}});
      auto exec = Executor::Bind(cat, Context::CPU(), args, grads,
                                 {GradReq::kWrite}, {});
      exec->Forward(true);
      ASSERT_EQ(exec->outputs()[0].shape(), out_shape);
      const std::vector<float> out = exec->outputs()[0].ToVector<float>();
      const std::vector<float> head = Uniform(out_shape.Size(), -1, 1, 7);
      exec->Backward({NDArray::FromVector(head, out_shape)});
      const auto [outer, inner] = OuterInner(out_shape, axis);
      int64_t offset = 0;
      for (size_t i = 0; i < extents.size(); ++i) {
        const std::vector<float> grad = grads[i].ToVector<float>();
        for (size_t o = 0; o < outer; ++o) {
          for (int64_t e = 0; e < extents[i]; ++e) {
            for (size_t r = 0; r < inner; ++r) {
              const size_t part = At(o, e, r, extents[i], inner);
              const size_t whole = At(o, offset + e, r, total, inner);
              ASSERT_EQ(out[whole], values[i][part])
                  << base << " axis " << axis << " input " << i;
              ASSERT_EQ(grad[part], head[whole])
                  << base << " axis " << axis << " input " << i;
            }
          }
        }
        offset += extents[i];
      }
    }
  }
}

// test_slice_channel: equal parts along an axis, with and without
// squeeze_axis; the data gradient is the head gradients put back together.
TEST(OperatorTest, SliceChannelForwardBackward) {
  struct Case {
    Shape data;
    int axis, parts;
    bool squeeze;
  };
  const std::vector<Case> cases = {{Shape{4, 6, 3}, 1, 3, false},
                                   {Shape{4, 6, 3}, 2, 3, true},
                                   {Shape{5, 2}, 0, 5, true},
                                   {Shape{2, 4, 2, 2}, 1, 2, false}};
  for (const Case& c : cases) {
    const Symbol slice =
        Symbol::Create("SliceChannel", {Symbol::Variable("data")},
                       {{"num_outputs", c.parts},
                        {"axis", c.axis},
                        {"squeeze_axis", c.squeeze}});
    auto exec = Executor::SimpleBind(slice, Context::CPU(), {{"data", c.data}});
    const std::vector<float> x = Uniform(c.data.Size(), -1, 1, c.axis);
    exec->arg_dict()["data"].SyncCopyFromHost(x.data(),
                                              x.size() * sizeof(float));
    exec->Forward(true);
    ASSERT_EQ(static_cast<int>(exec->outputs().size()), c.parts);
    const int64_t part = c.data[c.axis] / c.parts;
    const auto [outer, inner] = OuterInner(c.data, c.axis);
    std::vector<NDArray> heads;
    std::vector<std::vector<float>> head_values;
    for (int p = 0; p < c.parts; ++p) {
      const NDArray& out = exec->outputs()[p];
      std::vector<int64_t> dims = c.data.dims();
      dims[c.axis] = part;
      if (c.squeeze) dims.erase(dims.begin() + c.axis);
      ASSERT_EQ(out.shape(), Shape(dims)) << c.data << " part " << p;
      const std::vector<float> got = out.ToVector<float>();
      for (size_t o = 0; o < outer; ++o) {
        for (int64_t e = 0; e < part; ++e) {
          for (size_t r = 0; r < inner; ++r) {
            ASSERT_EQ(got[At(o, e, r, part, inner)],
                      x[At(o, p * part + e, r, c.data[c.axis], inner)])
                << c.data << " part " << p;
          }
        }
      }
      head_values.push_back(Uniform(out.shape().Size(), -1, 1, 50 + p));
      heads.push_back(NDArray::FromVector(head_values.back(), out.shape()));
    }
    exec->Backward(heads);
    const std::vector<float> grad = exec->grad_dict()["data"].ToVector<float>();
    for (int p = 0; p < c.parts; ++p) {
      for (size_t o = 0; o < outer; ++o) {
        for (int64_t e = 0; e < part; ++e) {
          for (size_t r = 0; r < inner; ++r) {
            ASSERT_EQ(grad[At(o, p * part + e, r, c.data[c.axis], inner)],
                      head_values[p][At(o, e, r, part, inner)])
                << c.data << " part " << p;
          }
        }
      }
    }
  }
}

// test_regression: data (3, 1), label (3,); forward is the identity or the
// sigmoid, the data gradient out - label.
TEST(OperatorTest, RegressionOutputs) {
  for (const std::string op :
       {"LinearRegressionOutput", "LogisticRegressionOutput"}) {
    const Symbol out = Symbol::Create(
        op, {Symbol::Variable("data"), Symbol::Variable("label")});
    const std::vector<float> x = Uniform(3, -1, 1, 1), l = Uniform(3, 0, 1, 2);
    NDArray grad = NDArray::Zeros(Shape{3, 1});
    const std::vector<NDArray> args = {NDArray::FromVector(x, Shape{3, 1}),
                                       NDArray::FromVector(l, Shape{3})};
    auto exec = Executor::Bind(out, Context::CPU(), args, {grad, NDArray()},
                               {GradReq::kWrite, GradReq::kNull},
                               std::vector<NDArray>{});
    exec->Forward(true);
    exec->Backward();
    const std::vector<float> y = exec->outputs()[0].ToVector<float>();
    const std::vector<float> g = grad.ToVector<float>();
    for (size_t i = 0; i < 3; ++i) {
      const float want =
          op == "LinearRegressionOutput" ? x[i] : 1 / (1 + std::exp(-x[i]));
      EXPECT_NEAR(y[i], want, 1e-6) << op;
      EXPECT_NEAR(g[i], want - l[i], 1e-6) << op;
    }
  }
}

}  // namespace
}  // namespace mx
