// Shape inference of every declared op against MXNet's formulas, one table
// row per case; a registry check that every op is fully declared and has
// cases here.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/op/op.h"
#include "core/symbol/symbol.h"
#include "ops/custom/native_op.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using ShapeMap = std::vector<std::pair<std::string, Shape>>;

struct ShapeCase {
  std::string op;
  AttrDict params;
  // Known shapes by input name (data, label, arg0, ...).
  ShapeMap given;
  // Expected visible outputs.
  std::vector<Shape> outputs;
  // Expected inferred shapes of other inputs by name (weight, moving_mean).
  ShapeMap inferred = {};
};

std::ostream& operator<<(std::ostream& os, const ShapeCase& c) {
  os << c.op;
  for (const auto& [k, v] : c.params) os << " " << k << "=" << v;
  for (const auto& [k, v] : c.given) os << " " << k << ":" << v;
  return os;
}

// An op node named "n" whose inputs are all free variables "n_<input>".
Symbol MakeNode(const std::string& op, const AttrDict& params) {
  Kwargs kwargs = {{"name", "n"}};
  for (const auto& [k, v] : params) kwargs.emplace_back(k, v);
  return Symbol::Create(op, {}, kwargs);
}

std::map<std::string, PartialShape> Known(const ShapeMap& given) {
  std::map<std::string, PartialShape> known;
  for (const auto& [name, shape] : given) known["n_" + name] = shape;
  return known;
}

