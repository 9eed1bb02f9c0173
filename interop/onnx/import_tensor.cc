// Converters of ONNX's tensor operators: constants and shapes (folded at
// import time when their inputs are known), reshaping and indexing; and the
// host-side folding the converters share. See Note [ONNX import].
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/base/strings.h"
#include "interop/onnx/import_context.h"
#include "interop/onnx/import_fold.h"

namespace mx {
namespace onnx_io {

using onnx::TensorProto;

static HostTensor IntVector(const std::vector<int64_t>& v) {
  HostTensor t;
  t.type = TensorProto::INT64;
  t.dims = {static_cast<int64_t>(v.size())};
  t.values.assign(v.begin(), v.end());
  return t;
}

// Values folded at import are held on the host as doubles: at most 2^24 of
// them per tensor (128 MiB), so a small file cannot ask for a huge fold.

void CheckFoldSize(const NodeContext& c, int64_t n) {
  if (n > kMaxFolded) {
    throw c.Unsupported(StrCat("a constant of ", n,
                               " elements is too large to fold at import "
                               "time (at most ",
                               kMaxFolded, ")"));
  }
}

// Row-major strides of `dims`.
static std::vector<int64_t> Strides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i) {
    s[i] = s[i + 1] * dims[i + 1];
  }
  return s;
}

// NumPy's broadcast of two shapes; nullopt when they do not broadcast.
std::optional<std::vector<int64_t>> BroadcastDims(std::vector<int64_t> a,
                                                  std::vector<int64_t> b) {
  if (a.size() < b.size()) std::swap(a, b);
  b.insert(b.begin(), a.size() - b.size(), 1);
  std::vector<int64_t> out(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i] || b[i] == 1) {
      out[i] = a[i];
    } else if (a[i] == 1) {
      out[i] = b[i];
    } else {
      return std::nullopt;
    }
  }
  return out;
}

// The element of `t` that output index `flat` (of `out_dims`) reads under
// broadcasting.
static int64_t BroadcastSource(const HostTensor& t,
                               const std::vector<int64_t>& out,
                               const std::vector<int64_t>& out_strides,
                               int64_t flat) {
  const size_t lead = out.size() - t.dims.size();
  int64_t src = 0, stride = 1;
  for (int i = static_cast<int>(t.dims.size()) - 1; i >= 0; --i) {
    const int64_t coord = (flat / out_strides[lead + i]) % out[lead + i];
    if (t.dims[i] != 1) src += coord * stride;
    stride *= t.dims[i];
  }
  return src;
}

HostTensor FoldBinary(const NodeContext& c, const HostTensor& a,
                      const HostTensor& b, double (*f)(double, double)) {
  const auto dims = BroadcastDims(a.dims, b.dims);
  if (!dims) {
    throw c.Invalid(StrCat("shapes ", PythonTuple(a.dims), " and ",
                           PythonTuple(b.dims), " do not broadcast"));
  }
  HostTensor out;
  out.type = a.type;
  out.dims = *dims;
  const int64_t n = CheckedCount(out.dims, c.Where());
  CheckFoldSize(c, n);
  const auto strides = Strides(out.dims);
  out.values.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    double v = f(a.values[BroadcastSource(a, out.dims, strides, i)],
                 b.values[BroadcastSource(b, out.dims, strides, i)]);
    if (out.IsInteger()) v = std::trunc(v);
    out.values[i] = v;
  }
  return out;
}

std::vector<int64_t> AxesArgument(NodeContext& c, int input, bool* given) {
  *given = true;
  if (c.opset() >= 13 && input >= 0) {
    if (!c.HasInput(input)) {
      *given = false;
      return {};
    }
    return c.RequireConstant(input, "axes").Int64s();
  }
  *given = c.HasAttr("axes");
  return c.Ints("axes");
}

