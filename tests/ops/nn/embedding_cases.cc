// Harness cases of Embedding: lookups with repeated indices (the weight
// gradient scatter-adds) and indices that are not rows of the weight.
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

// Indices in [0, rows), then `bad` at position 2 when given.
OpCase EmbeddingCase(std::string name, Shape data, int rows, int dim, Shape out,
                     double bad = -2) {
  OpCase c{std::move(name),
           "Embedding",
           {{"input_dim", std::to_string(rows)},
            {"output_dim", std::to_string(dim)}},
           {{"data", data}},
           {out}};
  c.init = [rows, bad](const std::string& n, std::vector<double>* v,
                       std::mt19937_64* rng) {
    if (n != "data") return;
    FillIndices(v, rows, rng);
    if (bad != -2) (*v)[2] = bad;
  };
  return c;
}

std::vector<OpCase> EmbeddingCases() {
  OpCase too_big = EmbeddingCase("embedding_index_too_big", Shape{4}, 10, 3,
                                 Shape{4, 3}, 10);
  too_big.expect_error =
      "Embedding 'embedding_index_too_big': index 10 at position 2 is not a "
      "row of the weight: rows are integers in [0, 10) (input_dim)";
  OpCase negative = EmbeddingCase("embedding_index_negative", Shape{2, 3}, 5, 2,
                                  Shape{2, 3, 2}, -1);
  negative.expect_error = "index -1 at position 2 is not a row";
  OpCase fraction = EmbeddingCase("embedding_index_fraction", Shape{3}, 5, 2,
                                  Shape{3, 2}, 1.5);
  fraction.expect_error = "index 1.5 at position 2 is not a row";
  return {
      EmbeddingCase("embedding_2d", Shape{3, 4}, 10, 5, Shape{3, 4, 5}),
      EmbeddingCase("embedding_repeats", Shape{7}, 3, 2, Shape{7, 2}),
      too_big,
      negative,
      fraction,
  };
}

MX_OP_CASES(EmbeddingCases);

}  // namespace
}  // namespace mx::testing