// The elementwise, reduction, axis, indexing and normalization ops.
void AddMathAndLayoutCases(std::vector<ShapeCase>* cases) {
  for (const char* op :
       {"abs",        "sign",    "round",       "rint",
        "ceil",       "floor",   "trunc",       "negative",
        "reciprocal", "square",  "sqrt",        "rsqrt",
        "cbrt",       "exp",     "expm1",       "log",
        "log2",       "log10",   "log1p",       "sin",
        "cos",        "tan",     "arcsin",      "arccos",
        "arctan",     "sinh",    "cosh",        "tanh",
        "arcsinh",    "arccosh", "arctanh",     "degrees",
        "radians",    "sigmoid", "relu",        "softsign",
        "erf",        "gelu",    "_copy",       "BlockGrad",
        "MakeLoss",   "softmax", "log_softmax", "SoftmaxActivation"}) {
    cases->push_back({op, {}, {{"data", {2, 3}}}, {{2, 3}}});
  }
  cases->push_back(
      {"clip", {{"a_min", "0"}, {"a_max", "1"}}, {{"data", {4}}}, {{4}}});
  cases->push_back(
      {"smooth_l1", {{"scalar", "1"}}, {{"data", {2, 3}}}, {{2, 3}}});
  for (const char* base :
       {"add", "sub", "mul", "div", "mod", "power", "maximum", "minimum",
        "hypot", "equal", "not_equal", "greater", "greater_equal", "lesser",
        "lesser_equal", "logical_and", "logical_or", "logical_xor"}) {
    const std::string b = base;
    cases->push_back({"broadcast_" + b,
                      {},
                      {{"lhs", {2, 1, 4}}, {"rhs", {3, 1}}},
                      {{2, 3, 4}}});
    if (b == "add" || b == "sub" || b == "mul" || b == "div" || b == "power") {
      continue;
    }
    cases->push_back(
        {"_" + b, {}, {{"lhs", {3, 2}}}, {{3, 2}}, {{"rhs", {3, 2}}}});
    if (b != "maximum" && b != "minimum") {
      cases->push_back(
          {"_" + b + "_scalar", {{"scalar", "1"}}, {{"data", {5}}}, {{5}}});
    }
  }
  for (const char* op :
       {"sum", "mean", "prod", "max", "min", "nansum", "nanprod", "norm"}) {
    cases->push_back({op, {}, {{"data", {2, 3, 4}}}, {{1}}});
    cases->push_back({op, {{"axis", "(0, 2)"}}, {{"data", {2, 3, 4}}}, {{3}}});
    cases->push_back({op,
                      {{"axis", "-1"}, {"keepdims", "True"}},
                      {{"data", {2, 3, 4}}},
                      {{2, 3, 1}}});
  }
  cases->push_back({"sum",
                    {{"axis", "1"}, {"exclude", "True"}},
                    {{"data", {2, 3, 4}}},
                    {{3}}});
  const std::vector<ShapeCase> more = {
      {"broadcast_to", {{"shape", "(3, 0)"}}, {{"data", {1, 4}}}, {{3, 4}}},
      {"broadcast_axis",
       {{"axis", "1"}, {"size", "5"}},
       {{"data", {2, 1}}},
       {{2, 5}}},
      {"transpose", {}, {{"data", {2, 3, 4}}}, {{4, 3, 2}}},
      {"transpose",
       {{"axes", "(0, 2, 1)"}},
       {{"data", {2, 3, 4}}},
       {{2, 4, 3}}},
      {"SwapAxis",
       {{"dim1", "1"}, {"dim2", "0"}},
       {{"data", {2, 3}}},
       {{3, 2}}},
      {"expand_dims", {{"axis", "0"}}, {{"data", {2, 3}}}, {{1, 2, 3}}},
      {"squeeze", {}, {{"data", {2, 1, 3, 1}}}, {{2, 3}}},
      {"slice_axis",
       {{"axis", "0"}, {"begin", "1"}, {"end", "-1"}},
       {{"data", {5, 2}}},
       {{3, 2}}},
      {"Crop",
       {{"num_args", "1"}, {"h_w", "(2, 3)"}},
       {{"data", {1, 3, 5, 5}}},
       {{1, 3, 2, 3}}},
      {"dot", {}, {{"lhs", {2, 3}}, {"rhs", {3, 5}}}, {{2, 5}}},
      {"dot",
       {{"transpose_a", "True"}},
       {{"lhs", {3, 2, 4}}, {"rhs", {3, 5}}},
       {{2, 4, 5}}},
      {"batch_dot",
       {{"transpose_b", "True"}},
       {{"lhs", {4, 2, 3}}, {"rhs", {4, 5, 3}}},
       {{4, 2, 5}}},
      {"LayerNorm",
       {},
       {{"data", {2, 3, 8}}},
       {{2, 3, 8}},
       {{"gamma", {8}}, {"beta", {8}}}},
      {"LayerNorm",
       {{"axis", "1"}, {"output_mean_var", "True"}},
       {{"data", {2, 3, 8}}},
       {{2, 3, 8}, {2, 1, 8}, {2, 1, 8}},
       {{"gamma", {3}}}},
      {"InstanceNorm",
       {},
       {{"data", {2, 3, 4, 4}}},
       {{2, 3, 4, 4}},
       {{"gamma", {3}}, {"beta", {3}}}},
      {"L2Normalization", {}, {{"data", {2, 3, 4}}}, {{2, 3, 4}}},
      {"one_hot", {{"depth", "4"}}, {{"indices", {2, 3}}}, {{2, 3, 4}}},
      {"argmax", {{"axis", "1"}}, {{"data", {2, 3, 4}}}, {{2, 4}}},
      {"argmin", {}, {{"data", {2, 3, 4}}}, {{1}}},
      {"argmax_channel", {}, {{"data", {6, 10}}}, {{6}}},
      {"topk", {{"k", "2"}}, {{"data", {3, 5}}}, {{3, 2}}},
      {"topk",
       {{"k", "2"}, {"ret_typ", "both"}, {"axis", "0"}},
       {{"data", {3, 5}}},
       {{2, 5}, {2, 5}}},
      {"topk", {{"ret_typ", "mask"}}, {{"data", {3, 5}}}, {{3, 5}}},
      {"take",
       {{"axis", "1"}},
       {{"a", {2, 6, 3}}, {"indices", {4, 5}}},
       {{2, 4, 5, 3}}},
      {"pick", {}, {{"data", {4, 7}}}, {{4}}, {{"index", {4}}}},
      {"where",
       {},
       {{"condition", {3}}, {"x", {3, 2}}},
       {{3, 2}},
       {{"y", {3, 2}}}},
      {"_random_uniform", {{"shape", "(2, 5)"}}, {}, {{2, 5}}},
      {"_random_normal", {{"shape", "(3,)"}}, {}, {{3}}},
      {"MAERegressionOutput",
       {},
       {{"data", {4, 1}}},
       {{4, 1}},
       {{"label", {4}}}},
      {"reverse", {{"axis", "(1,)"}}, {{"data", {2, 3}}}, {{2, 3}}},
      {"repeat",
       {{"repeats", "2"}, {"axis", "0"}},
       {{"data", {2, 3}}},
       {{4, 3}}},
      {"tile", {{"reps", "(2, 2)"}}, {{"data", {3}}}, {{2, 6}}},
      {"slice",
       {{"begin", "(1, None)"}, {"end", "(None, -1)"}},
       {{"data", {4, 5, 6}}},
       {{3, 4, 6}}},
      {"_slice_assign",
       {{"begin", "(0,)"}, {"end", "(2,)"}},
       {{"lhs", {4, 3}}},
       {{4, 3}},
       {{"rhs", {2, 3}}}},
      {"Pad",
       {{"pad_width", "(0,0, 0,0, 1,2, 3,4)"}},
       {{"data", {2, 3, 3, 5}}},
       {{2, 3, 6, 12}}},
      {"SVMOutput", {}, {{"data", {4, 7}}}, {{4, 7}}, {{"label", {4}}}},
      {"SpatialTransformer",
       {{"target_shape", "(3, 4)"},
        {"transform_type", "affine"},
        {"sampler_type", "bilinear"}},
       {{"data", {2, 3, 8, 8}}},
       {{2, 3, 3, 4}},
       {{"loc", {2, 6}}}},
      {"SequenceMask",
       {{"use_sequence_length", "True"}},
       {{"data", {5, 3, 2}}},
       {{5, 3, 2}},
       {{"sequence_length", {3}}}},
      {"SequenceLast",
       {{"use_sequence_length", "True"}, {"axis", "1"}},
       {{"data", {3, 5, 2}}},
       {{3, 2}},
       {{"sequence_length", {3}}}},
      {"SequenceReverse", {}, {{"data", {5, 3}}}, {{5, 3}}},
      {"Correlation",
       {{"max_displacement", "4"}, {"stride2", "2"}, {"pad_size", "4"}},
       {{"data1", {2, 8, 10, 12}}},
       {{2, 25, 10, 12}},
       {{"data2", {2, 8, 10, 12}}}},
      {"ROIPooling",
       {{"pooled_size", "(2, 3)"}, {"spatial_scale", "0.0625"}},
       {{"data", {2, 8, 14, 14}}, {"rois", {5, 5}}},
       {{5, 8, 2, 3}}},
  };
  cases->insert(cases->end(), more.begin(), more.end());
}