namespace {

// ---- constants and shapes ----

void ConvertConstant(NodeContext& c) {
  std::optional<HostTensor> t = c.Tensor("value");
  if (c.HasAttr("value_float")) {
    t = HostTensor{TensorProto::FLOAT, {}, {c.Float("value_float", 0)}, {}};
  } else if (c.HasAttr("value_floats")) {
    c.Ignore("value_floats");
    const auto& attr = c.node().attribute();
    for (const auto& a : attr) {
      if (a.name() != "value_floats") continue;
      t = HostTensor{TensorProto::FLOAT,
                     {a.floats_size()},
                     std::vector<double>(a.floats().begin(), a.floats().end()),
                     {}};
    }
  } else if (c.HasAttr("value_int")) {
    t = HostTensor{TensorProto::INT64, {}, {double(c.Int("value_int", 0))}, {}};
  } else if (c.HasAttr("value_ints")) {
    t = IntVector(c.Ints("value_ints"));
  }
  if (!t) {
    throw c.Unsupported(
        "only value, value_float(s) and value_int(s) are supported (not "
        "sparse_value or strings)");
  }
  c.SetConstant(0, *t);
}

void ConvertIdentity(NodeContext& c) {
  if (const HostTensor* t = c.Constant(0)) {
    c.SetConstant(0, *t);
    return;
  }
  c.SetOutput(0, c.Op("_copy", {c.Input(0)}));
}

void ConvertShape(NodeContext& c) {
  const std::vector<int64_t> dims = c.RequireDims(0, "Shape");
  const int64_t rank = static_cast<int64_t>(dims.size());
  int64_t start = c.Int("start", 0), end = c.Int("end", rank);
  start = std::clamp(start < 0 ? start + rank : start, int64_t{0}, rank);
  end = std::clamp(end < 0 ? end + rank : end, int64_t{0}, rank);
  HostTensor t = IntVector({});
  for (int64_t i = start; i < end; ++i) {
    if (dims[i] < 0) {
      throw c.Unsupported(StrCat("extent ", i, " of '", c.node().input(0),
                                 "' is not static; mx folds Shape at import"));
    }
    t.values.push_back(static_cast<double>(dims[i]));
    t.sources.push_back({c.node().input(0), i});
  }
  t.dims = {static_cast<int64_t>(t.values.size())};
  c.SetConstant(0, t);
}

void ConvertSize(NodeContext& c) {
  const std::vector<int64_t> dims = c.RequireDims(0, "Size");
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) throw c.Unsupported("the input's shape is not static");
    n *= d;
  }
  c.SetConstant(0, HostTensor{TensorProto::INT64, {}, {double(n)}, {}});
}

void ConvertConstantOfShape(NodeContext& c) {
  const HostTensor& shape = c.RequireConstant(0, "the shape");
  HostTensor value{TensorProto::FLOAT, {1}, {0.0}, {}};
  if (auto v = c.Tensor("value")) value = *v;
  HostTensor out;
  out.type = value.type;
  out.dims = shape.Int64s();
  const int64_t n = CheckedCount(out.dims, c.Where());
  CheckFoldSize(c, n);
  out.values.assign(n, value.values.empty() ? 0.0 : value.values[0]);
  c.SetConstant(0, out);
}

void ConvertRange(NodeContext& c) {
  const double start = c.RequireConstant(0, "start").values.at(0);
  const double limit = c.RequireConstant(1, "limit").values.at(0);
  const double delta = c.RequireConstant(2, "delta").values.at(0);
  if (delta == 0) throw c.Invalid("delta is 0");
  const double count = std::max(0.0, std::ceil((limit - start) / delta));
  CheckFoldSize(
      c, count > kMaxFolded ? kMaxFolded + 1 : static_cast<int64_t>(count));
  HostTensor out;
  out.type = c.Constant(0)->type;
  out.dims = {static_cast<int64_t>(count)};
  for (int64_t i = 0; i < out.dims[0]; ++i) {
    out.values.push_back(start + i * delta);
  }
  c.SetConstant(0, out);
}

// Input 0 converted to ONNX type `to`: folded for a constant, else mx's
// Cast (UnsupportedError for types mx lacks).
void CastTo(NodeContext& c, int to) {
  c.Ignore("saturate");
  if (const HostTensor* t = c.Constant(0)) {
    HostTensor out = *t;
    out.type = to;
    if (out.IsInteger()) {
      for (double& v : out.values) {
        v = to == TensorProto::BOOL ? (v != 0) : std::trunc(v);
      }
    } else if (to == TensorProto::FLOAT) {
      for (double& v : out.values) v = static_cast<float>(v);
    }
    c.SetConstant(0, out);
    return;
  }
  DType dtype;
  try {
    dtype = ToMxType(to, c.op_type() + "'s target type");
  } catch (const Error& e) {
    throw c.Unsupported(e.what());
  }
  c.SetOutput(0, c.Op("Cast", {c.Input(0)}, {{"dtype", DTypeName(dtype)}}));
}

