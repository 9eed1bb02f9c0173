// Harness cases of Dropout: training, inference (identity), mode "always".
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> DropoutCases() {
  OpCase train{"dropout_train",
               "Dropout",
               {{"p", "0.3"}},
               {{"data", Shape{4, 25}}},
               {Shape{4, 25}}};
  OpCase test = train;
  test.name = "dropout_inference";
  test.is_train = false;
  OpCase always{"dropout_always",
                "Dropout",
                {{"p", "0.5"}, {"mode", "always"}},
                {{"data", Shape{3, 7}}},
                {Shape{3, 7}}};
  always.is_train = false;
  OpCase none{
      "dropout_p0", "Dropout", {{"p", "0"}}, {{"data", Shape{5}}}, {Shape{5}}};
  return {train, test, always, none};
}

MX_OP_CASES(DropoutCases);

}  // namespace
}  // namespace mx::testing