std::vector<ShapeCase> BuildCases() {
  std::vector<ShapeCase> cases = {
      // FullyConnected: data flattens to (N, K).
      {"FullyConnected",
       {{"num_hidden", "10"}},
       {{"data", {5, 3, 4, 4}}},
       {{5, 10}},
       {{"weight", {10, 48}}, {"bias", {10}}}},
      {"FullyConnected",
       {{"num_hidden", "10"}, {"flatten", "False"}},
       {{"data", {5, 3, 4}}},
       {{5, 3, 10}},
       {{"weight", {10, 4}}}},
      {"FullyConnected",
       {{"num_hidden", "2"}, {"no_bias", "True"}},
       {{"data", {7, 3}}},
       {{7, 2}},
       {{"weight", {2, 3}}}},
      // Convolution: floor((x + 2p - d(k-1) - 1) / s) + 1.
      {"Convolution",
       {{"kernel", "(3, 3)"}, {"num_filter", "4"}},
       {{"data", {2, 3, 7, 9}}},
       {{2, 4, 5, 7}},
       {{"weight", {4, 3, 3, 3}}, {"bias", {4}}}},
      {"Convolution",
       {{"kernel", "(3, 3)"},
        {"num_filter", "4"},
        {"stride", "(2, 2)"},
        {"pad", "(1, 1)"}},
       {{"data", {2, 3, 7, 9}}},
       {{2, 4, 4, 5}}},
      {"Convolution",
       {{"kernel", "(3, 3)"}, {"num_filter", "4"}, {"dilate", "(2, 2)"}},
       {{"data", {2, 3, 7, 9}}},
       {{2, 4, 3, 5}}},
      {"Convolution",
       {{"kernel", "(1, 1)"}, {"num_filter", "6"}, {"num_group", "2"}},
       {{"data", {2, 4, 5, 5}}},
       {{2, 6, 5, 5}},
       {{"weight", {6, 2, 1, 1}}}},
      {"Convolution",
       {{"kernel", "(3,)"}, {"num_filter", "4"}},
       {{"data", {2, 3, 10}}},
       {{2, 4, 8}},
       {{"weight", {4, 3, 3}}}},
      {"Convolution",
       {{"kernel", "(3, 3, 3)"}, {"num_filter", "4"}, {"no_bias", "True"}},
       {{"data", {1, 2, 5, 6, 7}}},
       {{1, 4, 3, 4, 5}},
       {{"weight", {4, 2, 3, 3, 3}}}},
      // Deconvolution: s(x - 1) + d(k - 1) + 1 - 2p + adj.
      {"Deconvolution",
       {{"kernel", "(3, 3)"},
        {"num_filter", "6"},
        {"stride", "(2, 2)"},
        {"pad", "(1, 1)"},
        {"adj", "(1, 1)"}},
       {{"data", {2, 3, 4, 5}}},
       {{2, 6, 8, 10}},
       {{"weight", {3, 6, 3, 3}}}},
      {"Deconvolution",
       {{"kernel", "(3, 3)"},
        {"num_filter", "6"},
        {"stride", "(2, 2)"},
        {"target_shape", "(8, 10)"},
        {"num_group", "3"},
        {"no_bias", "False"}},
       {{"data", {2, 3, 4, 5}}},
       {{2, 6, 8, 10}},
       {{"weight", {3, 2, 3, 3}}, {"bias", {6}}}},
      {"Deconvolution",
       {{"kernel", "(4,)"}, {"num_filter", "2"}},
       {{"data", {1, 3, 5}}},
       {{1, 2, 8}}},
      // Pooling: valid floor, full ceil.
      {"Pooling",
       {{"kernel", "(2, 2)"}, {"stride", "(2, 2)"}},
       {{"data", {1, 1, 7, 7}}},
       {{1, 1, 3, 3}}},
      {"Pooling",
       {{"kernel", "(2, 2)"},
        {"stride", "(2, 2)"},
        {"pooling_convention", "full"}},
       {{"data", {1, 1, 7, 7}}},
       {{1, 1, 4, 4}}},
      {"Pooling",
       {{"kernel", "(2, 2)"},
        {"stride", "(2, 2)"},
        {"pad", "(1, 1)"},
        {"pool_type", "avg"}},
       {{"data", {1, 1, 7, 7}}},
       {{1, 1, 4, 4}}},
      {"Pooling",
       {{"kernel", "(2, 2)"},
        {"stride", "(2, 2)"},
        {"pad", "(1, 1)"},
        {"pooling_convention", "full"}},
       {{"data", {1, 1, 7, 7}}},
       {{1, 1, 5, 5}}},
      {"Pooling",
       {{"kernel", "(3, 3)"}, {"pool_type", "avg"}, {"global_pool", "True"}},
       {{"data", {2, 3, 5, 6}}},
       {{2, 3, 1, 1}}},
      {"Pooling",
       {{"global_pool", "True"}, {"pool_type", "sum"}},
       {{"data", {2, 3, 5}}},
       {{2, 3, 1}}},
      {"Pooling",
       {{"kernel", "(3,)"},
        {"stride", "(3,)"},
        {"pool_type", "sum"},
        {"pooling_convention", "full"}},
       {{"data", {2, 3, 10}}},
       {{2, 3, 4}}},
      {"Activation", {{"act_type", "softsign"}}, {{"data", {2, 3}}}, {{2, 3}}},
      {"LeakyReLU",
       {{"act_type", "prelu"}},
       {{"data", {2, 5, 3}}},
       {{2, 5, 3}},
       {{"gamma", {5}}}},
      {"LeakyReLU", {{"act_type", "rrelu"}}, {{"data", {4, 2}}}, {{4, 2}}},
      {"LeakyReLU",
       {{"act_type", "elu"}, {"slope", "1.0"}},
       {{"data", {4}}},
       {{4}}},
      {"BatchNorm",
       {},
       {{"data", {4, 3, 5, 5}}},
       {{4, 3, 5, 5}},
       {{"gamma", {3}},
        {"beta", {3}},
        {"moving_mean", {3}},
        {"moving_var", {3}}}},
      {"BatchNorm",
       {{"axis", "-1"}, {"output_mean_var", "True"}},
       {{"data", {4, 5, 6}}},
       {{4, 5, 6}, {6}, {6}},
       {{"gamma", {6}}}},
      {"_contrib_BatchNormWithReLU",
       {},
       {{"data", {4, 3, 5, 5}}},
       {{4, 3, 5, 5}},
       {{"gamma", {3}},
        {"beta", {3}},
        {"moving_mean", {3}},
        {"moving_var", {3}}}},
      {"Dropout", {{"p", "0.3"}}, {{"data", {3, 4}}}, {{3, 4}}},
      {"SoftmaxOutput", {}, {{"data", {8, 10}}}, {{8, 10}}, {{"label", {8}}}},
      {"SoftmaxOutput",
       {{"multi_output", "True"}},
       {{"data", {2, 3, 4, 5}}},
       {{2, 3, 4, 5}},
       {{"label", {2, 20}}}},
      {"SoftmaxOutput",
       {{"multi_output", "True"}},
       {{"data", {2, 3, 4, 5}}, {"label", {2, 4, 5}}},
       {{2, 3, 4, 5}}},
      {"SoftmaxOutput",
       {{"preserve_shape", "True"}},
       {{"data", {2, 3, 4}}},
       {{2, 3, 4}},
       {{"label", {2, 3}}}},
      {"SoftmaxOutput", {}, {{"data", {8, 10}}, {"label", {8, 10}}}, {{8, 10}}},
      {"LinearRegressionOutput",
       {},
       {{"data", {3, 1}}},
       {{3, 1}},
       {{"label", {3}}}},
      {"LinearRegressionOutput",
       {},
       {{"data", {3, 2}}},
       {{3, 2}},
       {{"label", {3, 2}}}},
      {"LogisticRegressionOutput",
       {},
       {{"data", {3, 1}}, {"label", {3}}},
       {{3, 1}}},
      {"Flatten", {}, {{"data", {2, 3, 4, 5}}}, {{2, 60}}},
      // Reshape: MXNet's documented examples.
      {"Reshape", {{"shape", "(4, 0, 2)"}}, {{"data", {2, 3, 4}}}, {{4, 3, 2}}},
      {"Reshape", {{"shape", "(2, 0, 0)"}}, {{"data", {2, 3, 4}}}, {{2, 3, 4}}},
      {"Reshape",
       {{"shape", "(6, 1, -1)"}},
       {{"data", {2, 3, 4}}},
       {{6, 1, 4}}},
      {"Reshape",
       {{"shape", "(3, -1, 8)"}},
       {{"data", {2, 3, 4}}},
       {{3, 1, 8}}},
      {"Reshape", {{"shape", "(-1,)"}}, {{"data", {2, 3, 4}}}, {{24}}},
      {"Reshape", {{"shape", "(2, -1)"}}, {{"data", {2, 3, 4}}}, {{2, 12}}},
      {"Reshape", {{"shape", "(-2,)"}}, {{"data", {2, 3, 4}}}, {{2, 3, 4}}},
      {"Reshape", {{"shape", "(2, -2)"}}, {{"data", {2, 3, 4}}}, {{2, 3, 4}}},
      {"Reshape",
       {{"shape", "(-2, 1, 1)"}},
       {{"data", {2, 3, 4}}},
       {{2, 3, 4, 1, 1}}},
      {"Reshape", {{"shape", "(-3, 4)"}}, {{"data", {2, 3, 4}}}, {{6, 4}}},
      {"Reshape", {{"shape", "(-3, -3)"}}, {{"data", {2, 3, 4, 5}}}, {{6, 20}}},
      {"Reshape", {{"shape", "(0, -3)"}}, {{"data", {2, 3, 4}}}, {{2, 12}}},
      {"Reshape", {{"shape", "(-3, -2)"}}, {{"data", {2, 3, 4}}}, {{6, 4}}},
      {"Reshape",
       {{"shape", "(-4, 1, 2, -2)"}},
       {{"data", {2, 3, 4}}},
       {{1, 2, 3, 4}}},
      {"Reshape",
       {{"shape", "(2, -4, -1, 3, -2)"}},
       {{"data", {2, 3, 4}}},
       {{2, 1, 3, 4}}},
      {"Reshape", {{"shape", "(-1, 0)"}}, {{"data", {10, 5, 4}}}, {{40, 5}}},
      {"Reshape",
       {{"shape", "(-1, 0)"}, {"reverse", "True"}},
       {{"data", {10, 5, 4}}},
       {{50, 4}}},
      {"Reshape",
       {{"target_shape", "(0, 4)"}},
       {{"data", {2, 3, 4}}},
       {{6, 4}}},
      {"Reshape",
       {{"target_shape", "(1, 12)"}, {"keep_highest", "True"}},
       {{"data", {2, 3, 4}}},
       {{2, 12}}},
      {"Concat",
       {{"num_args", "2"}},
       {{"arg0", {2, 3, 4}}, {"arg1", {2, 5, 4}}},
       {{2, 8, 4}}},
      {"Concat",
       {{"num_args", "2"}, {"dim", "0"}},
       {{"arg0", {2, 3}}, {"arg1", {4, 3}}},
       {{6, 3}}},
      {"Concat",
       {{"num_args", "3"}, {"dim", "-1"}},
       {{"arg0", {2, 3}}, {"arg1", {2, 4}}, {"arg2", {2, 1}}},
       {{2, 8}}},
      {"add_n",
       {{"num_args", "3"}},
       {{"arg1", {2, 3}}},
       {{2, 3}},
       {{"arg0", {2, 3}}, {"arg2", {2, 3}}}},
      {"SliceChannel",
       {{"num_outputs", "3"}},
       {{"data", {2, 6, 4}}},
       {{2, 2, 4}, {2, 2, 4}, {2, 2, 4}}},
      {"SliceChannel",
       {{"num_outputs", "2"}, {"axis", "2"}},
       {{"data", {2, 6, 4}}},
       {{2, 6, 2}, {2, 6, 2}}},
      {"SliceChannel",
       {{"num_outputs", "3"}, {"squeeze_axis", "True"}},
       {{"data", {2, 3, 4}}},
       {{2, 4}, {2, 4}, {2, 4}}},
      {"Embedding",
       {{"input_dim", "10"}, {"output_dim", "3"}},
       {{"data", {4, 5}}},
       {{4, 5, 3}},
       {{"weight", {10, 3}}}},
      {"LRN", {{"nsize", "3"}}, {{"data", {2, 5, 4, 4}}}, {{2, 5, 4, 4}}},
      {"elemwise_add", {}, {{"lhs", {2, 3}}}, {{2, 3}}, {{"rhs", {2, 3}}}},
      {"_fused_add_relu", {}, {{"rhs", {2, 3}}}, {{2, 3}}, {{"lhs", {2, 3}}}},
      {"elemwise_sub", {}, {{"rhs", {4}}}, {{4}}, {{"lhs", {4}}}},
      {"elemwise_mul", {}, {{"lhs", {1, 2}}, {"rhs", {1, 2}}}, {{1, 2}}},
      {"elemwise_div", {}, {{"lhs", {3}}}, {{3}}},
      {"Cast", {{"dtype", "int32"}}, {{"data", {2, 7}}}, {{2, 7}}},
      // UpSampling: inputs upsample to the first one's extent times scale.
      {"UpSampling",
       {{"scale", "2"}, {"sample_type", "nearest"}, {"num_args", "2"}},
       {{"arg0", {1, 3, 5, 5}}, {"arg1", {1, 4, 1, 1}}},
       {{1, 7, 10, 10}}},
      {"UpSampling",
       {{"scale", "4"},
        {"sample_type", "bilinear"},
        {"num_filter", "3"},
        {"num_args", "1"}},
       {{"data", {1, 3, 5, 5}}},
       {{1, 3, 20, 20}},
       {{"weight", {3, 1, 8, 8}}}},
      {"_power", {}, {{"rhs", {2, 2}}}, {{2, 2}}, {{"lhs", {2, 2}}}},
  };
  for (const char* op :
       {"_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar",
        "_div_scalar", "_rdiv_scalar", "_power_scalar", "_rpower_scalar",
        "_maximum_scalar", "_minimum_scalar"}) {
    cases.push_back({op, {{"scalar", "2"}}, {{"data", {4, 1}}}, {{4, 1}}});
  }
  AddMathAndLayoutCases(&cases);
  // _Native: a loss-style op whose callback derives the label's shape.
  auto info = std::make_shared<ops::NativeOpInfo>();
  info->arguments = {"data", "label"};
  info->infer_shape = [](std::vector<Shape>* in) {
    (*in)[1] = Shape{(*in)[0][0]};
    return std::vector<Shape>{(*in)[0]};
  };
  info->forward = [](const std::vector<TensorView>&,
                     const std::vector<TensorView>&) {};
  info->backward =
      [](const std::vector<TensorView>&, const std::vector<TensorView>&,
         const std::vector<TensorView>&, const std::vector<TensorView>&) {};
  const int64_t id = ops::RegisterNativeOp(std::move(info));
  cases.push_back({"_Native",
                   {{"info", std::to_string(id)}, {"need_top_grad", "False"}},
                   {{"data", {8, 3}}},
                   {{8, 3}},
                   {{"label", {8}}}});
  return cases;
}