void ConvertCast(NodeContext& c) {
  CastTo(c, static_cast<int>(c.Int("to", 0)));
}

void ConvertCastLike(NodeContext& c) {
  const int to = c.InputType(1);
  if (to == 0) throw c.Unsupported("the type of 'target_type' is unknown");
  CastTo(c, to);
}

// ---- reshaping ----

// DepthToSpace / SpaceToDepth as Reshape, transpose, Reshape (static C, H,
// W; the batch axis stays free).
void ConvertDepthSpace(NodeContext& c, bool to_space) {
  const int64_t b = c.Int("blocksize", 0);
  const std::string mode = to_space ? c.String("mode", "DCR") : "DCR";
  const std::vector<int64_t> x = c.RequireDims(0, c.op_type());
  if (b < 1) throw c.Invalid(StrCat("blocksize ", b, " must be at least 1"));
  if (x.size() != 4 || x[1] < 0 || x[2] < 0 || x[3] < 0) {
    throw c.Unsupported("data other than 4-D with static C, H, W");
  }
  const int64_t ch = x[1], h = x[2], w = x[3];
  std::vector<int64_t> split, perm, merged;
  if (to_space) {
    if (ch % (b * b) != 0) throw c.Invalid("channels not divisible by b^2");
    const int64_t cb = ch / (b * b);
    if (mode == "DCR") {
      split = {0, b, b, cb, h, w};
      perm = {0, 3, 4, 1, 5, 2};
    } else if (mode == "CRD") {
      split = {0, cb, b, b, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      throw c.Invalid(StrCat("mode '", mode, "'"));
    }
    merged = {0, cb, h * b, w * b};
  } else {
    if (h % b != 0 || w % b != 0) throw c.Invalid("H or W not divisible");
    split = {0, ch, h / b, b, w / b, b};
    perm = {0, 3, 5, 1, 2, 4};
    merged = {0, ch * b * b, h / b, w / b};
  }
  Symbol y = c.Op("Reshape", {c.Input(0)}, {{"shape", split}}, "_split");
  y = c.Op("transpose", {y}, {{"axes", perm}}, "_transpose");
  c.SetOutput(0, c.Op("Reshape", {y}, {{"shape", merged}}));
}

void ConvertReshape(NodeContext& c) {
  const bool allowzero = c.Int("allowzero", 0) != 0;
  std::vector<int64_t> shape;
  const HostTensor* spec = nullptr;
  if (c.opset() < 5) {
    shape = c.Ints("shape");
  } else {
    spec = &c.RequireConstant(1, "the target shape");
    shape = spec->Int64s();
  }
  if (const HostTensor* t = c.Constant(0)) {
    HostTensor out = *t;
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 0 && !allowzero) shape[i] = t->dims.at(i);
      if (shape[i] == -1) {
        infer = static_cast<int64_t>(i);
      } else {
        known *= shape[i];
      }
    }
    if (infer >= 0) shape[infer] = known == 0 ? 0 : t->size() / known;
    out.dims = shape;
    if (CheckedCount(shape, c.Where()) != t->size()) {
      throw c.Invalid(StrCat("cannot reshape ", PythonTuple(t->dims), " to ",
                             PythonTuple(shape)));
    }
    c.SetConstant(0, out);
    return;
  }
  // Elements that are the data's own extent at the same position (x.view(
  // x.size(0), -1)) become mx's code 0, so the batch size stays free.
  for (size_t i = 0; i < shape.size(); ++i) {
    if (spec != nullptr && i < spec->sources.size() &&
        spec->sources[i].tensor == c.node().input(0) &&
        spec->sources[i].axis == static_cast<int64_t>(i)) {
      shape[i] = 0;
    } else if (shape[i] == 0 && allowzero) {
      throw c.Unsupported("allowzero=1 with a 0 extent (an empty tensor)");
    } else if (shape[i] < -1) {
      throw c.Invalid(
          StrCat("shape ", PythonTuple(shape), " has extent ", shape[i]));
    }
  }
  c.SetOutput(0, c.Op("Reshape", {c.Input(0)}, {{"shape", shape}}));
}

