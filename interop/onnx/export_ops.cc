// Exporters of mx ops to ONNX opset 11 (see Note [ONNX export]): each writes
// ONNX nodes computing the op's inference output exactly, or refuses with an
// error naming the node.
#include <algorithm>
#include <numeric>

#include "core/base/strings.h"
#include "interop/onnx/export_context.h"

namespace mx {
namespace onnx_io {
namespace {

using onnx::TensorProto;

std::vector<int64_t> OrOnes(std::vector<int64_t> v, size_t n) {
  if (v.empty()) v.assign(n, 1);
  return v;
}

std::vector<int64_t> OrZeros(std::vector<int64_t> v, size_t n) {
  if (v.empty()) v.assign(n, 0);
  return v;
}

std::vector<int64_t> Twice(const std::vector<int64_t>& p) {
  std::vector<int64_t> out = p;
  out.insert(out.end(), p.begin(), p.end());
  return out;
}

void CheckChannelFirst(ExportContext& c) {
  if (!c.IsNone("layout") && c.Param("layout").rfind("NC", 0) != 0) {
    throw c.Unsupported(StrCat("layout ", c.Param("layout")));
  }
}

void ExportFullyConnected(ExportContext& c) {
  const bool flatten = c.Bool("flatten");
  const bool no_bias = c.Bool("no_bias");
  std::string x = c.In(0);
  const int rank = c.InShape(0).ndim();
  if (flatten || rank == 2) {
    if (rank > 2) x = c.Add("Flatten", {x}, {IntAttr("axis", 1)});
    std::vector<std::string> in = {x, c.In(1)};
    if (!no_bias) in.push_back(c.In(2));
    c.Add("Gemm", in, {IntAttr("transB", 1)}, {c.Out(0)});
    return;
  }
  // MatMul reads the weight transposed: written so when it is a parameter
  // (a Transpose node otherwise).
  std::string wt;
  if (const HostTensor* w = c.ParamValue(1)) {
    wt = c.ReplaceParam(1, Transposed2D(*w));
  } else {
    wt = c.Add("Transpose", {c.In(1)}, {IntsAttr("perm", {1, 0})});
  }
  if (no_bias) {
    c.Add("MatMul", {x, wt}, {}, {c.Out(0)});
  } else {
    const std::string y = c.Add("MatMul", {x, wt});
    c.Add("Add", {y, c.In(2)}, {}, {c.Out(0)});
  }
}

void ExportConvolution(ExportContext& c) {
  CheckChannelFirst(c);
  const std::vector<int64_t> kernel = c.Ints("kernel");
  const size_t nd = kernel.size();
  std::vector<std::string> in = {c.In(0), c.In(1)};
  if (!c.Bool("no_bias")) in.push_back(c.In(2));
  c.Add("Conv", in,
        {IntsAttr("kernel_shape", kernel),
         IntsAttr("strides", OrOnes(c.Ints("stride"), nd)),
         IntsAttr("dilations", OrOnes(c.Ints("dilate"), nd)),
         IntsAttr("pads", Twice(OrZeros(c.Ints("pad"), nd))),
         IntAttr("group", c.Int("num_group"))},
        {c.Out(0)});
}

void ExportDeconvolution(ExportContext& c) {
  CheckChannelFirst(c);
  const std::vector<int64_t> kernel = c.Ints("kernel");
  const size_t nd = kernel.size();
  const std::vector<int64_t> stride = OrOnes(c.Ints("stride"), nd);
  const std::vector<int64_t> dilate = OrOnes(c.Ints("dilate"), nd);
  std::vector<int64_t> pad = OrZeros(c.Ints("pad"), nd);
  std::vector<int64_t> adj = OrZeros(c.Ints("adj"), nd);
  // With target_shape, the pads and adj that reach the inferred output.
  const Shape& out = c.OutShape(0);
  for (size_t i = 0; i < nd; ++i) {
    const int64_t full =
        stride[i] * (c.InShape(0)[2 + i] - 1) + dilate[i] * (kernel[i] - 1) + 1;
    if (!c.Ints("target_shape").empty()) {
      const int64_t total = full - out[2 + i];
      pad[i] = (total + 1) / 2;
      adj[i] = 2 * pad[i] - total;
    }
    if (full - 2 * pad[i] + adj[i] != out[2 + i]) {
      throw c.Unsupported("its output extents");
    }
  }
  std::vector<std::string> in = {c.In(0), c.In(1)};
  if (!c.Bool("no_bias")) in.push_back(c.In(2));
  c.Add("ConvTranspose", in,
        {IntsAttr("kernel_shape", kernel), IntsAttr("strides", stride),
         IntsAttr("dilations", dilate), IntsAttr("pads", Twice(pad)),
         IntsAttr("output_padding", adj), IntAttr("group", c.Int("num_group"))},
        {c.Out(0)});
}

void ExportBatchNorm(ExportContext& c) {
  if (c.Int("axis") != 1) throw c.Unsupported("axis other than 1");
  for (int i = 1; i < 3; ++i) {
    if (c.OutputUsed(i)) throw c.Unsupported("the mean / var outputs");
  }
  std::string gamma = c.In(1);
  if (c.Bool("fix_gamma")) {  // gamma is treated as 1
    HostTensor ones;
    ones.type = ToOnnxType(c.InType(1));
    ones.dims = c.InShape(1).dims();
    ones.values.assign(c.InShape(1).Size(), 1.0);
    gamma = c.Constant(ones, "gamma_fixed");
  }
  c.Add("BatchNormalization", {c.In(0), gamma, c.In(2), c.In(3), c.In(4)},
        {FloatAttr("epsilon", c.Float("eps")),
         FloatAttr("momentum", c.Float("momentum"))},
        {c.Out(0)});
}

void ExportActivation(ExportContext& c) {
  static const std::map<std::string, std::string> kTypes = {
      {"relu", "Relu"},
      {"sigmoid", "Sigmoid"},
      {"tanh", "Tanh"},
      {"softrelu", "Softplus"},
      {"softsign", "Softsign"}};
  c.Add(kTypes.at(c.Param("act_type")), {c.In(0)}, {}, {c.Out(0)});
}

void ExportLeakyReLU(ExportContext& c) {
  const std::string type = c.Param("act_type");
  if (type == "leaky") {
    c.Add("LeakyRelu", {c.In(0)}, {FloatAttr("alpha", c.Float("slope"))},
          {c.Out(0)});
  } else if (type == "elu") {
    c.Add("Elu", {c.In(0)}, {FloatAttr("alpha", c.Float("slope"))}, {c.Out(0)});
  } else if (type == "rrelu") {  // inference: the mean slope
    c.Add("LeakyRelu", {c.In(0)},
          {FloatAttr("alpha",
                     (c.Float("lower_bound") + c.Float("upper_bound")) / 2)},
          {c.Out(0)});
  } else {  // prelu: one slope per channel, broadcast over the rest
    std::vector<int64_t> shape = {c.InShape(1).Size()};
    for (int i = 2; i < c.InShape(0).ndim(); ++i) shape.push_back(1);
    const std::string slope =
        c.Add("Reshape", {c.In(1), c.Int64s(shape, "slope_shape")});
    c.Add("PRelu", {c.In(0), slope}, {}, {c.Out(0)});
  }
}

// ONNX's pooled extent with ceil_mode (a window starting in the end
// padding is dropped).
int64_t OnnxCeilExtent(int64_t in, int64_t k, int64_t s, int64_t p) {
  int64_t out = (in + 2 * p - k + s - 1) / s + 1;
  if ((out - 1) * s >= in + p) --out;
  return out;
}

void ExportPooling(ExportContext& c) {
  const std::string type = c.Param("pool_type");
  if (type == "sum") throw c.Unsupported("sum pooling");
  if (c.Bool("global_pool")) {
    c.Add(type == "max" ? "GlobalMaxPool" : "GlobalAveragePool", {c.In(0)}, {},
          {c.Out(0)});
    return;
  }
  const std::vector<int64_t> kernel = c.Ints("kernel");
  const size_t nd = kernel.size();
  const std::vector<int64_t> stride = OrOnes(c.Ints("stride"), nd);
  const std::vector<int64_t> pad = OrZeros(c.Ints("pad"), nd);
  const bool full = c.Param("pooling_convention") == "full";
  for (size_t i = 0; i < nd; ++i) {
    const int64_t in = c.InShape(0)[2 + i];
    const int64_t out = c.OutShape(0)[2 + i];
    if (full && OnnxCeilExtent(in, kernel[i], stride[i], pad[i]) != out) {
      throw c.Unsupported(
          "'full' pooling whose last window starts in the "
          "padding");
    }
    if (type == "avg" && (out - 1) * stride[i] + kernel[i] > in + 2 * pad[i]) {
      throw c.Unsupported("average pooling with windows past the padding");
    }
  }
  std::vector<OnnxAttr> attrs = {
      IntsAttr("kernel_shape", kernel), IntsAttr("strides", stride),
      IntsAttr("pads", Twice(pad)), IntAttr("ceil_mode", full ? 1 : 0)};
  if (type == "avg") attrs.push_back(IntAttr("count_include_pad", 1));
  c.Add(type == "max" ? "MaxPool" : "AveragePool", {c.In(0)}, attrs,
        {c.Out(0)});
}

void ExportReshape(ExportContext& c) {
  if (c.Bool("reverse")) throw c.Unsupported("reverse=True");
  const Shape& in = c.InShape(0);
  std::vector<int64_t> shape = c.OutShape(0).dims();
  // The batch axis stays free: copied (0) when it is the input's, else
  // inferred (-1).
  if (!shape.empty() && in.ndim() > 0) {
    shape[0] = shape[0] == in[0] ? 0 : -1;
  }
  c.Add("Reshape", {c.In(0), c.Int64s(shape, "shape")}, {}, {c.Out(0)});
}

void ExportTranspose(ExportContext& c) {
  std::vector<int64_t> perm = c.Ints("axes");
  const int rank = c.InShape(0).ndim();
  if (perm.empty()) {
    for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
  }
  for (int64_t& p : perm) {
    if (p < 0) p += rank;
  }
  c.Add("Transpose", {c.In(0)}, {IntsAttr("perm", perm)}, {c.Out(0)});
}

void ExportSwapAxis(ExportContext& c) {
  const int rank = c.InShape(0).ndim();
  std::vector<int64_t> perm(rank);
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm.at(c.Int("dim1")), perm.at(c.Int("dim2")));
  c.Add("Transpose", {c.In(0)}, {IntsAttr("perm", perm)}, {c.Out(0)});
}

void ExportConcat(ExportContext& c) {
  std::vector<std::string> in;
  for (int i = 0; i < c.NumInputs(); ++i) in.push_back(c.In(i));
  int64_t axis = c.Int("dim");
  if (axis < 0) axis += c.InShape(0).ndim();
  c.Add("Concat", in, {IntAttr("axis", axis)}, {c.Out(0)});
}

void ExportSliceChannel(ExportContext& c) {
  const int64_t n = c.Int("num_outputs");
  int64_t axis = c.Int("axis");
  if (axis < 0) axis += c.InShape(0).ndim();
  const bool squeeze = c.Bool("squeeze_axis");
  std::vector<std::string> outs;
  for (int64_t i = 0; i < n; ++i) {
    outs.push_back(squeeze ? c.Out(i) + "_split" : c.Out(i));
  }
  const std::vector<int64_t> split(n, c.InShape(0)[axis] / n);
  c.Add("Split", {c.In(0)}, {IntAttr("axis", axis), IntsAttr("split", split)},
        outs);
  for (int64_t i = 0; squeeze && i < n; ++i) {
    c.Add("Squeeze", {outs[i]}, {IntsAttr("axes", {axis})}, {c.Out(i)});
  }
}

void ExportBinary(ExportContext& c, const char* op) {
  c.Add(op, {c.In(0), c.In(1)}, {}, {c.Out(0)});
}

void ExportScalar(ExportContext& c, const char* op, bool reverse) {
  std::string s;
  const Shape& in = c.InShape(0);
  if (in.ndim() == 3 && in.Size() / std::max<int64_t>(in[0], 1) <= 65536) {
    // OpenCV 4.6 ignores a scalar operand on 3-D data after a MatMul
    // (attention's scaling): the scalar is written over the data's shape
    // but the batch, (1, T, D), which it reads right.
    HostTensor t;
    t.type = ToOnnxType(c.InType(0));
    t.dims = {1, in[1], in[2]};
    t.values.assign(in[1] * in[2], c.Float("scalar"));
    s = c.Constant(t, "scalar");
  } else {
    s = c.Scalar(c.Float("scalar"), 0, "scalar");
  }
  c.Add(op,
        reverse ? std::vector<std::string>{s, c.In(0)}
                : std::vector<std::string>{c.In(0), s},
        {}, {c.Out(0)});
}

void ExportUnary(ExportContext& c, const char* op) {
  c.Add(op, {c.In(0)}, {}, {c.Out(0)});
}

// Softmax / LogSoftmax of `x` along `axis`: before opset 13 they normalize
// the input seen as 2-D (axes from `axis` on flattened), which is the
// per-axis softmax only for the last axis; another axis is moved last and
// back.
void AxisSoftmax(ExportContext& c, const char* op, const std::string& x,
                 int64_t axis) {
  const int rank = c.InShape(0).ndim();
  if (axis < 0) axis += rank;
  if (axis == rank - 1) {
    c.Add(op, {x}, {IntAttr("axis", axis)}, {c.Out(0)});
    return;
  }
  std::vector<int64_t> perm(rank);
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[axis], perm[rank - 1]);
  const std::string moved = c.Add("Transpose", {x}, {IntsAttr("perm", perm)});
  const std::string y = c.Add(op, {moved}, {IntAttr("axis", rank - 1)});
  c.Add("Transpose", {y}, {IntsAttr("perm", perm)}, {c.Out(0)});
}

void ExportSoftmaxOutput(ExportContext& c) {
  const int rank = c.InShape(0).ndim();
  if (c.Bool("multi_output")) {
    AxisSoftmax(c, "Softmax", c.In(0), 1);
  } else if (c.Bool("preserve_shape") || rank == 2) {
    AxisSoftmax(c, "Softmax", c.In(0), -1);
  } else {
    throw c.Unsupported("SoftmaxOutput on data of rank other than 2");
  }
}

void ExportSoftmax(ExportContext& c, const char* op) {
  std::string x = c.In(0);
  if (!c.IsNone("temperature") && c.Float("temperature") != 1.0) {
    x = c.Add("Div", {x, c.Scalar(c.Float("temperature"), 0, "temperature")});
  }
  AxisSoftmax(c, op, x, c.Int("axis"));
}

void ExportReduce(ExportContext& c, const char* op) {
  const int rank = c.InShape(0).ndim();
  std::vector<int64_t> axes = c.Ints("axis");
  for (int64_t& a : axes) {
    if (a < 0) a += rank;
  }
  if (c.Bool("exclude")) {
    std::vector<int64_t> rest;
    for (int64_t a = 0; a < rank; ++a) {
      if (std::find(axes.begin(), axes.end(), a) == axes.end()) {
        rest.push_back(a);
      }
    }
    axes = rest;
  } else if (axes.empty()) {
    for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
  }
  const bool keepdims = c.Bool("keepdims");
  const bool to_scalar = !keepdims && axes.size() == static_cast<size_t>(rank);
  std::vector<std::string> in = {c.In(0)};
  std::vector<OnnxAttr> attrs = {IntAttr("keepdims", keepdims ? 1 : 0),
                                 IntsAttr("axes", axes)};
  // mx keeps a full reduction as (1,); ONNX's is 0-d.
  const std::string y =
      c.Add(op, in, attrs, {to_scalar ? std::string() : c.Out(0)});
  if (to_scalar) c.Add("Reshape", {y, c.Int64s({1}, "shape")}, {}, {c.Out(0)});
}

void ExportDot(ExportContext& c, bool batch) {
  std::string a = c.In(0), b = c.In(1);
  const int ra = c.InShape(0).ndim(), rb = c.InShape(1).ndim();
  auto swap_last = [&](const std::string& x, int rank) {
    std::vector<int64_t> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    std::swap(perm[rank - 1], perm[rank - 2]);
    return c.Add("Transpose", {x}, {IntsAttr("perm", perm)});
  };
  if (!batch && (ra > 2 || rb > 2) &&
      (c.Bool("transpose_a") || c.Bool("transpose_b") || rb != 2)) {
    throw c.Unsupported("dot of arrays of rank above 2 (with transposes)");
  }
  if (c.Bool("transpose_a")) a = swap_last(a, ra);
  if (c.Bool("transpose_b")) b = swap_last(b, rb);
  c.Add("MatMul", {a, b}, {}, {c.Out(0)});
}

void ExportLayerNorm(ExportContext& c) {
  const int rank = c.InShape(0).ndim();
  int64_t axis = c.Int("axis");
  if (axis < 0) axis += rank;
  if (axis != rank - 1) throw c.Unsupported("axis other than the last");
  if (c.OutputUsed(1) || c.OutputUsed(2)) {
    throw c.Unsupported("the mean / std outputs");
  }
  // LayerNormalization is opset 17's: (x - mean) / sqrt(var + eps).
  const std::vector<OnnxAttr> last = {IntsAttr("axes", {-1}),
                                      IntAttr("keepdims", 1)};
  const std::string x = c.In(0);
  const std::string mean = c.Add("ReduceMean", {x}, last);
  const std::string d = c.Add("Sub", {x, mean});
  const std::string var = c.Add("ReduceMean", {c.Add("Mul", {d, d})}, last);
  const std::string std_dev =
      c.Add("Sqrt", {c.Add("Add", {var, c.Scalar(c.Float("eps"), 0, "eps")})});
  const std::string norm = c.Add("Div", {d, std_dev});
  // gamma and beta as parameters are written repeated over the data's shape
  // but the batch, (1, ..., D): OpenCV 4.6 cannot multiply a 3-D tensor by a
  // vector along its last axis.
  auto full_rank = [&](int i) {
    const HostTensor* v = c.ParamValue(i);
    if (v == nullptr) return c.In(i);
    HostTensor t = *v;
    t.dims = c.InShape(0).dims();
    t.dims[0] = 1;
    t.values.resize(CheckedCount(t.dims, c.Where()));
    for (size_t k = 0; k < t.values.size(); ++k) {
      t.values[k] = v->values[k % v->values.size()];
    }
    return c.ReplaceParam(i, t);
  };
  c.Add("Add", {c.Add("Mul", {norm, full_rank(1)}), full_rank(2)}, {},
        {c.Out(0)});
}

void ExportDropout(ExportContext& c) {
  if (c.Param("mode") == "always") throw c.Unsupported("mode='always'");
  c.Add("Dropout", {c.In(0)}, {FloatAttr("ratio", c.Float("p"))}, {c.Out(0)});
}

void ExportClip(ExportContext& c) {
  c.Add("Clip",
        {c.In(0), c.Scalar(c.Float("a_min"), 0, "min"),
         c.Scalar(c.Float("a_max"), 0, "max")},
        {}, {c.Out(0)});
}

void ExportPad(ExportContext& c) {
  const std::vector<int64_t> width = c.Ints("pad_width");
  std::vector<int64_t> pads(width.size());
  const size_t rank = width.size() / 2;
  for (size_t i = 0; i < rank; ++i) {
    pads[i] = width[2 * i];
    pads[rank + i] = width[2 * i + 1];
  }
  c.Add("Pad",
        {c.In(0), c.Int64s(pads, "pads"),
         c.Scalar(c.Float("constant_value"), 0, "value")},
        {StringAttr("mode", c.Param("mode"))}, {c.Out(0)});
}

void ExportUpSampling(ExportContext& c) {
  if (c.Param("sample_type") != "nearest" || c.NumInputs() != 1) {
    throw c.Unsupported("bilinear or several inputs");
  }
  const double s = static_cast<double>(c.Int("scale"));
  HostTensor scales;
  scales.dims = {4};
  scales.values = {1, 1, s, s};
  HostTensor roi;  // required (and unused) before opset 13
  roi.dims = {0};
  c.Add("Resize",
        {c.In(0), c.Constant(roi, "roi"), c.Constant(scales, "scales")},
        {StringAttr("mode", "nearest"),
         StringAttr("coordinate_transformation_mode", "asymmetric"),
         StringAttr("nearest_mode", "floor")},
        {c.Out(0)});
}

void ExportCast(ExportContext& c) {
  c.Add("Cast", {c.In(0)},
        {IntAttr("to", ToOnnxType(DTypeFromName(c.Param("dtype"))))},
        {c.Out(0)});
}

void ExportExpandDims(ExportContext& c) {
  int64_t axis = c.Int("axis");
  if (axis < 0) axis += c.InShape(0).ndim() + 1;
  c.Add("Unsqueeze", {c.In(0)}, {IntsAttr("axes", {axis})}, {c.Out(0)});
}

void ExportSliceAxis(ExportContext& c) {
  const int64_t axis = c.Int("axis");
  const int64_t begin = c.Int("begin");
  const int64_t end = c.IsNone("end") ? INT64_MAX : c.Int("end");
  c.Add("Slice",
        {c.In(0), c.Int64s({begin}, "starts"), c.Int64s({end}, "ends"),
         c.Int64s({axis}, "axes")},
        {}, {c.Out(0)});
}

}  // namespace

