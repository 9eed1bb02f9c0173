// Harness cases of the elementwise ops: binary arithmetic and the scalar ops.
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

// Values in [0.5, 2): division and powers stay smooth.
void Positive(const std::string&, std::vector<double>* v,
              std::mt19937_64* rng) {
  FillUniform(v, 0.5, 2, rng);
}

std::vector<OpCase> ElemwiseCases() {
  std::vector<OpCase> cases;
  const Shape odd{3, 5, 7};
  for (const char* op : {"elemwise_add", "elemwise_sub", "elemwise_mul",
                         "elemwise_div", "_power"}) {
    OpCase c{std::string(op) + "_3x5x7",
             op,
             {},
             {{"lhs", odd}, {"rhs", odd}},
             {odd}};
    c.init = Positive;
    cases.push_back(c);
    cases.push_back(OpCase{std::string(op) + "_scalar_shape",
                           op,
                           {},
                           {{"lhs", Shape{1}}, {"rhs", Shape{1}}},
                           {Shape{1}},
                           Positive});
  }
  for (const char* op :
       {"_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar",
        "_div_scalar", "_rdiv_scalar", "_power_scalar", "_rpower_scalar",
        "_maximum_scalar", "_minimum_scalar"}) {
    for (const char* s : {"1.5", "-0.75"}) {
      if (std::string(s)[0] == '-' && (std::string(op) == "_rpower_scalar")) {
        continue;  // negative base
      }
      OpCase c{std::string(op) + (s[0] == '-' ? "_neg" : "_pos"),
               op,
               {{"scalar", s}},
               {{"data", Shape{4, 33}}},
               {Shape{4, 33}}};
      c.init = Positive;
      if (std::string(op).find("imum") != std::string::npos) {
        // Around the scalar, away from the kink.
        c.init = [](const std::string&, std::vector<double>* v,
                    std::mt19937_64* rng) {
          FillUniform(v, -3, 3, rng);
          for (double& x : *v) {
            if (std::fabs(x - 1.5) < 0.01 || std::fabs(x + 0.75) < 0.01)
              x += 0.1;
          }
        };
      }
      cases.push_back(c);
    }
  }
  // The fused elemwise_add + ReLU: |lhs| < 0.4 <= |rhs|, so no sum is near
  // the kink, and both signs occur; 4 x 4111 values reach the optimized
  // kernel's threads, vector loops and tails.
  for (const Shape& shape : {Shape{3, 5, 7}, Shape{4, 4111}}) {
    OpCase c{"fused_add_relu_" + std::to_string(shape.Size()),
             "_fused_add_relu",
             {},
             {{"lhs", shape}, {"rhs", shape}},
             {shape}};
    c.init = [](const std::string& name, std::vector<double>* v,
                std::mt19937_64* rng) {
      if (name == "lhs") return FillUniform(v, -0.4, 0.4, rng);
      FillUniform(v, 0.5, 1, rng);
      for (size_t i = 0; i < v->size(); i += 2) (*v)[i] = -(*v)[i];
    };
    cases.push_back(c);
  }
  return cases;
}

MX_OP_CASES(ElemwiseCases);

}  // namespace
}  // namespace mx::testing
