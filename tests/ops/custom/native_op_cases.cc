// Harness cases of _Native (ops/custom/native_op.h): ops defined by C++
// callbacks registered here, as the Python package registers NumpyOp's.
#include <memory>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "ops/custom/native_op.h"
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

using ops::NativeOpInfo;
using Views = std::vector<TensorView>;

// Calls f.template operator()<T>() with T the views' element type.
template <typename F>
void ByType(const TensorView& v, F f) {
  if (v.dtype == DType::kFloat64) {
    f(double{});
  } else {
    f(float{});
  }
}

// out = data^2; d/ddata = 2 data g.
std::string SquareId() {
  auto info = std::make_shared<NativeOpInfo>();
  info->infer_shape = [](std::vector<Shape>* in) {
    return std::vector<Shape>{(*in)[0]};
  };
  info->forward = [](const Views& in, const Views& out) {
    ByType(in[0], [&](auto t) {
      using T = decltype(t);
      const T* x = in[0].ptr<T>();
      for (int64_t i = 0; i < in[0].Size(); ++i) {
        out[0].ptr<T>()[i] = x[i] * x[i];
      }
    });
  };
  info->backward = [](const Views& g, const Views& in, const Views&,
                      const Views& dx) {
    ByType(in[0], [&](auto t) {
      using T = decltype(t);
      for (int64_t i = 0; i < in[0].Size(); ++i) {
        dx[0].ptr<T>()[i] = 2 * in[0].ptr<T>()[i] * g[0].ptr<T>()[i];
      }
    });
  };
  return std::to_string(ops::RegisterNativeOp(std::move(info)));
}

// Two inputs, two outputs: (a * b, a - b); b's shape comes from a's.
std::string ProductDifferenceId() {
  auto info = std::make_shared<NativeOpInfo>();
  info->arguments = {"a", "b"};
  info->outputs = {"product", "difference"};
  info->infer_shape = [](std::vector<Shape>* in) {
    (*in)[1] = (*in)[0];
    return std::vector<Shape>{(*in)[0], (*in)[0]};
  };
  info->forward = [](const Views& in, const Views& out) {
    ByType(in[0], [&](auto t) {
      using T = decltype(t);
      const T* a = in[0].ptr<T>();
      const T* b = in[1].ptr<T>();
      for (int64_t i = 0; i < in[0].Size(); ++i) {
        out[0].ptr<T>()[i] = a[i] * b[i];
        out[1].ptr<T>()[i] = a[i] - b[i];
      }
    });
  };
  info->backward = [](const Views& g, const Views& in, const Views&,
                      const Views& dx) {
    ByType(in[0], [&](auto t) {
      using T = decltype(t);
      const T* a = in[0].ptr<T>();
      const T* b = in[1].ptr<T>();
      for (int64_t i = 0; i < in[0].Size(); ++i) {
        const T gp = g[0].ptr<T>()[i], gd = g[1].ptr<T>()[i];
        dx[0].ptr<T>()[i] = b[i] * gp + gd;
        dx[1].ptr<T>()[i] = a[i] * gp - gd;
      }
    });
  };
  return std::to_string(ops::RegisterNativeOp(std::move(info)));
}

// A forward that fails (the engine reports it at the next wait).
std::string FailingId() {
  auto info = std::make_shared<NativeOpInfo>();
  info->infer_shape = [](std::vector<Shape>* in) {
    return std::vector<Shape>{(*in)[0]};
  };
  info->forward = [](const Views&, const Views&) {
    MX_THROW("callback failed on purpose");
  };
  info->backward = [](const Views&, const Views&, const Views&, const Views&) {
  };
  return std::to_string(ops::RegisterNativeOp(std::move(info)));
}

std::vector<OpCase> NativeOpCases() {
  OpCase failing{"native_callback_error",
                 "_Native",
                 {{"info", FailingId()}},
                 {{"data", Shape{4}}},
                 {Shape{4}}};
  failing.expect_error = "callback failed on purpose";
  return {
      {"native_square",
       "_Native",
       {{"info", SquareId()}},
       {{"data", Shape{3, 4}}},
       {Shape{3, 4}}},
      {"native_two_in_two_out",
       "_Native",
       {{"info", ProductDifferenceId()}},
       {{"a", Shape{2, 5}}},
       {Shape{2, 5}, Shape{2, 5}}},
      failing,
  };
}

MX_OP_CASES(NativeOpCases);

}  // namespace
}  // namespace mx::testing
