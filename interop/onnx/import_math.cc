// Converters of ONNX's elementwise arithmetic and math, reductions and
// Clip (folded at import when every input is a constant). See Note [ONNX
// import].
#include <cmath>
#include <limits>

#include "core/base/strings.h"
#include "interop/onnx/import_context.h"
#include "interop/onnx/import_fold.h"

namespace mx {
namespace onnx_io {
namespace {

using onnx::TensorProto;

// ---- elementwise ----

struct BinarySpec {
  const char* broadcast_op;
  const char* scalar_op;   // x op c
  const char* rscalar_op;  // c op x
  double (*fold)(double, double);
};

double kPowFold(double x, double y) { return std::pow(x, y); }

void ConvertBinary(NodeContext& c, const BinarySpec& spec) {
  if (c.opset() < 7 || c.HasAttr("broadcast") || c.HasAttr("axis")) {
    throw c.Unsupported("the legacy broadcast / axis attributes (opset < 7)");
  }
  const HostTensor* a = c.Constant(0);
  const HostTensor* b = c.Constant(1);
  if (a != nullptr && b != nullptr) {
    c.SetConstant(0, FoldBinary(c, *a, *b, spec.fold));
    return;
  }
  const auto da = c.Dims(0), db = c.Dims(1);
  if (b != nullptr && b->size() == 1 && da && b->dims.size() <= da->size() &&
      spec.scalar_op != nullptr) {
    c.SetOutput(0,
                c.Op(spec.scalar_op, {c.Input(0)}, {{"scalar", b->values[0]}}));
    return;
  }
  if (a != nullptr && a->size() == 1 && db && a->dims.size() <= db->size() &&
      spec.rscalar_op != nullptr) {
    c.SetOutput(
        0, c.Op(spec.rscalar_op, {c.Input(1)}, {{"scalar", a->values[0]}}));
    return;
  }
  Symbol rhs = c.Input(1);
  // Pow's exponent may have another type than the base: mx computes in the
  // base's.
  const int ta = c.InputType(0), tb = c.InputType(1);
  if (spec.fold == kPowFold && ta != tb && ta != 0 && tb != 0) {
    rhs = c.Op("Cast", {rhs},
               {{"dtype", DTypeName(ToMxType(ta, "Pow's base"))}}, "_cast");
  }
  c.SetOutput(0, c.Op(spec.broadcast_op, {c.Input(0), rhs}));
}

const BinarySpec kAdd{"broadcast_add", "_plus_scalar", "_plus_scalar",
                      [](double x, double y) { return x + y; }};
const BinarySpec kSub{"broadcast_sub", "_minus_scalar", "_rminus_scalar",
                      [](double x, double y) { return x - y; }};
const BinarySpec kMul{"broadcast_mul", "_mul_scalar", "_mul_scalar",
                      [](double x, double y) { return x * y; }};
const BinarySpec kDiv{"broadcast_div", "_div_scalar", "_rdiv_scalar",
                      [](double x, double y) { return x / y; }};
const BinarySpec kPow{"broadcast_power", "_power_scalar", "_rpower_scalar",
                      kPowFold};
const BinarySpec kMax{"broadcast_maximum", "_maximum_scalar", "_maximum_scalar",
                      [](double x, double y) { return std::max(x, y); }};
const BinarySpec kMin{"broadcast_minimum", "_minimum_scalar", "_minimum_scalar",
                      [](double x, double y) { return std::min(x, y); }};

// Sum, Max, Min, Mean of any number of inputs: pairwise broadcast ops.
void ConvertVariadic(NodeContext& c, const BinarySpec& spec, bool mean) {
  const int n = c.NumInputs();
  if (n == 0) throw c.Invalid("no inputs");
  bool all_constant = true;
  for (int i = 0; i < n; ++i) all_constant &= c.Constant(i) != nullptr;
  if (all_constant) {
    HostTensor acc = *c.Constant(0);
    for (int i = 1; i < n; ++i)
      acc = FoldBinary(c, acc, *c.Constant(i), spec.fold);
    if (mean) {
      for (double& v : acc.values) v /= n;
    }
    c.SetConstant(0, acc);
    return;
  }
  Symbol acc = c.Input(0);
  for (int i = 1; i < n; ++i) {
    acc = c.Op(spec.broadcast_op, {acc, c.Input(i)}, {},
               i + 1 == n && !mean ? "" : StrCat("_", i));
  }
  if (n == 1 && !mean) acc = c.Op("_copy", {acc});
  if (mean) acc = c.Op("_div_scalar", {acc}, {{"scalar", double(n)}});
  c.SetOutput(0, acc);
}

struct UnarySpec {
  const char* op;
  double (*fold)(double);
};

void ConvertUnary(NodeContext& c, const UnarySpec& spec) {
  if (const HostTensor* t = c.Constant(0); t != nullptr && spec.fold) {
    HostTensor out = *t;
    out.sources.clear();
    for (double& v : out.values) v = spec.fold(v);
    c.SetConstant(0, out);
    return;
  }
  c.SetOutput(0, c.Op(spec.op, {c.Input(0)}));
}

// ---- reductions ----

void ConvertReduce(NodeContext& c, const std::string& kind) {
  const bool keepdims = c.Int("keepdims", 1) != 0;
  bool given;
  std::vector<int64_t> axes =
      AxesArgument(c, kind == "ReduceSum" ? 1 : -1, &given);
  if (kind == "ReduceSum" && c.opset() >= 13) {
    if (!given && c.Int("noop_with_empty_axes", 0) != 0) {
      c.SetOutput(0, c.Op("_copy", {c.Input(0)}));
      return;
    }
  }
  const std::vector<int64_t> dims = c.RequireDims(0, kind);
  const int64_t rank = static_cast<int64_t>(dims.size());
  for (int64_t& a : axes) a = NormalizeAxis(c, a, rank);
  if (axes.empty()) {
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  }
  Kwargs kw{{"axis", axes}, {"keepdims", keepdims}};
  Symbol x = c.Input(0);
  Symbol out;
  if (kind == "ReduceMean") {
    out = c.Op("mean", {x}, kw);
  } else if (kind == "ReduceSum") {
    out = c.Op("sum", {x}, kw);
  } else if (kind == "ReduceMax") {
    out = c.Op("max", {x}, kw);
  } else if (kind == "ReduceMin") {
    out = c.Op("min", {x}, kw);
  } else if (kind == "ReduceProd") {
    out = c.Op("prod", {x}, kw);
  } else if (kind == "ReduceSumSquare") {
    out = c.Op("sum", {c.Op("square", {x}, {}, "_square")}, kw);
  } else if (kind == "ReduceL1") {
    out = c.Op("sum", {c.Op("abs", {x}, {}, "_abs")}, kw);
  } else if (kind == "ReduceL2") {
    out = c.Op("sqrt",
               {c.Op("sum", {c.Op("square", {x}, {}, "_square")}, kw, "_sum")});
  } else if (kind == "ReduceLogSum") {
    out = c.Op("log", {c.Op("sum", {x}, kw, "_sum")});
  } else {  // ReduceLogSumExp, stable: m + log(sum(exp(x - m)))
    Kwargs keep{{"axis", axes}, {"keepdims", true}};
    Symbol m = c.Op("max", {x}, keep, "_max");
    Symbol e =
        c.Op("exp", {c.Op("broadcast_sub", {x, m}, {}, "_shift")}, {}, "_exp");
    Symbol r =
        c.Op("broadcast_add",
             {c.Op("log", {c.Op("sum", {e}, keep, "_sum")}, {}, "_log"), m}, {},
             keepdims ? "" : "_keep");
    out = keepdims ? r : c.Op("squeeze", {r}, {{"axis", axes}});
  }
  c.SetOutput(0, out);
}

void ConvertArgReduce(NodeContext& c, const char* op) {
  if (c.Int("select_last_index", 0) != 0) {
    throw c.Unsupported("select_last_index=1 (mx returns the first index)");
  }
  const std::vector<int64_t> dims = c.RequireDims(0, op);
  const int64_t axis =
      NormalizeAxis(c, c.Int("axis", 0), static_cast<int64_t>(dims.size()));
  const bool keepdims = c.Int("keepdims", 1) != 0;
  Symbol idx =
      c.Op(op, {c.Input(0)}, {{"axis", axis}, {"keepdims", keepdims}}, "_f");
  c.SetOutput(0, c.Op("Cast", {idx}, {{"dtype", "int64"}}));
}

void ConvertClip(NodeContext& c) {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  if (c.opset() < 11) {
    lo = c.Float("min", lo);
    hi = c.Float("max", hi);
  } else {
    if (c.HasInput(1)) lo = c.RequireConstant(1, "min").values.at(0);
    if (c.HasInput(2)) hi = c.RequireConstant(2, "max").values.at(0);
  }
  c.SetOutput(0, c.Op("clip", {c.Input(0)}, {{"a_min", lo}, {"a_max", hi}}));
}

}  // namespace

void AddMathConverters(std::map<std::string, Converter>* t) {
  auto& table = *t;
  table["Clip"] = ConvertClip;
  table["Add"] = [](NodeContext& c) { ConvertBinary(c, kAdd); };
  table["Sub"] = [](NodeContext& c) { ConvertBinary(c, kSub); };
  table["Mul"] = [](NodeContext& c) { ConvertBinary(c, kMul); };
  table["Div"] = [](NodeContext& c) { ConvertBinary(c, kDiv); };
  table["Pow"] = [](NodeContext& c) { ConvertBinary(c, kPow); };
  table["Sum"] = [](NodeContext& c) { ConvertVariadic(c, kAdd, false); };
  table["Max"] = [](NodeContext& c) { ConvertVariadic(c, kMax, false); };
  table["Min"] = [](NodeContext& c) { ConvertVariadic(c, kMin, false); };
  table["Mean"] = [](NodeContext& c) { ConvertVariadic(c, kAdd, true); };
  const std::vector<std::pair<const char*, UnarySpec>> unary = {
      {"Neg", {"negative", [](double x) { return -x; }}},
      {"Abs", {"abs", [](double x) { return std::fabs(x); }}},
      {"Exp", {"exp", [](double x) { return std::exp(x); }}},
      {"Log", {"log", [](double x) { return std::log(x); }}},
      {"Sqrt", {"sqrt", [](double x) { return std::sqrt(x); }}},
      {"Reciprocal", {"reciprocal", [](double x) { return 1 / x; }}},
      {"Floor", {"floor", [](double x) { return std::floor(x); }}},
      {"Ceil", {"ceil", [](double x) { return std::ceil(x); }}},
      {"Round", {"rint", [](double x) { return std::nearbyint(x); }}},
      {"Sign", {"sign", nullptr}},
      {"Sin", {"sin", nullptr}},
      {"Cos", {"cos", nullptr}},
      {"Tan", {"tan", nullptr}},
      {"Asin", {"arcsin", nullptr}},
      {"Acos", {"arccos", nullptr}},
      {"Atan", {"arctan", nullptr}},
      {"Sinh", {"sinh", nullptr}},
      {"Cosh", {"cosh", nullptr}},
      {"Asinh", {"arcsinh", nullptr}},
      {"Acosh", {"arccosh", nullptr}},
      {"Atanh", {"arctanh", nullptr}},
      {"Erf", {"erf", nullptr}},
  };
  for (const auto& [name, spec] : unary) {
    const UnarySpec s = spec;
    table[name] = [s](NodeContext& c) { ConvertUnary(c, s); };
  }
  for (const char* r : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin",
                        "ReduceProd", "ReduceSumSquare", "ReduceL1", "ReduceL2",
                        "ReduceLogSum", "ReduceLogSumExp"}) {
    const std::string kind = r;
    table[r] = [kind](NodeContext& c) { ConvertReduce(c, kind); };
  }
  table["ArgMax"] = [](NodeContext& c) { ConvertArgReduce(c, "argmax"); };
  table["ArgMin"] = [](NodeContext& c) { ConvertArgReduce(c, "argmin"); };
}

}  // namespace onnx_io
}  // namespace mx
