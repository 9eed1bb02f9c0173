// Converters of ONNX's neural-network operators: convolutions, Gemm /
// MatMul, normalizations, activations, pooling, softmax, dropout, padding
// and nearest-neighbour resizing. See Note [ONNX import].
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/base/strings.h"
#include "interop/onnx/import_context.h"

namespace mx {
namespace onnx_io {
namespace {

using onnx::TensorProto;

bool AllEqual(const std::vector<int64_t>& v, int64_t x) {
  return std::all_of(v.begin(), v.end(), [x](int64_t e) { return e == x; });
}

// Padding per spatial axis, begin and end.
struct Pads {
  std::vector<int64_t> begin, end;
  bool symmetric() const { return begin == end; }
  bool zero() const { return AllEqual(begin, 0) && AllEqual(end, 0); }
};

// The pads of a window op (Conv, pooling) from pads / auto_pad.
Pads WindowPads(NodeContext& c, const std::vector<int64_t>& x_dims,
                const std::vector<int64_t>& kernel,
                const std::vector<int64_t>& stride,
                const std::vector<int64_t>& dilate) {
  const size_t nd = kernel.size();
  const std::string auto_pad = c.String("auto_pad", "NOTSET");
  Pads p{std::vector<int64_t>(nd, 0), std::vector<int64_t>(nd, 0)};
  if (auto_pad == "NOTSET") {
    const std::vector<int64_t> pads = c.Ints("pads");
    if (!pads.empty()) {
      if (pads.size() != 2 * nd) {
        throw c.Invalid(StrCat("pads has ", pads.size(), " entries for ", nd,
                               " spatial axes"));
      }
      p.begin.assign(pads.begin(), pads.begin() + nd);
      p.end.assign(pads.begin() + nd, pads.end());
    }
    c.Ints("pads");
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    c.Ignore("pads");
    for (size_t i = 0; i < nd; ++i) {
      const int64_t in = x_dims.at(2 + i);
      if (in < 0) {
        throw c.Unsupported(
            "auto_pad SAME with spatial extents that are not "
            "static");
      }
      const int64_t out = (in + stride[i] - 1) / stride[i];
      const int64_t total = std::max<int64_t>(
          0, (out - 1) * stride[i] + (kernel[i] - 1) * dilate[i] + 1 - in);
      p.begin[i] = auto_pad == "SAME_LOWER" ? (total + 1) / 2 : total / 2;
      p.end[i] = total - p.begin[i];
    }
  } else if (auto_pad == "VALID") {
    c.Ignore("pads");
  } else {
    throw c.Invalid(StrCat("auto_pad '", auto_pad, "' is not an ONNX value"));
  }
  for (size_t i = 0; i < nd; ++i) {
    if (p.begin[i] < 0 || p.end[i] < 0) {
      throw c.Unsupported("negative pads");
    }
  }
  return p;
}

// An explicit Pad op in front of `x` (NC + spatial axes).
Symbol PadInput(NodeContext& c, const Symbol& x, const Pads& p, double value) {
  std::vector<int64_t> width = {0, 0, 0, 0};
  for (size_t i = 0; i < p.begin.size(); ++i) {
    width.push_back(p.begin[i]);
    width.push_back(p.end[i]);
  }
  return c.Op(
      "Pad", {x},
      {{"mode", "constant"}, {"pad_width", width}, {"constant_value", value}},
      "_pad");
}

std::vector<int64_t> Ones(size_t n) { return std::vector<int64_t>(n, 1); }

// Window geometry from the file: every entry of each list at least 1, one
// entry per spatial axis.
void CheckWindow(
    const NodeContext& c, size_t nd,
    std::initializer_list<std::pair<const char*, const std::vector<int64_t>*>>
        lists) {
  for (const auto& [name, v] : lists) {
    if (v->size() != nd) {
      throw c.Invalid(StrCat(name, " has ", v->size(), " entries for ", nd,
                             " spatial axes"));
    }
    for (int64_t x : *v) {
      if (x < 1) {
        throw c.Invalid(StrCat(name, " ", PythonTuple(*v),
                               " must be at least 1 on every axis"));
      }
    }
  }
}

void CheckGroup(const NodeContext& c, int64_t group, int64_t channels,
                int64_t filters) {
  if (group < 1 || (channels > 0 && channels % group != 0) ||
      (filters > 0 && filters % group != 0)) {
    throw c.Invalid(StrCat("group ", group, " does not divide the ", channels,
                           " channels and ", filters, " filters"));
  }
}

// The data, weight and window of Conv / ConvTranspose, validated.
struct ConvGeometry {
  std::vector<int64_t> x, w, kernel, stride, dilate;
  size_t nd = 0;
  int64_t group = 1;
};

ConvGeometry ReadConvGeometry(NodeContext& c) {
  ConvGeometry g;
  g.x = c.RequireDims(0, c.op_type());
  g.w = c.RequireDims(1, c.op_type() + "'s weight");
  if (g.w.size() < 3 || g.x.size() != g.w.size()) {
    throw c.Invalid(StrCat("weight ", PythonTuple(g.w), " does not fit data ",
                           PythonTuple(g.x)));
  }
  g.nd = g.w.size() - 2;
  g.kernel =
      c.Ints("kernel_shape", std::vector<int64_t>(g.w.begin() + 2, g.w.end()));
  g.stride = c.Ints("strides", Ones(g.nd));
  g.dilate = c.Ints("dilations", Ones(g.nd));
  g.group = c.Int("group", 1);
  CheckWindow(c, g.nd,
              {{"kernel_shape", &g.kernel},
               {"strides", &g.stride},
               {"dilations", &g.dilate}});
  return g;
}

void ConvertConv(NodeContext& c) {
  const ConvGeometry g = ReadConvGeometry(c);
  const std::vector<int64_t>&x = g.x, &w = g.w, &kernel = g.kernel,
        &stride = g.stride, &dilate = g.dilate;
  const size_t nd = g.nd;
  const int64_t group = g.group;
  CheckGroup(c, group, x[1], w[0]);
  const Pads pads = WindowPads(c, x, kernel, stride, dilate);
  Symbol data = c.Input(0);
  std::vector<int64_t> pad = pads.begin;
  if (!pads.symmetric()) {
    data = PadInput(c, data, pads, 0.0);
    pad.assign(nd, 0);
  }
  std::vector<Symbol> inputs = {data, c.Input(1, "weight")};
  if (c.HasInput(2)) inputs.push_back(c.Input(2, "bias"));
  if (w[0] < 0) throw c.Unsupported("the weight's shape is not static");
  c.SetOutput(0, c.Op("Convolution", inputs,
                      {{"kernel", kernel},
                       {"stride", stride},
                       {"dilate", dilate},
                       {"pad", pad},
                       {"num_filter", w[0]},
                       {"num_group", group},
                       {"no_bias", !c.HasInput(2)}}));
}

void ConvertConvTranspose(NodeContext& c) {
  const ConvGeometry g = ReadConvGeometry(c);
  const std::vector<int64_t>&x = g.x, &w = g.w, &kernel = g.kernel,
        &stride = g.stride, &dilate = g.dilate;
  const size_t nd = g.nd;
  const int64_t group = g.group;
  const std::vector<int64_t> out_pad =
      c.Ints("output_padding", std::vector<int64_t>(nd, 0));
  const std::vector<int64_t> out_shape = c.Ints("output_shape");
  if (out_pad.size() != nd) throw c.Invalid("output_padding does not fit");
  CheckGroup(c, group, x[1], -1);
  const std::string auto_pad = c.String("auto_pad", "NOTSET");
  std::vector<int64_t> pads_attr = c.Ints("pads");
  Pads p{std::vector<int64_t>(nd, 0), std::vector<int64_t>(nd, 0)};
  if (!out_shape.empty() || auto_pad == "SAME_UPPER" ||
      auto_pad == "SAME_LOWER") {
    for (size_t i = 0; i < nd; ++i) {
      const int64_t in = x.at(2 + i);
      if (in < 0) throw c.Unsupported("spatial extents are not static");
      const int64_t target =
          out_shape.empty() ? in * stride[i]
                            : out_shape.at(out_shape.size() == nd ? i : 2 + i);
      const int64_t total = stride[i] * (in - 1) + out_pad[i] +
                            (kernel[i] - 1) * dilate[i] + 1 - target;
      if (total < 0) {
        throw c.Unsupported("output_shape larger than the full output");
      }
      p.begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      p.end[i] = total - p.begin[i];
    }
  } else if (!pads_attr.empty()) {
    if (pads_attr.size() != 2 * nd) throw c.Invalid("pads has the wrong size");
    p.begin.assign(pads_attr.begin(), pads_attr.begin() + nd);
    p.end.assign(pads_attr.begin() + nd, pads_attr.end());
  }
  for (size_t i = 0; i < nd; ++i) {
    if (out_pad[i] >= std::max(stride[i], dilate[i]) || out_pad[i] < 0) {
      throw c.Invalid("output_padding must be below the stride or dilation");
    }
    if (p.begin[i] < 0 || p.end[i] < 0) throw c.Unsupported("negative pads");
  }
  // mx pads both sides alike: pad by the smaller side, then crop the rest.
  std::vector<int64_t> pad(nd);
  for (size_t i = 0; i < nd; ++i) pad[i] = std::min(p.begin[i], p.end[i]);
  std::vector<Symbol> inputs = {c.Input(0), c.Input(1, "weight")};
  if (c.HasInput(2)) inputs.push_back(c.Input(2, "bias"));
  if (w[1] < 0) throw c.Unsupported("the weight's shape is not static");
  Symbol y = c.Op("Deconvolution", inputs,
                  {{"kernel", kernel},
                   {"stride", stride},
                   {"dilate", dilate},
                   {"pad", pad},
                   {"adj", out_pad},
                   {"num_filter", w[1] * group},
                   {"num_group", group},
                   {"no_bias", !c.HasInput(2)}},
                  p.symmetric() ? "" : "_full");
  if (!p.symmetric()) {
    for (size_t i = 0; i < nd; ++i) {
      const int64_t in = x[2 + i];
      if (in < 0) throw c.Unsupported("spatial extents are not static");
      const int64_t full = stride[i] * (in - 1) + (kernel[i] - 1) * dilate[i] +
                           1 - 2 * pad[i] + out_pad[i];
      const int64_t b = p.begin[i] - pad[i], e = p.end[i] - pad[i];
      if (b == 0 && e == 0) continue;
      y = c.Op("slice_axis", {y},
               {{"axis", static_cast<int64_t>(2 + i)},
                {"begin", b},
                {"end", full - e}},
               StrCat("_crop", i));
    }
  }
  c.SetOutput(0, y);
}

void ConvertGemm(NodeContext& c) {
  const double alpha = c.Float("alpha", 1.0), beta = c.Float("beta", 1.0);
  const bool trans_a = c.Int("transA", 0) != 0;
  const bool trans_b = c.Int("transB", 0) != 0;
  if (c.opset() < 7 && c.HasAttr("broadcast")) c.Ignore("broadcast");
  const HostTensor* b = c.Constant(1);
  const HostTensor* bias = c.HasInput(2) ? c.Constant(2) : nullptr;
  if (b != nullptr && b->dims.size() == 2 && !trans_a && alpha == 1.0) {
    const int64_t n = trans_b ? b->dims[0] : b->dims[1];
    const bool bias_fits =
        !c.HasInput(2) ||
        (bias != nullptr && beta == 1.0 && bias->size() == n &&
         (bias->dims.size() == 1 ||
          (bias->dims.size() == 2 && bias->dims[0] == 1)));
    if (bias_fits) {
      std::vector<Symbol> inputs = {c.Input(0)};
      inputs.push_back(trans_b ? c.Input(1, "weight")
                               : c.ParamVariable(Transposed2D(*b), "weight"));
      if (c.HasInput(2)) {
        if (bias->dims.size() == 1) {
          inputs.push_back(c.Input(2, "bias"));
        } else {
          HostTensor flat = *bias;
          flat.dims = {n};
          inputs.push_back(c.ParamVariable(flat, "bias"));
        }
      }
      c.SetOutput(0, c.Op("FullyConnected", inputs,
                          {{"num_hidden", n}, {"no_bias", !c.HasInput(2)}}));
      return;
    }
  }
  Symbol y = c.Op("dot", {c.Input(0), c.Input(1)},
                  {{"transpose_a", trans_a}, {"transpose_b", trans_b}}, "_dot");
  if (alpha != 1.0) {
    y = c.Op("_mul_scalar", {y}, {{"scalar", alpha}}, "_alpha");
  }
  if (c.HasInput(2) && beta != 0.0) {
    Symbol cc = c.Input(2);
    if (beta != 1.0) {
      cc = c.Op("_mul_scalar", {cc}, {{"scalar", beta}}, "_beta");
    }
    y = c.Op("broadcast_add", {y, cc});
  } else {
    y = c.Op("_copy", {y});
  }
  c.SetOutput(0, y);
}

void ConvertMatMul(NodeContext& c) {
  const std::vector<int64_t> a = c.RequireDims(0, "MatMul");
  const std::vector<int64_t> b = c.RequireDims(1, "MatMul");
  const HostTensor* weight = c.Constant(1);
  if (weight != nullptr && b.size() == 2 && !a.empty()) {
    // x times a constant matrix: mx's FullyConnected over the last axis
    // (its weight is the matrix transposed), one gemm for any rank of x.
    c.SetOutput(
        0, c.Op("FullyConnected",
                {c.Input(0), c.ParamVariable(Transposed2D(*weight), "weight")},
                {{"num_hidden", b[1]}, {"no_bias", true}, {"flatten", false}}));
    return;
  }
  if (b.size() <= 2 && !a.empty()) {
    c.SetOutput(0, c.Op("dot", {c.Input(0), c.Input(1, "weight")}));
    return;
  }
  if (a.size() != b.size() || a.size() < 3 ||
      !std::equal(a.begin(), a.end() - 2, b.begin())) {
    throw c.Unsupported(StrCat("batch broadcasting of ", PythonTuple(a),
                               " and ", PythonTuple(b),
                               " (mx multiplies equal batch extents)"));
  }
  if (a.size() == 3) {
    c.SetOutput(0, c.Op("batch_dot", {c.Input(0), c.Input(1)}));
    return;
  }
  const auto out = c.OutputDims(0);
  for (int64_t d : a) {
    if (d < 0) throw c.Unsupported("batch extents that are not static");
  }
  const int64_t r = static_cast<int64_t>(a.size());
  Symbol a3 = c.Op("Reshape", {c.Input(0)},
                   {{"shape", {-1, a[r - 2], a[r - 1]}}}, "_a");
  Symbol b3 = c.Op("Reshape", {c.Input(1)},
                   {{"shape", {-1, b[r - 2], b[r - 1]}}}, "_b");
  std::vector<int64_t> shape(a.begin(), a.end() - 1);
  shape.push_back(b[r - 1]);
  c.SetOutput(0, c.Op("Reshape", {c.Op("batch_dot", {a3, b3}, {}, "_bmm")},
                      {{"shape", shape}}));
}

void ConvertBatchNorm(NodeContext& c) {
  if (c.Int("spatial", 1) != 1) throw c.Unsupported("spatial=0");
  if (c.Int("training_mode", 0) != 0) {
    throw c.Unsupported("training_mode=1 (mx imports inference graphs)");
  }
  c.Ignore("consumed_inputs");
  for (int i = 1; i < c.NumOutputs(); ++i) {
    if (c.OutputUsed(i)) {
      throw c.Unsupported("the running mean / variance outputs");
    }
  }
  const double eps = c.Float("epsilon", 1e-5);
  const double momentum = c.Float("momentum", 0.9);
  c.SetOutput(0, c.Op("BatchNorm",
                      {c.Input(0), c.Input(1, "gamma"), c.Input(2, "beta")},
                      {{"moving_mean", c.AuxInput(3, "moving_mean")},
                       {"moving_var", c.AuxInput(4, "moving_var")},
                       {"eps", eps},
                       {"momentum", momentum},
                       {"fix_gamma", false}}));
}

void ConvertInstanceNorm(NodeContext& c) {
  c.SetOutput(0, c.Op("InstanceNorm",
                      {c.Input(0), c.Input(1, "gamma"), c.Input(2, "beta")},
                      {{"eps", c.Float("epsilon", 1e-5)}}));
}

void ConvertLayerNorm(NodeContext& c) {
  for (int i = 1; i < c.NumOutputs(); ++i) {
    if (c.OutputUsed(i)) throw c.Unsupported("the Mean / InvStdDev outputs");
  }
  c.Int("stash_type", 1);
  const std::vector<int64_t> x = c.RequireDims(0, "LayerNormalization");
  const int64_t rank = static_cast<int64_t>(x.size());
  const int64_t axis = NormalizeAxis(c, c.Int("axis", -1), rank);
  const double eps = c.Float("epsilon", 1e-5);
  int64_t features = 1;
  for (int64_t i = axis; i < rank; ++i) {
    if (x[i] < 0) throw c.Unsupported("normalized extents are not static");
    features *= x[i];
  }
  Symbol gamma = c.Input(1, "gamma");
  Symbol beta;
  if (c.HasInput(2)) {
    beta = c.Input(2, "beta");
  } else {
    beta = c.ConstantVariable(HostTensor{TensorProto::FLOAT,
                                         {features},
                                         std::vector<double>(features, 0.0),
                                         {}},
                              "_beta");
  }
  if (axis == rank - 1) {
    c.SetOutput(0, c.Op("LayerNorm", {c.Input(0), gamma, beta},
                        {{"axis", -1}, {"eps", eps}}));
    return;
  }
  // Several normalized axes: as one trailing axis.
  std::vector<int64_t> shape(x.begin(), x.begin() + axis);
  for (int64_t& d : shape) {
    if (d < 0) d = 0;
  }
  shape.push_back(features);
  for (int64_t i = 0; i < axis; ++i) {
    if (x[i] < 0 && i != 0) throw c.Unsupported("extents are not static");
  }
  Symbol flat = c.Op("Reshape", {c.Input(0)}, {{"shape", shape}}, "_flat");
  Symbol g = c.Op("Reshape", {gamma}, {{"shape", {features}}}, "_gamma");
  Symbol b = c.Op("Reshape", {beta}, {{"shape", {features}}}, "_beta");
  Symbol y =
      c.Op("LayerNorm", {flat, g, b}, {{"axis", -1}, {"eps", eps}}, "_norm");
  std::vector<int64_t> back = x;
  if (back[0] < 0) back[0] = 0;
  c.SetOutput(0, c.Op("Reshape", {y}, {{"shape", back}}));
}

void Activation(NodeContext& c, const char* act) {
  c.SetOutput(0, c.Op("Activation", {c.Input(0)}, {{"act_type", act}}));
}

void ConvertPRelu(NodeContext& c) {
  const std::vector<int64_t> x = c.RequireDims(0, "PRelu");
  const HostTensor* slope = c.Constant(1);
  const int64_t channels = x.size() >= 2 ? x[1] : -1;
  if (slope != nullptr && channels > 0) {
    // One slope per channel: (C), (C, 1, 1, ...) or a single value.
    bool per_channel = slope->size() == channels || slope->size() == 1;
    const auto& d = slope->dims;
    if (slope->size() == channels && channels > 1) {
      const size_t lead = x.size() - d.size();
      per_channel =
          d.size() < x.size() && (lead == 1 ? d[0] == channels : false);
      for (size_t i = 1; per_channel && i < d.size(); ++i) {
        per_channel = d[i] == 1;
      }
    }
    if (per_channel) {
      HostTensor gamma = *slope;
      gamma.dims = {channels};
      gamma.values.assign(channels, 0.0);
      for (int64_t i = 0; i < channels; ++i) {
        gamma.values[i] = slope->values[slope->size() == 1 ? 0 : i];
      }
      c.SetOutput(
          0, c.Op("LeakyReLU", {c.Input(0), c.ParamVariable(gamma, "gamma")},
                  {{"act_type", "prelu"}}));
      return;
    }
  }
  // Any other broadcastable slope: relu(x) + slope * min(x, 0), exactly.
  Symbol neg = c.Op("_minimum_scalar", {c.Input(0)}, {{"scalar", 0.0}}, "_neg");
  Symbol pos = c.Op("Activation", {c.Input(0)}, {{"act_type", "relu"}}, "_pos");
  c.SetOutput(0, c.Op("broadcast_add",
                      {pos, c.Op("broadcast_mul", {c.Input(1, "gamma"), neg},
                                 {}, "_scaled")}));
}

void ConvertHardSigmoid(NodeContext& c) {
  const double alpha = c.Float("alpha", 0.2), beta = c.Float("beta", 0.5);
  Symbol y = c.Op("_mul_scalar", {c.Input(0)}, {{"scalar", alpha}}, "_mul");
  y = c.Op("_plus_scalar", {y}, {{"scalar", beta}}, "_add");
  c.SetOutput(0, c.Op("clip", {y}, {{"a_min", 0.0}, {"a_max", 1.0}}));
}

void ConvertHardSwish(NodeContext& c) {
  Symbol y = c.Op("_mul_scalar", {c.Input(0)},
                  {{"scalar", static_cast<double>(1.0f / 6.0f)}}, "_mul");
  y = c.Op("_plus_scalar", {y}, {{"scalar", 0.5}}, "_add");
  y = c.Op("clip", {y}, {{"a_min", 0.0}, {"a_max", 1.0}}, "_clip");
  c.SetOutput(0, c.Op("broadcast_mul", {c.Input(0), y}));
}

void ConvertSelu(NodeContext& c) {
  const double alpha = c.Float("alpha", 1.67326319217681884765625);
  const double gamma = c.Float("gamma", 1.05070102214813232421875);
  Symbol y = c.Op("LeakyReLU", {c.Input(0)},
                  {{"act_type", "elu"}, {"slope", alpha}}, "_elu");
  c.SetOutput(0, c.Op("_mul_scalar", {y}, {{"scalar", gamma}}));
}

void ConvertThresholdedRelu(NodeContext& c) {
  const double alpha = c.Float("alpha", 1.0);
  Symbol mask =
      c.Op("_greater_scalar", {c.Input(0)}, {{"scalar", alpha}}, "_mask");
  c.SetOutput(0, c.Op("broadcast_mul", {c.Input(0), mask}));
}

// ---- pooling ----

// ONNX's output extent of a window op; PyTorch's rule with ceil_mode: a
// window starting in the end padding is dropped.
int64_t OnnxPoolExtent(int64_t in, int64_t k, int64_t s, int64_t b, int64_t e,
                       bool ceil_mode) {
  const int64_t span = in + b + e - k;
  int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + b) --out;
  return out;
}

void ConvertPool(NodeContext& c, bool max) {
  const std::vector<int64_t> x = c.RequireDims(0, c.op_type());
  if (x.size() < 3) throw c.Invalid("the input needs N, C and spatial axes");
  const size_t nd = x.size() - 2;
  const std::vector<int64_t> kernel = c.Ints("kernel_shape");
  const std::vector<int64_t> stride = c.Ints("strides", Ones(nd));
  const std::vector<int64_t> dilate = c.Ints("dilations", Ones(nd));
  CheckWindow(c, nd,
              {{"kernel_shape", &kernel},
               {"strides", &stride},
               {"dilations", &dilate}});
  if (!AllEqual(dilate, 1)) throw c.Unsupported("dilations other than 1");
  const bool ceil_mode = c.Int("ceil_mode", 0) != 0;
  if (max) {
    c.Int("storage_order", 0);
    if (c.OutputUsed(1)) throw c.Unsupported("the Indices output");
  }
  const bool include_pad = !max && c.Int("count_include_pad", 0) != 0;
  const Pads pads = WindowPads(c, x, kernel, stride, dilate);
  // mx's extents: valid floor((x + 2p - k) / s) + 1, full: ceil.
  bool overhang = false;  // a window reaching past the padded input
  std::vector<int64_t> out(nd);
  for (size_t i = 0; i < nd; ++i) {
    const int64_t in = x[2 + i];
    if (in < 0) throw c.Unsupported("spatial extents that are not static");
    out[i] = OnnxPoolExtent(in, kernel[i], stride[i], pads.begin[i],
                            pads.end[i], ceil_mode);
    overhang |=
        (out[i] - 1) * stride[i] + kernel[i] > in + pads.begin[i] + pads.end[i];
  }
  Symbol data = c.Input(0);
  std::vector<int64_t> pad = pads.begin;
  if (!pads.symmetric()) {
    data = PadInput(c, data, pads,
                    max ? -std::numeric_limits<double>::infinity() : 0.0);
    pad.assign(nd, 0);
  }
  // The extents mx computes with pad (both sides) on the (padded) data.
  const std::string convention = ceil_mode ? "full" : "valid";
  for (size_t i = 0; i < nd; ++i) {
    const int64_t in =
        pads.symmetric() ? x[2 + i] : x[2 + i] + pads.begin[i] + pads.end[i];
    const int64_t span = in + 2 * pad[i] - kernel[i];
    const int64_t mx_out =
        (ceil_mode ? (span + stride[i] - 1) / stride[i] : span / stride[i]) + 1;
    if (mx_out != out[i]) {
      throw c.Unsupported(StrCat("ceil_mode output extents (", out[i],
                                 " on spatial axis ", i,
                                 "; mx's 'full' "
                                 "convention gives ",
                                 mx_out, ")"));
    }
  }
  Kwargs kw{{"kernel", kernel},
            {"stride", stride},
            {"pad", pad},
            {"pooling_convention", convention}};
  const bool exact_avg =
      pads.zero() ? !overhang : (include_pad && pads.symmetric() && !overhang);
  if (max || exact_avg) {
    kw.emplace_back("pool_type", max ? "max" : "avg");
    c.SetOutput(0, c.Op("Pooling", {data}, kw));
    return;
  }
  // Average over the counted elements: a sum pool divided by the count of
  // each window (inside the input, or inside the padded input with
  // count_include_pad), computed here from the static extents.
  std::vector<int64_t> count_dims = {1, 1};
  count_dims.insert(count_dims.end(), out.begin(), out.end());
  HostTensor count{TensorProto::FLOAT, count_dims, {}, {}};
  const int64_t total = CheckedCount(out, c.Where());
  count.values.resize(total);
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rest = flat;
    double n = 1;
    for (int i = static_cast<int>(nd) - 1; i >= 0; --i) {
      const int64_t o = rest % out[i];
      rest /= out[i];
      const int64_t lo_bound = include_pad ? -pads.begin[i] : 0;
      const int64_t hi_bound = include_pad ? x[2 + i] + pads.end[i] : x[2 + i];
      const int64_t start = o * stride[i] - pads.begin[i];
      const int64_t lo = std::max(start, lo_bound);
      const int64_t hi = std::min(start + kernel[i], hi_bound);
      n *= std::max<int64_t>(hi - lo, 0);
    }
    count.values[flat] = n;
  }
  kw.emplace_back("pool_type", "sum");
  Symbol sum = c.Op("Pooling", {data}, kw, "_sum");
  c.SetOutput(
      0, c.Op("broadcast_div", {sum, c.ConstantVariable(count, "_count")}));
}

void ConvertGlobalPool(NodeContext& c, const char* type) {
  c.SetOutput(
      0,
      c.Op("Pooling", {c.Input(0)},
           {{"kernel", {1, 1}}, {"global_pool", true}, {"pool_type", type}}));
}

// ---- softmax, dropout, LRN, Pad, resizing ----

void ConvertSoftmax(NodeContext& c, const char* op) {
  const std::vector<int64_t> x = c.RequireDims(0, c.op_type());
  const int64_t rank = static_cast<int64_t>(x.size());
  const bool legacy = c.opset() < 13;
  const int64_t axis = NormalizeAxis(c, c.Int("axis", legacy ? 1 : -1), rank);
  if (!legacy || axis == rank - 1) {
    c.SetOutput(0, c.Op(op, {c.Input(0)}, {{"axis", axis}}));
    return;
  }
  // Before opset 13: the input is seen as 2-D, axes [axis, rank) flattened.
  std::vector<int64_t> flat;
  if (axis == 0) {
    flat = {1, -1};
  } else {
    flat = {0};
    for (int64_t i = 1; i < axis; ++i) {
      if (x[i] < 0) throw c.Unsupported("extents that are not static");
      flat.push_back(x[i]);
    }
    flat.push_back(-1);
  }
  std::vector<int64_t> back = x;
  for (int64_t i = 0; i < rank; ++i) {
    if (back[i] < 0) {
      if (i != 0 || axis == 0) throw c.Unsupported("extents not static");
      back[i] = 0;
    }
  }
  if (axis > 0) back[0] = 0;
  Symbol y = c.Op("Reshape", {c.Input(0)}, {{"shape", flat}}, "_flat");
  y = c.Op(op, {y}, {{"axis", -1}}, "_2d");
  c.SetOutput(0, c.Op("Reshape", {y}, {{"shape", back}}));
}

void ConvertDropout(NodeContext& c) {
  double ratio = 0.5;
  c.Ignore("seed");
  if (c.opset() < 12) {
    ratio = c.Float("ratio", 0.5);
    c.Ignore("is_test");
  } else {
    if (c.HasInput(1)) ratio = c.RequireConstant(1, "ratio").values.at(0);
    if (c.HasInput(2) &&
        c.RequireConstant(2, "training_mode").values.at(0) != 0) {
      throw c.Unsupported("training_mode=true (mx imports inference graphs)");
    }
  }
  if (c.OutputUsed(1)) throw c.Unsupported("the mask output");
  c.SetOutput(0, c.Op("Dropout", {c.Input(0)}, {{"p", ratio}}));
}

void ConvertLRN(NodeContext& c) {
  const int64_t size = c.Int("size", 0);
  if (size < 1 || size % 2 == 0) {
    throw c.Unsupported(StrCat("size ", size, " (mx's LRN takes odd sizes)"));
  }
  c.SetOutput(0, c.Op("LRN", {c.Input(0)},
                      {{"alpha", c.Float("alpha", 1e-4)},
                       {"beta", c.Float("beta", 0.75)},
                       {"knorm", c.Float("bias", 1.0)},
                       {"nsize", size}}));
}

void ConvertPad(NodeContext& c) {
  std::vector<int64_t> pads;
  double value = 0;
  const std::string mode = c.String("mode", "constant");
  if (c.opset() < 11) {
    pads = c.Ints("pads");
    value = c.Float("value", 0.0);
  } else {
    pads = c.RequireConstant(1, "pads").Int64s();
    if (c.HasInput(2))
      value = c.RequireConstant(2, "constant_value").values.at(0);
  }
  const std::vector<int64_t> x = c.RequireDims(0, "Pad");
  const size_t rank = x.size();
  if (pads.size() != 2 * rank) {
    throw c.Invalid(
        StrCat("pads has ", pads.size(), " entries for rank ", rank));
  }
  if (mode != "constant" && mode != "edge" && mode != "reflect") {
    throw c.Unsupported(StrCat("mode '", mode, "'"));
  }
  std::vector<int64_t> width;
  for (size_t i = 0; i < rank; ++i) {
    if (pads[i] < 0 || pads[rank + i] < 0) {
      throw c.Unsupported("negative pads (cropping)");
    }
    width.push_back(pads[i]);
    width.push_back(pads[rank + i]);
  }
  c.SetOutput(
      0,
      c.Op("Pad", {c.Input(0)},
           {{"mode", mode}, {"pad_width", width}, {"constant_value", value}}));
}

// Upsample and Resize in nearest mode with one integer factor on H and W:
// mx's nearest UpSampling, when ONNX's coordinate rule picks the same pixels.
void ConvertResize(NodeContext& c) {
  const std::string mode = c.String("mode", "nearest");
  const std::string coord =
      c.String("coordinate_transformation_mode",
               c.op_type() == "Upsample" || c.opset() < 11 ? "asymmetric"
                                                           : "half_pixel");
  const std::string nearest_mode =
      c.String("nearest_mode", c.op_type() == "Upsample" || c.opset() < 11
                                   ? "floor"
                                   : "round_prefer_floor");
  c.Float("cubic_coeff_a", -0.75);
  c.Int("exclude_outside", 0);
  c.Float("extrapolation_value", 0.0);
  if (mode != "nearest") {
    throw c.Unsupported(StrCat("mode '", mode, "' (mx converts nearest)"));
  }
  const std::vector<int64_t> x = c.RequireDims(0, c.op_type());
  std::vector<double> scales;
  if (c.op_type() == "Upsample" && c.opset() < 9) {
    c.Ignore("scales");
    for (const auto& a : c.node().attribute()) {
      if (a.name() == "scales")
        scales.assign(a.floats().begin(), a.floats().end());
    }
  } else {
    const int scales_input = c.op_type() == "Resize" && c.opset() >= 11 ? 2 : 1;
    if (c.HasInput(scales_input) &&
        c.RequireConstant(scales_input, "scales").size() > 0) {
      scales = c.RequireConstant(scales_input, "scales").values;
    } else if (c.op_type() == "Resize" && c.HasInput(3)) {
      const std::vector<int64_t> sizes = c.RequireConstant(3, "sizes").Int64s();
      for (size_t i = 0; i < sizes.size() && i < x.size(); ++i) {
        if (x[i] <= 0) throw c.Unsupported("extents that are not static");
        scales.push_back(static_cast<double>(sizes[i]) / x[i]);
      }
    }
  }
  if (x.size() != 4 || scales.size() != 4 || scales[0] != 1 || scales[1] != 1 ||
      scales[2] != scales[3] || scales[2] != std::floor(scales[2]) ||
      scales[2] < 1) {
    throw c.Unsupported(
        "scales other than (1, 1, s, s) with a whole s on 4-D data");
  }
  const int64_t s = static_cast<int64_t>(scales[2]);
  const bool replicate =
      s == 1 ||
      ((coord == "half_pixel" || coord == "pytorch_half_pixel") &&
       (nearest_mode == "round_prefer_floor" ||
        nearest_mode == "round_prefer_ceil")) ||
      (coord == "asymmetric" &&
       (nearest_mode == "floor" ||
        (s == 2 && nearest_mode == "round_prefer_floor")));
  if (!replicate) {
    throw c.Unsupported(StrCat("coordinate_transformation_mode '", coord,
                               "' with nearest_mode '", nearest_mode,
                               "' at scale ", s, " (not a pixel repetition)"));
  }
  c.SetOutput(
      0, c.Op("UpSampling", {c.Input(0)},
              {{"scale", s}, {"sample_type", "nearest"}, {"num_args", 1}}));
}

}  // namespace