const std::vector<ShapeCase>& Cases() {
  static const std::vector<ShapeCase> cases = BuildCases();
  return cases;
}

class OpShapeTest : public ::testing::TestWithParam<ShapeCase> {};

TEST_P(OpShapeTest, InfersMxnetShapes) {
  const ShapeCase& c = GetParam();
  Symbol node = MakeNode(c.op, c.params);
  const Shapes shapes = node.InferShape(Known(c.given));
  EXPECT_EQ(shapes.outputs, c.outputs);
  const std::vector<std::string> args = node.ListArguments();
  const std::vector<std::string> aux = node.ListAuxiliaryStates();
  for (const auto& [name, expected] : c.inferred) {
    const std::string full = "n_" + name;
    auto it = std::find(args.begin(), args.end(), full);
    if (it != args.end()) {
      EXPECT_EQ(shapes.arguments[it - args.begin()], expected) << full;
      continue;
    }
    it = std::find(aux.begin(), aux.end(), full);
    ASSERT_NE(it, aux.end()) << full << " is not an input";
    EXPECT_EQ(shapes.aux_states[it - aux.begin()], expected) << full;
  }
  // The declaration is consistent with the node: backward reads existing
  // tensors only.
  const Node& n = *node.outputs()[0].node;
  // Every op has a gradient, or none of its arguments takes one (BlockGrad,
  // argmax, comparisons, sampling).
  if (!n.attrs.op->has_backward()) {
    const auto& none = n.attrs.op->no_gradient();
    for (const std::string& arg : n.attrs.op->ListArguments(n.attrs)) {
      EXPECT_NE(std::find(none.begin(), none.end(), arg), none.end())
          << c.op << ": no gradient declared, but '" << arg
          << "' is not marked NoGradient";
    }
    return;
  }
  const BackwardDeps deps = n.attrs.op->GetBackwardDeps(n.attrs);
  for (int i : deps.inputs) EXPECT_LT(i, static_cast<int>(n.inputs.size()));
  for (int i : deps.outputs) EXPECT_LT(i, static_cast<int>(n.num_outputs()));
  for (int i : deps.out_grads) EXPECT_LT(i, static_cast<int>(n.num_outputs()));
}

