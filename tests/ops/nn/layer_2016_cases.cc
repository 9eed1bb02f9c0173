// Harness cases of Pad, SVMOutput, ROIPooling, Correlation and
// SpatialTransformer.
#include <algorithm>
#include <cmath>

#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> PadCases() {
  return {
      {"pad_constant_nchw",
       "Pad",
       {{"pad_width", "(0,0, 0,0, 1,2, 2,1)"}, {"constant_value", "0.5"}},
       {{"data", Shape{2, 2, 3, 4}}},
       {Shape{2, 2, 6, 7}}},
      {"pad_edge_5d",
       "Pad",
       {{"mode", "edge"}, {"pad_width", "(0,0, 0,0, 1,0, 2,1, 0,3)"}},
       {{"data", Shape{1, 2, 2, 3, 2}}},
       {Shape{1, 2, 3, 6, 5}}},
      {"pad_reflect_every_axis",
       "Pad",
       {{"mode", "reflect"}, {"pad_width", "(1,0, 1,1, 2,3, 1,0)"}},
       {{"data", Shape{2, 3, 4, 5}}},
       {Shape{3, 5, 9, 6}}},
  };
}

// The one-vs-rest hinge loss C * sum max(0, margin - t x)^p, t = +1 for the
// label's class and -1 for the others; p 1 (use_linear) or 2.
OpCase SVMCase(bool linear) {
  const double margin = 0.5, coef = 0.7;
  OpCase c{linear ? "svm_output_l1" : "svm_output_l2",
           "SVMOutput",
           {{"margin", "0.5"},
            {"regularization_coefficient", "0.7"},
            {"use_linear", linear ? "True" : "False"}},
           {{"data", Shape{5, 4}}},
           {Shape{5, 4}}};
  c.init = [](const std::string& n, std::vector<double>* v,
              std::mt19937_64* rng) {
    if (n == "label") return FillIndices(v, 4, rng);
    FillUniform(v, -1, 1, rng);
  };
  c.loss = [=](const std::vector<std::vector<double>>& in,
               const std::vector<std::vector<double>>& outs) {
    double loss = 0;
    for (size_t i = 0; i < outs[0].size(); ++i) {
      const double t = static_cast<size_t>(in[1][i / 4]) == i % 4 ? 1 : -1;
      const double gap = std::max(0.0, margin - t * outs[0][i]);
      loss += coef * (linear ? gap : gap * gap);
    }
    return loss;
  };
  return c;
}

// Three regions of a (2, 2, 6, 5) map: fractional corners, another batch
// entry, a single pixel.
void FillRois(const std::string& n, std::vector<double>* v,
              std::mt19937_64* rng) {
  if (n != "rois") return FillUniform(v, -1, 1, rng);
  *v = {0, 0.4, 1.2, 3.6, 4.1,  //
        1, 1,   0,   4,   5,    //
        1, 2.2, 2.2, 2.2, 2.2};
}

std::vector<OpCase> ROIPoolingCases() {
  OpCase pool{"roi_pooling_2x2",
              "ROIPooling",
              {{"pooled_size", "(2, 2)"}, {"spatial_scale", "1"}},
              {{"data", Shape{2, 2, 6, 5}}, {"rois", Shape{3, 5}}},
              {Shape{3, 2, 2, 2}}};
  pool.init = FillRois;
  OpCase scaled = pool;
  scaled.name = "roi_pooling_half_scale_3x2";
  scaled.params = {{"pooled_size", "(3, 2)"}, {"spatial_scale", "0.5"}};
  scaled.outputs = {Shape{3, 2, 3, 2}};
  OpCase bad = pool;
  bad.name = "roi_pooling_bad_batch_index";
  bad.init = [](const std::string& n, std::vector<double>* v,
                std::mt19937_64* rng) {
    FillRois(n, v, rng);
    if (n == "rois") (*v)[5] = 2;
  };
  bad.expect_error =
      "region 1 has batch index 2; expected an integer in [0, 2)";
  return {pool, scaled, bad};
}

std::vector<OpCase> CorrelationCases() {
  return {
      {"correlation_multiply_3x3",
       "Correlation",
       {{"kernel_size", "3"}, {"max_displacement", "1"}, {"pad_size", "1"}},
       {{"data1", Shape{2, 2, 5, 5}}},
       {Shape{2, 9, 3, 3}}},
      {"correlation_absolute_difference",
       "Correlation",
       {{"kernel_size", "3"},
        {"max_displacement", "1"},
        {"pad_size", "2"},
        {"is_multiply", "False"}},
       {{"data1", Shape{1, 3, 4, 4}}},
       {Shape{1, 9, 4, 4}}},
      // Strides that do not divide the extent: ceil, reading zeros past it.
      {"correlation_strides_ceil",
       "Correlation",
       {{"max_displacement", "2"},
        {"stride1", "2"},
        {"stride2", "2"},
        {"pad_size", "1"}},
       {{"data1", Shape{1, 2, 6, 5}}},
       {Shape{1, 9, 2, 2}}},
  };
}

// Affine matrices near the identity whose entries put no grid point on a
// whole pixel, where the bilinear weights have kinks (round entries such as
// 0.6 and 0.1 did, and the central differences disagreed there).
OpCase SpatialTransformerCase(const std::string& name, AttrDict params,
                              Shape out) {
  OpCase c{name,
           "SpatialTransformer",
           std::move(params),
           {{"data", Shape{2, 2, 5, 6}}},
           {std::move(out)}};
  c.init = [](const std::string& n, std::vector<double>* v,
              std::mt19937_64* rng) {
    if (n != "loc") return FillUniform(v, -1, 1, rng);
    *v = {0.8137, 0.1093,  0.0517, -0.0971, 0.7129, -0.0533,  //
          0.6211, -0.1877, 0.1039, 0.1461,  0.8923, 0.0217};
  };
  return c;
}

std::vector<OpCase> Layer2016Cases() {
  std::vector<OpCase> cases = PadCases();
  cases.push_back(SpatialTransformerCase("spatial_transformer_4x3",
                                         {{"target_shape", "(4, 3)"},
                                          {"transform_type", "affine"},
                                          {"sampler_type", "bilinear"}},
                                         Shape{2, 2, 4, 3}));
  cases.push_back(SpatialTransformerCase(
      "spatial_transformer_data_size",
      {{"transform_type", "affine"}, {"sampler_type", "bilinear"}},
      Shape{2, 2, 5, 6}));
  for (OpCase& c : CorrelationCases()) cases.push_back(c);
  cases.push_back(SVMCase(true));
  cases.push_back(SVMCase(false));
  for (OpCase& c : ROIPoolingCases()) cases.push_back(c);
  return cases;
}

MX_OP_CASES(Layer2016Cases);

}  // namespace
}  // namespace mx::testing