void ConvertFlatten(NodeContext& c) {
  const std::vector<int64_t> dims = c.RequireDims(0, "Flatten");
  const int64_t rank = static_cast<int64_t>(dims.size());
  int64_t axis = c.Int("axis", 1);
  axis = axis < 0 ? axis + rank : axis;
  if (axis < 0 || axis > rank) throw c.Invalid("axis out of range");
  if (axis == 1 && rank >= 2) {
    c.SetOutput(0, c.Op("Flatten", {c.Input(0)}));
    return;
  }
  std::vector<int64_t> shape;
  if (axis == 0) {
    shape = {1, -1};
  } else {
    int64_t lead = 1;
    for (int64_t i = 0; i < axis; ++i) {
      if (dims[i] < 0) throw c.Unsupported("leading extents are not static");
      lead *= dims[i];
    }
    shape = {lead, -1};
    if (axis == rank) shape = {lead, 1};
  }
  c.SetOutput(0, c.Op("Reshape", {c.Input(0)}, {{"shape", shape}}));
}

void ConvertTranspose(NodeContext& c) {
  const std::vector<int64_t> perm = c.Ints("perm");
  if (const HostTensor* t = c.Constant(0)) {
    const int64_t rank = static_cast<int64_t>(t->dims.size());
    std::vector<int64_t> p = perm;
    if (p.empty()) {
      for (int64_t i = rank - 1; i >= 0; --i) p.push_back(i);
    }
    std::vector<int64_t> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < rank; ++i) {
      if (static_cast<int64_t>(sorted.size()) != rank || sorted[i] != i) {
        throw c.Invalid(StrCat("perm ", PythonTuple(p),
                               " is not a permutation of the ", rank, " axes"));
      }
    }
    HostTensor out = *t;
    out.sources.clear();
    out.dims.resize(rank);
    for (int64_t i = 0; i < rank; ++i) out.dims[i] = t->dims.at(p.at(i));
    const auto in_strides = Strides(t->dims);
    const auto out_strides = Strides(out.dims);
    for (int64_t flat = 0; flat < t->size(); ++flat) {
      int64_t src = 0;
      for (int64_t i = 0; i < rank; ++i) {
        src += (flat / out_strides[i]) % out.dims[i] * in_strides[p[i]];
      }
      out.values[flat] = t->values[src];
    }
    c.SetConstant(0, out);
    return;
  }
  Kwargs kw;
  if (!perm.empty()) kw.emplace_back("axes", perm);
  c.SetOutput(0, c.Op("transpose", {c.Input(0)}, kw));
}

void ConvertSqueeze(NodeContext& c) {
  bool given;
  std::vector<int64_t> axes = AxesArgument(c, 1, &given);
  const std::vector<int64_t> dims = c.RequireDims(0, "Squeeze");
  const int64_t rank = static_cast<int64_t>(dims.size());
  for (int64_t& a : axes) a = NormalizeAxis(c, a, rank);
  if (!given) {
    for (int64_t i = 0; i < rank; ++i) {
      if (dims[i] == 1) axes.push_back(i);
      if (dims[i] < 0) throw c.Unsupported("squeezing unknown extents");
    }
  }
  for (int64_t a : axes) {
    if (dims[a] != 1) {
      throw c.Invalid(StrCat("axis ", a, " has extent ", dims[a], ", not 1"));
    }
  }
  if (const HostTensor* t = c.Constant(0)) {
    HostTensor out = *t;
    out.dims.clear();
    for (int64_t i = 0; i < rank; ++i) {
      if (std::find(axes.begin(), axes.end(), i) == axes.end()) {
        out.dims.push_back(dims[i]);
      }
    }
    c.SetConstant(0, out);
    return;
  }
  if (axes.size() == dims.size()) {  // to a scalar: mx keeps (1,)
    c.SetOutput(0, c.Op("Reshape", {c.Input(0)}, {{"shape", {1}}}));
    return;
  }
  c.SetOutput(0, c.Op("squeeze", {c.Input(0)}, {{"axis", axes}}));
}