INSTANTIATE_TEST_SUITE_P(AllOps, OpShapeTest, ::testing::ValuesIn(Cases()));

TEST(OpRegistryTest, EveryOpIsDeclaredCompletelyAndHasShapeCases) {
  std::set<std::string> covered;
  for (const ShapeCase& c : Cases()) {
    covered.insert(OpRegistry::Global().Get(c.op).name());
  }
  const auto names = OpRegistry::Global().Names();
  EXPECT_GE(names.size(), 30u);
  for (const std::string& name : names) {
    const OpDef& op = OpRegistry::Global().Get(name);
    EXPECT_TRUE(covered.count(name)) << name << " has no shape case";
    EXPECT_FALSE(op.doc().empty()) << name;
    EXPECT_TRUE(op.infer_shape()) << name;
    for (const ParamField& f : op.schema().fields()) {
      EXPECT_FALSE(f.doc.empty()) << name << "." << f.name;
    }
  }
}

TEST(OpRegistryTest, MxnetNamesResolve) {
  const std::vector<std::pair<std::string, std::string>> names = {
      {"_Plus", "elemwise_add"},
      {"_plus", "elemwise_add"},
      {"_Minus", "elemwise_sub"},
      {"_Mul", "elemwise_mul"},
      {"_Div", "elemwise_div"},
      {"ElementWiseSum", "add_n"},
      {"_PlusScalar", "_plus_scalar"},
      {"_RMinusScalar", "_rminus_scalar"},
      {"_DivScalar", "_div_scalar"},
      {"Softmax", "SoftmaxOutput"},
      {"flatten", "Flatten"},
      {"reshape", "Reshape"},
      {"concat", "Concat"},
      {"split", "SliceChannel"},
      {"broadcast_plus", "broadcast_add"},
      {"broadcast_minus", "broadcast_sub"},
      {"_Maximum", "_maximum"},
      {"sum_axis", "sum"},
      {"max_axis", "max"},
      {"swapaxes", "SwapAxis"},
      {"stop_gradient", "BlockGrad"},
      {"make_loss", "MakeLoss"},
      {"identity", "_copy"},
      {"uniform", "_random_uniform"},
      {"random_normal", "_random_normal"},
      {"broadcast_axes", "broadcast_axis"},
      {"flip", "reverse"},
      {"crop", "slice"},
      {"_crop_assign", "_slice_assign"},
      {"pad", "Pad"},
      {"smooth_l1", "_smooth_l1_scalar"}};
  for (const auto& [alias, canonical] : names) {
    EXPECT_EQ(OpRegistry::Global().Get(alias).name(), canonical) << alias;
  }
}

