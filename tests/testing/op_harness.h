// The shared op test harness (Note [Reference kernels]): every op case is
// run through the same checks, on every registered CPU kernel variant:
//   - the output shapes inferred for the case equal the expected ones;
//   - every kernel variant matches the reference (float32, forward and
//     backward, write and add), the GPU kernels too where a GPU is usable
//     (a random op's GPU outputs pass the case's check_random_outputs, and
//     its backward matches the reference's given those outputs);
//   - the reference's backward matches central differences in float64 for
//     every input that takes a gradient;
//   - add accumulation: backward with req add adds to what was there;
//   - bad input data raises the expected mx::Error in every variant.
// Case tables live beside the op tests and register with MX_OP_CASES.
#ifndef MX_TESTS_TESTING_OP_HARNESS_H_
#define MX_TESTS_TESTING_OP_HARNESS_H_

#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/base/shape.h"
#include "core/op/op.h"

namespace mx::testing {

struct OpCase {
  std::string name;  // unique test name, e.g. "conv_3x3_pad1"
  std::string op;
  AttrDict params;
  // Shapes of some inputs by name; inference fills in the rest.
  std::map<std::string, Shape> shapes;
  // Expected shapes of the visible outputs (checked against inference).
  std::vector<Shape> outputs;
  // Fills input `name` (default uniform in [-1, 1)).
  std::function<void(const std::string& name, std::vector<double>* values,
                     std::mt19937_64* rng)>
      init;
  // A scalar loss of the outputs whose gradient the op's backward returns,
  // for loss ops that ignore the head gradient; default: a random
  // projection of every visible output.
  std::function<double(const std::vector<std::vector<double>>& inputs,
                       const std::vector<std::vector<double>>& outputs)>
      loss;
  // For ops drawing random numbers: "" when the outputs of a kernel on
  // another device (which draws other numbers) are right for the inputs,
  // else the problem.
  std::function<std::string(const std::vector<std::vector<double>>& inputs,
                            const std::vector<std::vector<double>>& outputs)>
      check_random_outputs;
  bool is_train = true;
  bool check_gradient = true;
  // Inputs not checked numerically (non-differentiable, e.g. indices).
  std::vector<std::string> skip_gradient;
  // When set, every kernel variant's forward must raise an mx::Error whose
  // message contains this text (bad input data); nothing else is checked.
  std::string expect_error;
  double grad_tolerance = 1e-5;
  double variant_tolerance = 1e-4;
};

// All registered cases, in registration order.
std::vector<OpCase>& AllOpCases();

// Registers the cases returned by `fn` at static initialization.
struct OpCaseRegistrar {
  explicit OpCaseRegistrar(std::vector<OpCase> (*fn)());
};

// Runs every check on one case; gtest failures name the case, the variant,
// the array and the first differing element.
void CheckOpCase(const OpCase& c);

// Fill helpers for OpCase::init.
// Integers in [0, n) (class labels, embedding indices).
void FillIndices(std::vector<double>* values, int n, std::mt19937_64* rng);
// Uniform in [low, high).
void FillUniform(std::vector<double>* values, double low, double high,
                 std::mt19937_64* rng);

}  // namespace mx::testing

#define MX_OP_CASES_CONCAT_INNER(a, b) a##b
#define MX_OP_CASES_CONCAT(a, b) MX_OP_CASES_CONCAT_INNER(a, b)
// Registers a function returning std::vector<OpCase>.
#define MX_OP_CASES(fn)                                                  \
  static ::mx::testing::OpCaseRegistrar MX_OP_CASES_CONCAT(mx_op_cases_, \
                                                           __COUNTER__)(fn)

#endif  // MX_TESTS_TESTING_OP_HARNESS_H_
