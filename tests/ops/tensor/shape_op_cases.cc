// Harness cases of the ops that move data: Flatten, Reshape, Concat,
// SliceChannel, add_n.
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> ShapeOpCases() {
  return {
      {"flatten_4d",
       "Flatten",
       {},
       {{"data", Shape{2, 3, 4, 5}}},
       {Shape{2, 60}}},
      {"reshape_specials",
       "Reshape",
       {{"shape", "(-4,1,2,-2)"}},
       {{"data", Shape{2, 3, 4}}},
       {Shape{1, 2, 3, 4}}},
      {"reshape_infer",
       "Reshape",
       {{"shape", "(0,-1)"}},
       {{"data", Shape{3, 5, 7}}},
       {Shape{3, 35}}},
      {"concat_axis1_4d",
       "Concat",
       {{"num_args", "3"}, {"dim", "1"}},
       {{"arg0", Shape{2, 1, 3, 3}},
        {"arg1", Shape{2, 4, 3, 3}},
        {"arg2", Shape{2, 2, 3, 3}}},
       {Shape{2, 7, 3, 3}}},
      {"concat_axis0_2d",
       "Concat",
       {{"num_args", "2"}, {"dim", "0"}},
       {{"arg0", Shape{3, 5}}, {"arg1", Shape{1, 5}}},
       {Shape{4, 5}}},
      {"concat_last_axis",
       "Concat",
       {{"num_args", "2"}, {"dim", "-1"}},
       {{"arg0", Shape{2, 3, 2}}, {"arg1", Shape{2, 3, 5}}},
       {Shape{2, 3, 7}}},
      {"concat_single",
       "Concat",
       {{"num_args", "1"}},
       {{"arg0", Shape{3, 5}}},
       {Shape{3, 5}}},
      {"slice_channel_2",
       "SliceChannel",
       {{"num_outputs", "2"}},
       {{"data", Shape{3, 4, 5}}},
       {Shape{3, 2, 5}, Shape{3, 2, 5}}},
      {"slice_channel_axis2_squeeze",
       "SliceChannel",
       {{"num_outputs", "3"}, {"axis", "2"}, {"squeeze_axis", "1"}},
       {{"data", Shape{2, 5, 3}}},
       {Shape{2, 5}, Shape{2, 5}, Shape{2, 5}}},
      {"add_n_1",
       "add_n",
       {{"num_args", "1"}},
       {{"arg0", Shape{7}}},
       {Shape{7}}},
      {"add_n_4",
       "add_n",
       {{"num_args", "4"}},
       {{"arg0", Shape{3, 11}},
        {"arg1", Shape{3, 11}},
        {"arg2", Shape{3, 11}},
        {"arg3", Shape{3, 11}}},
       {Shape{3, 11}}},
  };
}

MX_OP_CASES(ShapeOpCases);

}  // namespace
}  // namespace mx::testing