struct ErrorCase {
  std::string op;
  AttrDict params;
  ShapeMap given;
  std::string message;
};

TEST(OpShapeErrors, NameTheOpNodeAndShapes) {
  const std::vector<ErrorCase> cases = {
      {"Convolution",
       {{"kernel", "(3, 3)"}, {"num_filter", "4"}},
       {{"data", {2, 3, 7}}},
       "Convolution 'n': data must be 4-D (N,C,H,W) for a 2-D kernel, got "
       "(2,3,7)"},
      {"Convolution",
       {{"kernel", "(3, 3)"}, {"num_filter", "4"}, {"num_group", "2"}},
       {{"data", {2, 3, 7, 7}}},
       "Convolution 'n': data has 3 channels, not divisible by num_group 2"},
      {"Convolution",
       {{"kernel", "(5, 5)"}, {"num_filter", "4"}},
       {{"data", {2, 3, 4, 9}}},
       "is larger than the padded input along spatial axis 0 (4 + 2*0)"},
      {"Convolution",
       {{"kernel", "(3, 3)"}, {"num_filter", "4"}},
       {{"data", {2, 3, 7, 7}}, {"weight", {4, 2, 3, 3}}},
       "Convolution 'n': weight 'n_weight' has shape (4,2,3,3) but the op "
       "expects (4,3,3,3)"},
      {"Pooling",
       {{"kernel", "(3, 3)"}},
       {{"data", {1, 1, 2, 5}}},
       "Pooling 'n': kernel 3 is larger than the padded input"},
      {"Reshape",
       {{"shape", "(5, 5)"}},
       {{"data", {2, 3, 4}}},
       "Reshape 'n': cannot reshape (2,3,4) (24 elements) to (5,5) (25 "
       "elements)"},
      {"Reshape",
       {{"shape", "(-1, -1)"}},
       {{"data", {2, 3, 4}}},
       "more than one -1"},
      {"Reshape",
       {{"shape", "(-4, 5, -1)"}},
       {{"data", {2, 3, 4}}},
       "cannot split dimension 2 into 5 x -1"},
      {"Reshape",
       {{"shape", "(5, 0, 0, 0)"}},
       {{"data", {2, 3, 4}}},
       "needs more input dimensions than data has"},
      {"Concat",
       {{"num_args", "2"}},
       {{"arg0", {2, 3, 4}}, {"arg1", {2, 5, 5}}},
       "Concat 'n': inputs differ outside the concatenation axis 1"},
      {"Concat",
       {{"num_args", "2"}, {"dim", "3"}},
       {{"arg0", {2, 3, 4}}, {"arg1", {2, 5, 4}}},
       "dim=3 is out of range for 3-D data"},
      {"SliceChannel",
       {{"num_outputs", "2"}},
       {{"data", {2, 5}}},
       "SliceChannel 'n': axis 1 has extent 5, not divisible by num_outputs 2"},
      {"SliceChannel",
       {{"num_outputs", "2"}, {"squeeze_axis", "1"}},
       {{"data", {2, 4}}},
       "squeeze_axis needs axis 1 to have extent"},
      {"elemwise_add",
       {},
       {{"lhs", {2, 3}}, {"rhs", {3, 2}}},
       "elemwise_add 'n': rhs 'n_rhs' has shape (3,2) but the op expects "
       "(2,3)"},
      {"BatchNorm",
       {{"axis", "3"}},
       {{"data", {2, 3}}},
       "BatchNorm 'n': axis=3 is out of range for 2-D data"},
      {"LinearRegressionOutput",
       {},
       {{"data", {3, 2}}, {"label", {4, 2}}},
       "label (4,2) does not match data (3,2)"},
      {"LRN", {{"nsize", "3"}}, {{"data", {2, 3}}}, "data must be 4-D"},
      {"Deconvolution",
       {{"kernel", "(3, 3)"},
        {"num_filter", "2"},
        {"target_shape", "(50, 50)"}},
       {{"data", {1, 2, 4, 4}}},
       "target_shape (50, 50) is larger"},
      {"broadcast_add",
       {},
       {{"lhs", {4, 5}}, {"rhs", {3, 5}}},
       "broadcast_add 'n': shapes (4,5) and (3,5) do not broadcast: axis 0 "
       "has extents 4 and 3"},
      {"sum",
       {{"axis", "3"}},
       {{"data", {2, 3, 4}}},
       "sum 'n': axis 3 is out of range for 3-d data; expected -3 <= axis < "
       "3"},
      {"sum", {{"axis", "(1, -2)"}}, {{"data", {2, 3, 4}}}, "named twice"},
      {"broadcast_to",
       {{"shape", "(4, 4)"}},
       {{"data", {2, 4}}},
       "axis 0 of extent 2 cannot be broadcast to 4"},
      {"transpose",
       {{"axes", "(0, 0, 1)"}},
       {{"data", {2, 3, 4}}},
       "transpose 'n': axes (0, 0, 1) is not a permutation"},
      {"transpose",
       {{"axes", "(1, 0)"}},
       {{"data", {2, 3, 4}}},
       "has 2 entries"},
      {"slice_axis",
       {{"axis", "1"}, {"begin", "2"}, {"end", "2"}},
       {{"data", {2, 3}}},
       "is empty or out of range"},
      {"squeeze", {{"axis", "0"}}, {{"data", {2, 1}}}, "expected 1 to squeeze"},
      {"reverse",
       {{"axis", "(1, -1)"}},
       {{"data", {2, 3}}},
       "reverse 'n': axis (1, -1) names axis 1 twice"},
      {"Pad",
       {{"pad_width", "(1, 1)"}},
       {{"data", {2, 3}}},
       "pad_width (1, 1) has 2 entries; expected 2 * 2"},
      {"Pad",
       {{"mode", "reflect"}, {"pad_width", "(0,0, 3,0)"}},
       {{"data", {2, 3}}},
       "reflect mode pads axis 1 (extent 3) by 3; expected at most 2"},
      {"SVMOutput", {}, {{"data", {4}}}, "must have at least 2 axes"},
      // Output extents grown by parameters past int64 (they wrapped to 0).
      {"tile",
       {{"reps", "(4611686018427387904,)"}},
       {{"data", {4}}},
       "tile 'n': the output's axis 0 (4 * 4611686018427387904 + 0 elements) "
       "does not fit in int64"},
      {"repeat",
       {{"repeats", "4611686018427387904"}, {"axis", "0"}},
       {{"data", {4, 2}}},
       "does not fit in int64"},
      {"Pad",
       {{"pad_width", "(0,0, 1,9223372036854775807)"}},
       {{"data", {1, 4}}},
       "the output's axis 1 (5 * 1 + 9223372036854775807 elements) does not "
       "fit in int64"},
      {"UpSampling",
       {{"scale", "4611686018427387904"},
        {"sample_type", "nearest"},
        {"num_args", "1"}},
       {{"arg0", {1, 1, 4, 4}}},
       "does not fit in int64"},
      {"SpatialTransformer",
       {{"transform_type", "affine"}, {"sampler_type", "bilinear"}},
       {{"data", {2, 3, 8}}},
       "data (2,3,8) must be 4-D (N,C,H,W)"},
      {"repeat",
       {{"repeats", "2"}, {"axis", "2"}},
       {{"data", {2, 3}}},
       "repeat 'n': axis 2 is out of range"},
      {"UpSampling",
       {{"scale", "2"},
        {"sample_type", "bilinear"},
        {"num_filter", "3"},
        {"num_args", "1"}},
       {{"data", {1, 4, 5, 5}}},
       "data has 4 channels; bilinear needs num_filter (3) equal to them"},
      {"SequenceMask",
       {},
       {{"data", {5}}},
       "must have at least 2 axes (time and batch)"},
      {"SequenceLast",
       {{"use_sequence_length", "True"}},
       {{"data", {5, 3}}, {"sequence_length", {5}}},
       "sequence_length"},
      {"Correlation",
       {{"kernel_size", "2"}},
       {{"data1", {1, 1, 8, 8}}},
       "kernel_size 2 must be odd"},
      {"Correlation",
       {{"max_displacement", "4"}},
       {{"data1", {1, 1, 8, 8}}},
       "is too small for max_displacement 4"},
      {"slice",
       {{"begin", "(0, 0, 0)"}, {"end", "(1, 1, 1)"}},
       {{"data", {2, 3}}},
       "must have one entry per sliced axis (step may be ()), at most 2"},
      {"slice",
       {{"begin", "(0,)"}, {"end", "(2,)"}, {"step", "(0,)"}},
       {{"data", {2, 3}}},
       "slice 'n': step of axis 0 is 0"},
      {"_slice_assign",
       {{"begin", "(0,)"}, {"end", "(2,)"}},
       {{"lhs", {4, 3}}, {"rhs", {3, 3}}},
       "rhs"},
      {"ROIPooling",
       {{"pooled_size", "(2, 2)"}, {"spatial_scale", "1"}},
       {{"data", {1, 3, 8, 8}}, {"rois", {2, 4}}},
       "rois (2,4) must be (R, 5)"},
      {"Crop",
       {{"num_args", "1"}, {"h_w", "(9, 2)"}},
       {{"data", {1, 1, 4, 4}}},
       "does not fit data (1,1,4,4)"},
      {"dot",
       {},
       {{"lhs", {2, 3}}, {"rhs", {4, 5}}},
       "dot 'n': lhs (2,3) and rhs (4,5) do not match: the summed axes have "
       "extents 3 and 4"},
      {"batch_dot", {}, {{"lhs", {2, 3}}, {"rhs", {2, 3}}}, "expected 3-d"},
      {"topk", {{"k", "6"}}, {{"data", {2, 5}}}, "k = 6 exceeds the extent 5"},
      {"softmax",
       {{"axis", "2"}},
       {{"data", {2, 5}}},
       "axis 2 is out of range"},
      {"where",
       {},
       {{"condition", {2, 2}}, {"x", {3, 2}}},
       "condition (2,2) must have x's shape (3,2)"},
      {"InstanceNorm", {}, {{"data", {2, 3}}}, "expected at least 3"},
  };
  for (const ErrorCase& c : cases) {
    const std::string message = testing::MessageOf(
        [&] { MakeNode(c.op, c.params).InferShape(Known(c.given)); });
    EXPECT_NE(message.find(c.message), std::string::npos)
        << c.op << ": " << message;
  }
}

