// Harness cases of the elementwise math ops: the unary table, BlockGrad,
// MakeLoss, clip, the broadcast / same-shape / scalar binary forms, the
// reductions and broadcast_to / broadcast_axis.
#include <cmath>
#include <string>

#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

using Init = std::function<void(const std::string&, std::vector<double>*,
                                std::mt19937_64*)>;

Init Uniform(double low, double high) {
  return [=](const std::string&, std::vector<double>* v, std::mt19937_64* r) {
    FillUniform(v, low, high, r);
  };
}

// Uniform in [low, high) with |x| >= 0.05: away from kinks at 0.
Init AwayFromZero(double low, double high) {
  return [=](const std::string&, std::vector<double>* v, std::mt19937_64* r) {
    FillUniform(v, low, high, r);
    for (double& x : *v) {
      if (std::fabs(x) < 0.05) x += x < 0 ? -0.1 : 0.1;
    }
  };
}

std::vector<OpCase> UnaryCases() {
  struct Domain {
    const char* op;
    Init init;
  };
  const Domain kOps[] = {
      {"abs", AwayFromZero(-2, 2)},    {"sign", AwayFromZero(-2, 2)},
      {"round", Uniform(-3, 3)},       {"rint", Uniform(-3, 3)},
      {"ceil", Uniform(-3, 3)},        {"floor", Uniform(-3, 3)},
      {"trunc", Uniform(-3, 3)},       {"negative", Uniform(-2, 2)},
      {"reciprocal", Uniform(0.5, 2)}, {"square", Uniform(-2, 2)},
      {"sqrt", Uniform(0.5, 2)},       {"rsqrt", Uniform(0.5, 2)},
      {"cbrt", Uniform(0.5, 2)},       {"exp", Uniform(-2, 2)},
      {"expm1", Uniform(-2, 2)},       {"log", Uniform(0.5, 2)},
      {"log2", Uniform(0.5, 2)},       {"log10", Uniform(0.5, 2)},
      {"log1p", Uniform(-0.5, 2)},     {"sin", Uniform(-3, 3)},
      {"cos", Uniform(-3, 3)},         {"tan", Uniform(-1, 1)},
      {"arcsin", Uniform(-0.8, 0.8)},  {"arccos", Uniform(-0.8, 0.8)},
      {"arctan", Uniform(-2, 2)},      {"sinh", Uniform(-2, 2)},
      {"cosh", Uniform(-2, 2)},        {"tanh", Uniform(-2, 2)},
      {"arcsinh", Uniform(-2, 2)},     {"arccosh", Uniform(1.2, 3)},
      {"arctanh", Uniform(-0.8, 0.8)}, {"degrees", Uniform(-2, 2)},
      {"radians", Uniform(-2, 2)},     {"sigmoid", Uniform(-3, 3)},
      {"relu", AwayFromZero(-2, 2)},   {"softsign", AwayFromZero(-2, 2)},
      {"erf", Uniform(-2, 2)},         {"gelu", Uniform(-3, 3)},
      {"_copy", Uniform(-2, 2)},       {"BlockGrad", Uniform(-2, 2)},
  };
  std::vector<OpCase> cases;
  for (const Domain& d : kOps) {
    OpCase c{std::string("unary_") + d.op,
             d.op,
             {},
             {{"data", Shape{3, 37}}},
             {Shape{3, 37}}};
    c.init = d.init;
    cases.push_back(c);
  }
  OpCase clip{"clip_both_sides",
              "clip",
              {{"a_min", "-0.5"}, {"a_max", "0.75"}},
              {{"data", Shape{4, 9}}},
              {Shape{4, 9}}};
  clip.init = [](const std::string&, std::vector<double>* v,
                 std::mt19937_64* r) {
    FillUniform(v, -2, 2, r);
    for (double& x : *v) {
      if (std::fabs(x + 0.5) < 0.02 || std::fabs(x - 0.75) < 0.02) x += 0.05;
    }
  };
  cases.push_back(clip);
  // MakeLoss: backward gives grad_scale / normalization, not the head
  // gradient; the loss whose gradient that is: sum(out) * scale.
  for (const char* norm : {"null", "batch"}) {
    OpCase c{std::string("make_loss_") + norm,
             "MakeLoss",
             {{"grad_scale", "0.5"}, {"normalization", norm}},
             {{"data", Shape{4, 6}}},
             {Shape{4, 6}}};
    const double scale = std::string(norm) == "batch" ? 0.5 / 4 : 0.5;
    c.loss = [scale](const std::vector<std::vector<double>>&,
                     const std::vector<std::vector<double>>& out) {
      double s = 0;
      for (double v : out[0]) s += v;
      return s * scale;
    };
    cases.push_back(c);
  }
  return cases;
}

// Operand values where every binary op is smooth: positive (powers, logs),
// and lhs, rhs never close (maximum's tie, mod's jumps).
void BinaryInit(const std::string& name, std::vector<double>* v,
                std::mt19937_64* r) {
  if (name == "rhs") {
    FillUniform(v, 0.6, 0.9, r);
  } else {
    FillUniform(v, 1.1, 1.7, r);
    for (size_t i = 0; i < v->size(); i += 3) (*v)[i] -= 0.8;  // below rhs
  }
}

