// Harness cases of SequenceMask, SequenceLast and SequenceReverse, with and
// without lengths, time first and batch first.
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

// Lengths 2, 4 and 1 of three sequences of 4 steps.
void FillLengths(const std::string& n, std::vector<double>* v,
                 std::mt19937_64* rng) {
  if (n == "sequence_length") {
    *v = {2, 4, 1};
    return;
  }
  FillUniform(v, -1, 1, rng);
}

std::vector<OpCase> SequenceCases() {
  std::vector<OpCase> cases;
  for (const char* op : {"SequenceMask", "SequenceLast", "SequenceReverse"}) {
    const std::string name = op;
    const bool last = name == "SequenceLast";
    OpCase all{name + "_whole_sequences",
               name,
               {},
               {{"data", Shape{4, 3, 2}}},
               {last ? Shape{3, 2} : Shape{4, 3, 2}}};
    OpCase lengths{name + "_lengths_time_first",
                   name,
                   {{"use_sequence_length", "True"}, {"value", "-2"}},
                   {{"data", Shape{4, 3, 2}}},
                   {last ? Shape{3, 2} : Shape{4, 3, 2}}};
    lengths.init = FillLengths;
    OpCase batch_first = lengths;
    batch_first.name = name + "_lengths_batch_first";
    batch_first.params = {{"use_sequence_length", "True"}, {"axis", "1"}};
    batch_first.shapes = {{"data", Shape{3, 4, 2}}};
    batch_first.outputs = {last ? Shape{3, 2} : Shape{3, 4, 2}};
    OpCase too_long = lengths;
    too_long.name = name + "_length_too_long";
    too_long.init = [](const std::string& n, std::vector<double>* v,
                       std::mt19937_64* rng) {
      FillLengths(n, v, rng);
      if (n == "sequence_length") (*v)[1] = 5;
    };
    too_long.expect_error = "sequence_length 5 of sequence 1 is not an integer";
    cases.insert(cases.end(), {all, lengths, batch_first, too_long});
  }
  return cases;
}

MX_OP_CASES(SequenceCases);

}  // namespace
}  // namespace mx::testing