TEST(OpParamErrors, ChecksBetweenFields) {
  const std::vector<std::pair<AttrDict, std::string>> deconv = {
      {{{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"adj", "(1, 1)"}},
       "adj (1, 1) must be smaller than stride (1, 1)"},
      {{{"kernel", "(3, 3)"}, {"num_filter", "3"}, {"num_group", "2"}},
       "num_filter 3 is not divisible by num_group 2"},
      {{{"kernel", "(3, 3)"}, {"num_filter", "2"}, {"layout", "NHWC"}},
       "layout NHWC is not supported"},
  };
  for (const auto& [params, message] : deconv) {
    const std::string got =
        testing::MessageOf([&] { MakeNode("Deconvolution", params); });
    EXPECT_NE(got.find("Deconvolution 'n': " + message), std::string::npos)
        << got;
  }
  EXPECT_NE(testing::MessageOf([] {
              MakeNode("Pooling", {});
            }).find("Pooling 'n': kernel is required unless global_pool"),
            std::string::npos);
  EXPECT_NE(testing::MessageOf([] {
              MakeNode("LRN", {{"nsize", "4"}});
            }).find("nsize must be odd"),
            std::string::npos);
  EXPECT_NE(testing::MessageOf([] {
              MakeNode("Reshape", {});
            }).find("shape is required"),
            std::string::npos);
  EXPECT_NE(testing::MessageOf([] {
              MakeNode("clip", {{"a_min", "1"}, {"a_max", "0"}});
            }).find("clip 'n': a_min must not exceed a_max"),
            std::string::npos);
  EXPECT_NE(testing::MessageOf([] {
              MakeNode("broadcast_axis", {{"axis", "(0, 1)"}, {"size", "3"}});
            }).find("axis and size must have the same length"),
            std::string::npos);
  EXPECT_NE(testing::MessageOf([] {
              MakeNode("Convolution",
                       {{"kernel", "(1, 1, 1, 1)"}, {"num_filter", "1"}});
            }).find("1-D, 2-D and 3-D windows are supported"),
            std::string::npos);
}