const std::map<std::string, Exporter>& Exporters() {
  static const std::map<std::string, Exporter> table = [] {
    std::map<std::string, Exporter> t;
    t["FullyConnected"] = ExportFullyConnected;
    t["Convolution"] = ExportConvolution;
    t["Deconvolution"] = ExportDeconvolution;
    t["BatchNorm"] = ExportBatchNorm;
    t["Activation"] = ExportActivation;
    t["LeakyReLU"] = ExportLeakyReLU;
    t["Pooling"] = ExportPooling;
    t["Flatten"] = [](ExportContext& c) {
      c.Add("Flatten", {c.In(0)}, {IntAttr("axis", 1)}, {c.Out(0)});
    };
    t["Reshape"] = ExportReshape;
    t["transpose"] = ExportTranspose;
    t["SwapAxis"] = ExportSwapAxis;
    t["Concat"] = ExportConcat;
    t["SliceChannel"] = ExportSliceChannel;
    for (const auto& [op, onnx_op] :
         std::vector<std::pair<const char*, const char*>>{
             {"elemwise_add", "Add"},
             {"elemwise_sub", "Sub"},
             {"elemwise_mul", "Mul"},
             {"elemwise_div", "Div"},
             {"broadcast_add", "Add"},
             {"broadcast_sub", "Sub"},
             {"broadcast_mul", "Mul"},
             {"broadcast_div", "Div"},
             {"broadcast_power", "Pow"},
             {"broadcast_maximum", "Max"},
             {"broadcast_minimum", "Min"}}) {
      const char* o = onnx_op;
      t[op] = [o](ExportContext& c) { ExportBinary(c, o); };
    }
    for (const auto& [op, onnx_op, reverse] :
         std::vector<std::tuple<const char*, const char*, bool>>{
             {"_plus_scalar", "Add", false},
             {"_minus_scalar", "Sub", false},
             {"_rminus_scalar", "Sub", true},
             {"_mul_scalar", "Mul", false},
             {"_div_scalar", "Div", false},
             {"_rdiv_scalar", "Div", true},
             {"_power_scalar", "Pow", false},
             {"_rpower_scalar", "Pow", true},
             {"_maximum_scalar", "Max", false},
             {"_minimum_scalar", "Min", false}}) {
      const char* o = onnx_op;
      const bool r = reverse;
      t[op] = [o, r](ExportContext& c) { ExportScalar(c, o, r); };
    }
    for (const auto& [op, onnx_op] :
         std::vector<std::pair<const char*, const char*>>{
             {"relu", "Relu"},
             {"sigmoid", "Sigmoid"},
             {"tanh", "Tanh"},
             {"exp", "Exp"},
             {"log", "Log"},
             {"sqrt", "Sqrt"},
             {"abs", "Abs"},
             {"negative", "Neg"},
             {"floor", "Floor"},
             {"ceil", "Ceil"},
             {"reciprocal", "Reciprocal"},
             {"erf", "Erf"},
             {"sin", "Sin"},
             {"cos", "Cos"},
             {"softsign", "Softsign"},
             {"_copy", "Identity"},
             {"BlockGrad", "Identity"},
             {"LinearRegressionOutput", "Identity"},
             {"MAERegressionOutput", "Identity"},
             {"LogisticRegressionOutput", "Sigmoid"}}) {
      const char* o = onnx_op;
      t[op] = [o](ExportContext& c) { ExportUnary(c, o); };
    }
    t["add_n"] = [](ExportContext& c) {
      std::vector<std::string> in;
      for (int i = 0; i < c.NumInputs(); ++i) in.push_back(c.In(i));
      c.Add("Sum", in, {}, {c.Out(0)});
    };
    t["square"] = [](ExportContext& c) {
      c.Add("Mul", {c.In(0), c.In(0)}, {}, {c.Out(0)});
    };
    t["SoftmaxOutput"] = ExportSoftmaxOutput;
    t["softmax"] = [](ExportContext& c) { ExportSoftmax(c, "Softmax"); };
    t["log_softmax"] = [](ExportContext& c) { ExportSoftmax(c, "LogSoftmax"); };
    t["mean"] = [](ExportContext& c) { ExportReduce(c, "ReduceMean"); };
    t["sum"] = [](ExportContext& c) { ExportReduce(c, "ReduceSum"); };
    t["max"] = [](ExportContext& c) { ExportReduce(c, "ReduceMax"); };
    t["min"] = [](ExportContext& c) { ExportReduce(c, "ReduceMin"); };
    t["prod"] = [](ExportContext& c) { ExportReduce(c, "ReduceProd"); };
    t["dot"] = [](ExportContext& c) { ExportDot(c, false); };
    t["batch_dot"] = [](ExportContext& c) { ExportDot(c, true); };
    t["LayerNorm"] = ExportLayerNorm;
    t["Dropout"] = ExportDropout;
    t["LRN"] = [](ExportContext& c) {
      c.Add("LRN", {c.In(0)},
            {FloatAttr("alpha", c.Float("alpha")),
             FloatAttr("beta", c.Float("beta")),
             FloatAttr("bias", c.Float("knorm")),
             IntAttr("size", c.Int("nsize"))},
            {c.Out(0)});
    };
    t["clip"] = ExportClip;
    t["Pad"] = ExportPad;
    t["UpSampling"] = ExportUpSampling;
    t["Cast"] = ExportCast;
    t["expand_dims"] = ExportExpandDims;
    t["slice_axis"] = ExportSliceAxis;
    t["InstanceNorm"] = [](ExportContext& c) {
      if (c.OutputUsed(1) || c.OutputUsed(2)) {
        throw c.Unsupported("the mean / std outputs");
      }
      c.Add("InstanceNormalization", {c.In(0), c.In(1), c.In(2)},
            {FloatAttr("epsilon", c.Float("eps"))}, {c.Out(0)});
    };
    return t;
  }();
  return table;
}

}  // namespace onnx_io
}  // namespace mx