void AddNNConverters(std::map<std::string, Converter>* t) {
  auto& table = *t;
  table["Conv"] = ConvertConv;
  table["ConvTranspose"] = ConvertConvTranspose;
  table["Gemm"] = ConvertGemm;
  table["MatMul"] = ConvertMatMul;
  table["BatchNormalization"] = ConvertBatchNorm;
  table["InstanceNormalization"] = ConvertInstanceNorm;
  table["LayerNormalization"] = ConvertLayerNorm;
  table["Relu"] = [](NodeContext& c) { Activation(c, "relu"); };
  table["Sigmoid"] = [](NodeContext& c) { Activation(c, "sigmoid"); };
  table["Tanh"] = [](NodeContext& c) { Activation(c, "tanh"); };
  table["Softplus"] = [](NodeContext& c) { Activation(c, "softrelu"); };
  table["Softsign"] = [](NodeContext& c) { Activation(c, "softsign"); };
  table["LeakyRelu"] = [](NodeContext& c) {
    c.SetOutput(
        0, c.Op("LeakyReLU", {c.Input(0)},
                {{"act_type", "leaky"}, {"slope", c.Float("alpha", 0.01)}}));
  };
  table["Elu"] = [](NodeContext& c) {
    c.SetOutput(0,
                c.Op("LeakyReLU", {c.Input(0)},
                     {{"act_type", "elu"}, {"slope", c.Float("alpha", 1.0)}}));
  };
  table["PRelu"] = ConvertPRelu;
  table["HardSigmoid"] = ConvertHardSigmoid;
  table["HardSwish"] = ConvertHardSwish;
  table["Selu"] = ConvertSelu;
  table["ThresholdedRelu"] = ConvertThresholdedRelu;
  table["MaxPool"] = [](NodeContext& c) { ConvertPool(c, true); };
  table["AveragePool"] = [](NodeContext& c) { ConvertPool(c, false); };
  table["GlobalAveragePool"] = [](NodeContext& c) {
    ConvertGlobalPool(c, "avg");
  };
  table["GlobalMaxPool"] = [](NodeContext& c) { ConvertGlobalPool(c, "max"); };
  table["Softmax"] = [](NodeContext& c) { ConvertSoftmax(c, "softmax"); };
  table["LogSoftmax"] = [](NodeContext& c) {
    ConvertSoftmax(c, "log_softmax");
  };
  table["Dropout"] = ConvertDropout;
  table["LRN"] = ConvertLRN;
  table["Pad"] = ConvertPad;
  table["Upsample"] = ConvertResize;
  table["Resize"] = ConvertResize;
}

}  // namespace onnx_io
}  // namespace mx