void ConvertUnsqueeze(NodeContext& c) {
  bool given;
  std::vector<int64_t> axes = AxesArgument(c, 1, &given);
  if (!given) throw c.Invalid("no axes");
  const std::vector<int64_t> dims = c.RequireDims(0, "Unsqueeze");
  const int64_t out_rank = static_cast<int64_t>(dims.size() + axes.size());
  for (int64_t& a : axes) a = NormalizeAxis(c, a, out_rank);
  std::sort(axes.begin(), axes.end());
  if (const HostTensor* t = c.Constant(0)) {
    HostTensor out = *t;
    out.dims = dims;
    for (int64_t a : axes) out.dims.insert(out.dims.begin() + a, 1);
    c.SetConstant(0, out);
    return;
  }
  Symbol s = c.Input(0);
  for (size_t i = 0; i < axes.size(); ++i) {
    s = c.Op("expand_dims", {s}, {{"axis", axes[i]}},
             i + 1 == axes.size() ? "" : StrCat("_", i));
  }
  c.SetOutput(0, s);
}

void ConvertConcat(NodeContext& c) {
  const int64_t axis_attr = c.Int("axis", 1);
  bool all_constant = true;
  for (int i = 0; i < c.NumInputs(); ++i) {
    all_constant = all_constant && c.Constant(i) != nullptr;
  }
  if (all_constant) {
    const HostTensor& first = *c.Constant(0);
    const int64_t rank = static_cast<int64_t>(first.dims.size());
    const int64_t axis = NormalizeAxis(c, axis_attr, rank);
    for (int i = 1; i < c.NumInputs(); ++i) {
      std::vector<int64_t> a = first.dims, b = c.Constant(i)->dims;
      if (a.size() != b.size()) throw c.Invalid("inputs differ in rank");
      a[axis] = b[axis] = 0;
      if (a != b) throw c.Invalid("inputs differ outside the axis");
    }
    HostTensor out = first;
    out.values.clear();
    out.sources.clear();
    out.dims[axis] = 0;
    bool sources = rank == 1;
    for (int i = 0; i < c.NumInputs(); ++i) {
      out.dims[axis] += c.Constant(i)->dims.at(axis);
    }
    int64_t outer = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= first.dims[i];
    for (int64_t o = 0; o < outer; ++o) {
      for (int i = 0; i < c.NumInputs(); ++i) {
        const HostTensor& t = *c.Constant(i);
        const int64_t chunk = t.size() / std::max<int64_t>(outer, 1);
        for (int64_t k = 0; k < chunk; ++k) {
          out.values.push_back(t.values[o * chunk + k]);
          if (sources) {
            out.sources.push_back(t.sources.empty() ? DimSource{}
                                                    : t.sources[o * chunk + k]);
          }
        }
      }
    }
    c.SetConstant(0, out);
    return;
  }
  const std::vector<int64_t> dims = c.RequireDims(0, "Concat");
  const int64_t axis =
      NormalizeAxis(c, axis_attr, static_cast<int64_t>(dims.size()));
  std::vector<Symbol> inputs;
  for (int i = 0; i < c.NumInputs(); ++i) inputs.push_back(c.Input(i));
  c.SetOutput(
      0, c.Op("Concat", inputs, {{"dim", axis}, {"num_args", c.NumInputs()}}));
}

void ConvertSplit(NodeContext& c) {
  const std::vector<int64_t> dims = c.RequireDims(0, "Split");
  const int64_t rank = static_cast<int64_t>(dims.size());
  const int64_t axis = NormalizeAxis(c, c.Int("axis", 0), rank);
  std::vector<int64_t> split;
  if (c.opset() >= 13) {
    if (c.HasInput(1)) split = c.RequireConstant(1, "split").Int64s();
  } else {
    split = c.Ints("split");
  }
  const int n = c.NumOutputs();
  if (dims[axis] < 0 && !split.empty()) {
    throw c.Unsupported("the split axis's extent is not static");
  }
  bool equal = split.empty();
  if (!split.empty()) {
    if (static_cast<int>(split.size()) != n) {
      throw c.Invalid(StrCat(split.size(), " split sizes for ", n, " outputs"));
    }
    equal = std::all_of(split.begin(), split.end(),
                        [&](int64_t s) { return s == split[0]; });
  }
  if (equal) {
    Symbol s = c.Op("SliceChannel", {c.Input(0)},
                    {{"num_outputs", n}, {"axis", axis}});
    for (int i = 0; i < n; ++i) c.SetOutput(i, n == 1 ? s : s[i]);
    return;
  }
  Symbol x = c.Input(0);
  int64_t begin = 0;
  for (int i = 0; i < n; ++i) {
    c.SetOutput(
        i, c.Op("slice_axis", {x},
                {{"axis", axis}, {"begin", begin}, {"end", begin + split[i]}},
                StrCat("_", i)));
    begin += split[i];
  }
}