std::vector<OpCase> BinaryCases() {
  std::vector<OpCase> cases;
  const char* kAll[] = {
      "add",         "sub",        "mul",           "div",    "mod",
      "power",       "maximum",    "minimum",       "hypot",  "equal",
      "not_equal",   "greater",    "greater_equal", "lesser", "lesser_equal",
      "logical_and", "logical_or", "logical_xor"};
  // Shapes that broadcast each way, a rank difference, and equal shapes.
  struct Pair {
    const char* tag;
    Shape lhs, rhs, out;
  };
  const Pair kPairs[] = {
      {"rows", Shape{4, 5}, Shape{1, 5}, Shape{4, 5}},
      {"both", Shape{3, 1, 5}, Shape{1, 4, 1}, Shape{3, 4, 5}},
      {"rank", Shape{2, 3, 4}, Shape{4}, Shape{2, 3, 4}},
      {"same", Shape{2, 7}, Shape{2, 7}, Shape{2, 7}},
  };
  for (const char* op : kAll) {
    for (const Pair& p : kPairs) {
      OpCase c{std::string("broadcast_") + op + "_" + p.tag,
               std::string("broadcast_") + op,
               {},
               {{"lhs", p.lhs}, {"rhs", p.rhs}},
               {p.out}};
      c.init = BinaryInit;
      cases.push_back(c);
    }
  }
  for (const char* op :
       {"mod", "maximum", "minimum", "hypot", "equal", "not_equal", "greater",
        "greater_equal", "lesser", "lesser_equal", "logical_and", "logical_or",
        "logical_xor"}) {
    OpCase c{std::string("same_") + op,
             std::string("_") + op,
             {},
             {{"lhs", Shape{3, 11}}, {"rhs", Shape{3, 11}}},
             {Shape{3, 11}}};
    c.init = BinaryInit;
    cases.push_back(c);
  }
  for (const char* op :
       {"mod", "hypot", "equal", "not_equal", "greater", "greater_equal",
        "lesser", "lesser_equal", "logical_and", "logical_or", "logical_xor"}) {
    OpCase c{std::string("scalar_") + op,
             std::string("_") + op + "_scalar",
             {{"scalar", "0.75"}},
             {{"data", Shape{5, 6}}},
             {Shape{5, 6}}};
    c.init = [](const std::string&, std::vector<double>* v,
                std::mt19937_64* r) {
      FillUniform(v, 0.3, 2.5, r);
      for (double& x : *v) {
        if (std::fabs(std::fmod(x, 0.75)) < 0.02) x += 0.05;
      }
    };
    cases.push_back(c);
  }
  // smooth_l1 with sigma 2: quadratic inside |x| < 0.25, linear outside
  // (values kept off the kink).
  OpCase smooth{"smooth_l1_sigma2",
                "smooth_l1",
                {{"scalar", "2"}},
                {{"data", Shape{4, 6}}},
                {Shape{4, 6}}};
  smooth.init = [](const std::string&, std::vector<double>* v,
                   std::mt19937_64* r) {
    FillUniform(v, -1, 1, r);
    for (double& x : *v) {
      if (std::fabs(std::fabs(x) - 0.25) < 0.02) x += 0.05;
    }
  };
  cases.push_back(smooth);
  return cases;
}

std::vector<OpCase> ReduceCases() {
  std::vector<OpCase> cases;
  struct Axes {
    const char* tag;
    AttrDict params;
    Shape out;
  };
  const Shape in{3, 4, 5};
  const Axes kAxes[] = {
      {"all", {}, Shape{1}},
      {"axis1", {{"axis", "1"}}, Shape{3, 5}},
      {"axes02_keep",
       {{"axis", "(0, -1)"}, {"keepdims", "True"}},
       Shape{1, 4, 1}},
      {"exclude1", {{"axis", "1"}, {"exclude", "True"}}, Shape{4}},
  };
  for (const char* op :
       {"sum", "mean", "prod", "max", "min", "nansum", "nanprod", "norm"}) {
    for (const Axes& a : kAxes) {
      if (std::string(op) == "norm" && a.params.count("exclude")) continue;
      OpCase c{std::string("reduce_") + op + "_" + a.tag,
               op,
               a.params,
               {{"data", in}},
               {a.out}};
      // Away from 0 (norm's kink, prod's division) with distinct values
      // (max and min's ties).
      c.init = [](const std::string&, std::vector<double>* v,
                  std::mt19937_64* r) {
        FillUniform(v, 0.5, 1.5, r);
        for (size_t i = 0; i < v->size(); i += 2) (*v)[i] = -(*v)[i];
      };
      cases.push_back(c);
    }
  }
  cases.push_back(OpCase{"broadcast_to_rows",
                         "broadcast_to",
                         {{"shape", "(4, 0, 3)"}},
                         {{"data", Shape{1, 2, 3}}},
                         {Shape{4, 2, 3}}});
  cases.push_back(OpCase{"broadcast_axis_two",
                         "broadcast_axis",
                         {{"axis", "(0, 2)"}, {"size", "(3, 4)"}},
                         {{"data", Shape{1, 5, 1}}},
                         {Shape{3, 5, 4}}});
  return cases;
}

MX_OP_CASES(UnaryCases);
MX_OP_CASES(BinaryCases);
MX_OP_CASES(ReduceCases);

}  // namespace
}  // namespace mx::testing