TEST(OpShapeInference, PartialAndBackwardThroughTheGraph) {
  // Unknown batch: weights are still inferred, outputs keep the unknown.
  Symbol fc = MakeNode("FullyConnected", {{"num_hidden", "10"}});
  PartialShapes partial =
      fc.InferShapePartial({{"n_data", PartialShape{-1, 100}}});
  EXPECT_FALSE(partial.complete);
  EXPECT_EQ(partial.arguments[1], PartialShape({10, 100}));
  EXPECT_EQ(partial.outputs[0], PartialShape({-1, 10}));
  EXPECT_NE(testing::MessageOf([&] {
              fc.InferShape({{"n_data", PartialShape{-1, 100}}});
            })
                .find("cannot infer the shapes of arguments n_data; outputs "
                      "n_output"),
            std::string::npos);
  // A concat input inferred from the output through an elementwise sum.
  Symbol a = Symbol::Variable("a"), b = Symbol::Variable("b");
  Symbol x = Symbol::Variable("x");
  Symbol net = Symbol::Create("Concat", {a, b}, {{"name", "c"}}) + x;
  Shapes s = net.InferShape({{"a", Shape{2, 3, 4}}, {"x", Shape{2, 5, 4}}});
  EXPECT_EQ(s.arguments, (std::vector<Shape>{{2, 3, 4}, {2, 2, 4}, {2, 5, 4}}));
  // Shape hints on variables.
  VariableOptions hint;
  hint.shape = PartialShape{8, 20};
  Symbol hinted = Symbol::Create(
      "FullyConnected", {Symbol::Variable("d", hint)}, {{"num_hidden", 3}});
  EXPECT_EQ(hinted.InferShape({}).outputs[0], (Shape{8, 3}));
  EXPECT_NE(testing::MessageOf([&] {
              hinted.InferShape({{"dd", Shape{1}}});
            })
                .find("'dd' is not an argument or auxiliary state of the "
                      "symbol; did you mean 'd'?"),
            std::string::npos);
}

TEST(OpTypeInference, PropagatesAndChecks) {
  Symbol fc = MakeNode("FullyConnected", {{"num_hidden", "10"}});
  Types t = fc.InferType({{"n_data", DType::kFloat64}});
  EXPECT_EQ(t.arguments, (std::vector<DType>(3, DType::kFloat64)));
  EXPECT_EQ(t.outputs, (std::vector<DType>{DType::kFloat64}));
  Symbol emb = MakeNode("Embedding", {{"input_dim", "4"}, {"output_dim", "2"}});
  Types e = emb.InferType({});
  EXPECT_EQ(e.outputs[0], DType::kFloat32);
  EXPECT_EQ(e.arguments[0], DType::kFloat32);
  Symbol emb16 =
      MakeNode("Embedding",
               {{"input_dim", "4"}, {"output_dim", "2"}, {"dtype", "float16"}});
  EXPECT_EQ(emb16.InferType({{"n_data", DType::kInt32}}).outputs[0],
            DType::kFloat16);
  Symbol add = MakeNode("elemwise_add", {});
  EXPECT_NE(
      testing::MessageOf([&] {
        add.InferType({{"n_lhs", DType::kFloat32}, {"n_rhs", DType::kFloat64}});
      })
          .find("elemwise_add 'n': rhs 'n_rhs' has type float64 but the "
                "op expects float32"),
      std::string::npos);
  EXPECT_NE(testing::MessageOf([&] {
              add.InferType({});
            }).find("cannot infer the types of arguments n_lhs, n_rhs"),
            std::string::npos);
  PartialTypes partial = add.InferTypePartial({});
  EXPECT_EQ(partial.arguments, (std::vector<int>{kUnknownType, kUnknownType}));
}

}  // namespace
}  // namespace mx