void ConvertSlice(NodeContext& c) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (c.opset() < 10) {
    starts = c.Ints("starts");
    ends = c.Ints("ends");
    axes = c.Ints("axes");
  } else {
    starts = c.RequireConstant(1, "starts").Int64s();
    ends = c.RequireConstant(2, "ends").Int64s();
    if (c.HasInput(3)) axes = c.RequireConstant(3, "axes").Int64s();
    if (c.HasInput(4)) steps = c.RequireConstant(4, "steps").Int64s();
  }
  const std::vector<int64_t> dims = c.RequireDims(0, "Slice");
  const int64_t rank = static_cast<int64_t>(dims.size());
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(i);
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    throw c.Invalid("starts, ends, axes and steps differ in length");
  }
  // Per axis: begin / end as mx's slice reads them (None = open).
  std::vector<std::optional<int64_t>> begin(rank), end(rank), step(rank);
  int64_t last = -1;
  for (size_t k = 0; k < axes.size(); ++k) {
    const int64_t a = NormalizeAxis(c, axes[k], rank);
    const int64_t d = dims[a];
    if (steps[k] == 0) throw c.Invalid("a step is 0");
    if (d < 0) throw c.Unsupported(StrCat("axis ", a, "'s extent is unknown"));
    // ONNX's clamping: starts to [0, d] ([0, d-1] when stepping back), ends
    // to [0, d] ([-1, d-1] backwards, -1 meaning before the first element).
    int64_t s =
        starts[k] < 0 ? std::max<int64_t>(starts[k], -d) + d : starts[k];
    int64_t e = ends[k] < 0 ? (ends[k] < -d ? -1 : ends[k] + d) : ends[k];
    if (steps[k] > 0) {
      s = std::clamp<int64_t>(s, 0, d);
      e = std::clamp<int64_t>(e, 0, d);
      begin[a] = s;
      end[a] = e;
    } else {
      s = std::clamp<int64_t>(s, 0, d - 1);
      e = std::clamp<int64_t>(e, -1, d - 1);
      begin[a] = s;
      if (e >= 0) end[a] = e;
    }
    step[a] = steps[k];
    last = std::max(last, a);
  }
  if (const HostTensor* t = c.Constant(0)) {
    if (rank == 1) {
      HostTensor out = *t;
      out.values.clear();
      out.sources.clear();
      const int64_t st = step[0].value_or(1);
      const int64_t b = begin[0].value_or(0);
      const int64_t e = end[0].value_or(st > 0 ? dims[0] : -1);
      for (int64_t i = b; st > 0 ? i < e : i > e; i += st) {
        out.values.push_back(t->values.at(i));
        if (!t->sources.empty()) out.sources.push_back(t->sources.at(i));
      }
      out.dims = {static_cast<int64_t>(out.values.size())};
      c.SetConstant(0, out);
      return;
    }
  }
  std::vector<std::string> b, e, s;
  for (int64_t a = 0; a <= last; ++a) {
    b.push_back(begin[a] ? std::to_string(*begin[a]) : "None");
    e.push_back(end[a] ? std::to_string(*end[a]) : "None");
    s.push_back(step[a] ? std::to_string(*step[a]) : "None");
  }
  c.SetOutput(0, c.Op("slice", {c.Input(0)},
                      {{"begin", PythonTupleOf(b)},
                       {"end", PythonTupleOf(e)},
                       {"step", PythonTupleOf(s)}}));
}

