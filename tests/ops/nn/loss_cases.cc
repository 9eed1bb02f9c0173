// Harness cases of the loss heads: SoftmaxOutput and the regression outputs
// (linear, logistic, MAE).
// Their backward is the gradient of a loss, given here for the numeric check.
#include <cmath>

#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

// -sum log p[label] * scale over rows of (outer, classes, inner) outputs,
// skipping ignored labels.
OpCase SoftmaxCase(std::string name, AttrDict params, Shape data, Shape out,
                   int64_t outer, int64_t classes, int64_t inner, double scale,
                   double ignore = -1e9) {
  OpCase c{std::move(name),
           "SoftmaxOutput",
           std::move(params),
           {{"data", data}},
           {out}};
  c.init = [classes, ignore](const std::string& n, std::vector<double>* v,
                             std::mt19937_64* rng) {
    if (n != "label") return;
    FillIndices(v, static_cast<int>(classes), rng);
    if (ignore > -1e9) (*v)[0] = ignore;
  };
  c.loss = [=](const std::vector<std::vector<double>>& in,
               const std::vector<std::vector<double>>& outs) {
    double loss = 0;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const double l = in[1][o * inner + i];
        if (l == ignore) continue;
        const int64_t k = static_cast<int64_t>(l);
        loss -= std::log(outs[0][(o * classes + k) * inner + i]);
      }
    }
    return loss * scale;
  };
  return c;
}

OpCase RegressionCase(const std::string& op, Shape data, double grad_scale) {
  OpCase c{op + "_" + data.ToString(),
           op,
           {{"grad_scale", std::to_string(grad_scale)}},
           {{"data", data}},
           {data}};
  const bool logistic = op == "LogisticRegressionOutput";
  const bool mae = op == "MAERegressionOutput";
  c.init = [logistic, mae](const std::string& n, std::vector<double>* v,
                           std::mt19937_64* rng) {
    if (n == "label" && logistic) FillUniform(v, 0, 1, rng);
    // MAE: labels away from the data (|y - l| has a kink at 0).
    if (mae) FillUniform(v, n == "label" ? 1.5 : -1, n == "label" ? 2 : 1, rng);
  };
  const double per_row = data.Size() / data[0];
  c.loss = [=](const std::vector<std::vector<double>>& in,
               const std::vector<std::vector<double>>& outs) {
    double loss = 0;
    for (size_t i = 0; i < outs[0].size(); ++i) {
      const double y = outs[0][i], l = in[1][i];
      loss += logistic ? -(l * std::log(y) + (1 - l) * std::log(1 - y))
              : mae    ? std::fabs(y - l)
                       : 0.5 * (y - l) * (y - l);
    }
    return loss * grad_scale / per_row;
  };
  return c;
}

std::vector<OpCase> LossCases() {
  return {
      SoftmaxCase("softmax_default", {}, Shape{4, 7}, Shape{4, 7}, 4, 7, 1, 1),
      SoftmaxCase("softmax_flatten_4d", {{"grad_scale", "0.5"}},
                  Shape{3, 2, 2, 2}, Shape{3, 2, 2, 2}, 3, 8, 1, 0.5),
      SoftmaxCase("softmax_batch_norm", {{"normalization", "batch"}},
                  Shape{5, 3}, Shape{5, 3}, 5, 3, 1, 1.0 / 5),
      SoftmaxCase("softmax_multi_output", {{"multi_output", "True"}},
                  Shape{2, 3, 2, 2}, Shape{2, 3, 2, 2}, 2, 3, 4, 1.0 / 4),
      SoftmaxCase("softmax_preserve_shape", {{"preserve_shape", "True"}},
                  Shape{2, 3, 4}, Shape{2, 3, 4}, 6, 4, 1, 1),
      SoftmaxCase("softmax_ignore_valid",
                  {{"use_ignore", "True"},
                   {"ignore_label", "-1"},
                   {"normalization", "valid"}},
                  Shape{4, 5}, Shape{4, 5}, 4, 5, 1, 1.0 / 3, -1),
      RegressionCase("LinearRegressionOutput", Shape{3, 4}, 1),
      RegressionCase("LinearRegressionOutput", Shape{5, 1}, 2),
      RegressionCase("LogisticRegressionOutput", Shape{3, 2, 2}, 1),
      RegressionCase("MAERegressionOutput", Shape{4, 3}, 1.5),
  };
}

MX_OP_CASES(LossCases);

}  // namespace
}  // namespace mx::testing