void ConvertGather(NodeContext& c) {
  const std::vector<int64_t> dims = c.RequireDims(0, "Gather");
  const int64_t rank = static_cast<int64_t>(dims.size());
  const int64_t axis = NormalizeAxis(c, c.Int("axis", 0), rank);
  const HostTensor* data = c.Constant(0);
  const HostTensor* indices = c.Constant(1);
  if (indices != nullptr) {
    for (double v : indices->values) {
      if (dims[axis] >= 0 && (v < -dims[axis] || v >= dims[axis])) {
        throw c.Invalid(StrCat("index ", v, " is out of range for extent ",
                               dims[axis], " of axis ", axis));
      }
    }
  }
  if (data != nullptr && indices != nullptr) {
    HostTensor out;
    out.type = data->type;
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= dims[i];
    for (int64_t i = axis + 1; i < rank; ++i) inner *= dims[i];
    out.dims.assign(dims.begin(), dims.begin() + axis);
    out.dims.insert(out.dims.end(), indices->dims.begin(), indices->dims.end());
    out.dims.insert(out.dims.end(), dims.begin() + axis + 1, dims.end());
    const bool sources = rank == 1 && !data->sources.empty();
    CheckFoldSize(c, CheckedCount(out.dims, c.Where()));
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k = 0; k < indices->size(); ++k) {
        int64_t idx = indices->AsInt64(k);
        if (idx < 0) idx += dims[axis];
        for (int64_t i = 0; i < inner; ++i) {
          const int64_t src = (o * dims[axis] + idx) * inner + i;
          out.values.push_back(data->values[src]);
          if (sources) out.sources.push_back(data->sources[src]);
        }
      }
    }
    c.SetConstant(0, out);
    return;
  }
  Symbol idx;
  if (indices != nullptr) {
    HostTensor fixed = *indices;
    for (double& v : fixed.values) {
      if (v < 0) v += dims[axis];
    }
    fixed.type = TensorProto::FLOAT;  // mx's take reads float indices
    idx = c.ConstantVariable(fixed, "_indices");
  } else {
    idx = c.Input(1);
    const int t = c.InputType(1);
    if (t != TensorProto::FLOAT && t != 0) {
      idx = c.Op("Cast", {idx}, {{"dtype", "float32"}}, "_indices");
    }
  }
  // Indices computed by the graph may be negative: 'wrap' maps -1 to the
  // last element, as ONNX does.
  c.SetOutput(0, c.Op("take", {c.Input(0, "weight"), idx},
                      {{"axis", axis},
                       {"mode", indices != nullptr ? "clip" : "wrap"}}));
}

void ConvertExpand(NodeContext& c) {
  const std::vector<int64_t> shape =
      c.RequireConstant(1, "the target shape").Int64s();
  const std::vector<int64_t> dims = c.RequireDims(0, "Expand");
  const auto out = BroadcastDims(dims, shape);
  if (!out) {
    throw c.Invalid(StrCat(PythonTuple(dims), " does not broadcast to ",
                           PythonTuple(shape)));
  }
  Symbol x = c.Input(0);
  if (out->size() > dims.size()) {
    std::vector<int64_t> padded(out->size() - dims.size(), 1);
    padded.insert(padded.end(), dims.begin(), dims.end());
    for (int64_t d : padded) {
      if (d < 0) throw c.Unsupported("the input's shape is not static");
    }
    x = c.Op("Reshape", {x}, {{"shape", padded}}, "_reshape");
  }
  c.SetOutput(0, c.Op("broadcast_to", {x}, {{"shape", *out}}));
}

void ConvertTile(NodeContext& c) {
  const std::vector<int64_t> reps = c.RequireConstant(1, "repeats").Int64s();
  c.SetOutput(0, c.Op("tile", {c.Input(0)}, {{"reps", reps}}));
}

}  // namespace

void AddTensorConverters(std::map<std::string, Converter>* t) {
  auto& table = *t;
  table["Constant"] = ConvertConstant;
  table["Identity"] = ConvertIdentity;
  table["Shape"] = ConvertShape;
  table["Size"] = ConvertSize;
  table["ConstantOfShape"] = ConvertConstantOfShape;
  table["Range"] = ConvertRange;
  table["Cast"] = ConvertCast;
  table["CastLike"] = ConvertCastLike;
  table["DepthToSpace"] = [](NodeContext& c) { ConvertDepthSpace(c, true); };
  table["SpaceToDepth"] = [](NodeContext& c) { ConvertDepthSpace(c, false); };
  table["Reshape"] = ConvertReshape;
  table["Flatten"] = ConvertFlatten;
  table["Transpose"] = ConvertTranspose;
  table["Squeeze"] = ConvertSqueeze;
  table["Unsqueeze"] = ConvertUnsqueeze;
  table["Concat"] = ConvertConcat;
  table["Split"] = ConvertSplit;
  table["Slice"] = ConvertSlice;
  table["Gather"] = ConvertGather;
  table["Expand"] = ConvertExpand;
  table["Tile"] = ConvertTile;
}

}  // namespace onnx_io
}  // namespace mx
