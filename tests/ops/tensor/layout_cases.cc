// Harness cases of the axis ops (transpose, SwapAxis, expand_dims, squeeze,
// reverse, slice, _slice_assign, slice_axis, Crop, repeat, tile), dot /
// batch_dot, and the indexing ops (one_hot, argmax, topk, take, pick, where).
#include <string>

#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

std::vector<OpCase> AxisCases() {
  return {
      {"transpose_reverse",
       "transpose",
       {},
       {{"data", Shape{2, 3, 4}}},
       {Shape{4, 3, 2}}},
      {"transpose_perm",
       "transpose",
       {{"axes", "(1, 0, -1)"}},
       {{"data", Shape{2, 3, 4}}},
       {Shape{3, 2, 4}}},
      {"transpose_perm4",
       "transpose",
       {{"axes", "(2, 0, 3, 1)"}},
       {{"data", Shape{2, 3, 4, 5}}},
       {Shape{4, 2, 5, 3}}},
      // The optimized kernel's cases: trailing axes unmoved, rows of 5, 6
      // and 12 elements.
      {"transpose_heads",
       "transpose",
       {{"axes", "(0, 2, 1, 3)"}},
       {{"data", Shape{2, 3, 4, 5}}},
       {Shape{2, 4, 3, 5}}},
      {"swapaxis_keep_last",
       "SwapAxis",
       {{"dim1", "1"}, {"dim2", "2"}},
       {{"data", Shape{2, 3, 4, 6}}},
       {Shape{2, 4, 3, 6}}},
      {"transpose_two_trailing_kept",
       "transpose",
       {{"axes", "(1, 0, 2, 3)"}},
       {{"data", Shape{3, 2, 4, 3}}},
       {Shape{2, 3, 4, 3}}},
      {"swapaxis_0_2",
       "SwapAxis",
       {{"dim1", "0"}, {"dim2", "2"}},
       {{"data", Shape{2, 3, 5}}},
       {Shape{5, 3, 2}}},
      {"expand_dims_middle",
       "expand_dims",
       {{"axis", "1"}},
       {{"data", Shape{3, 4}}},
       {Shape{3, 1, 4}}},
      {"expand_dims_last",
       "expand_dims",
       {{"axis", "-1"}},
       {{"data", Shape{3, 4}}},
       {Shape{3, 4, 1}}},
      {"squeeze_all",
       "squeeze",
       {},
       {{"data", Shape{1, 3, 1, 4}}},
       {Shape{3, 4}}},
      {"squeeze_axis",
       "squeeze",
       {{"axis", "2"}},
       {{"data", Shape{1, 3, 1, 4}}},
       {Shape{1, 3, 4}}},
      {"slice_axis_middle",
       "slice_axis",
       {{"axis", "1"}, {"begin", "1"}, {"end", "4"}},
       {{"data", Shape{2, 5, 3}}},
       {Shape{2, 3, 3}}},
      {"slice_axis_negative",
       "slice_axis",
       {{"axis", "-1"}, {"begin", "-2"}, {"end", "None"}},
       {{"data", Shape{2, 5, 3}}},
       {Shape{2, 5, 2}}},
      {"reverse_first_and_last",
       "reverse",
       {{"axis", "(0, -1)"}},
       {{"data", Shape{2, 3, 4}}},
       {Shape{2, 3, 4}}},
      {"flip_middle",
       "flip",
       {{"axis", "1"}},
       {{"data", Shape{3, 5, 2}}},
       {Shape{3, 5, 2}}},
      {"slice_steps_and_none",
       "slice",
       {{"begin", "(1, None, -1)"},
        {"end", "(None, 1, 0)"},
        {"step", "(2, -1, -2)"}},
       {{"data", Shape{5, 4, 6}}},
       {Shape{2, 2, 3}}},
      {"crop_leading_axes",
       "crop",
       {{"begin", "(0, 1)"}, {"end", "(2, 3)"}},
       {{"data", Shape{3, 4, 2}}},
       {Shape{2, 2, 2}}},
      {"slice_assign_strided",
       "_slice_assign",
       {{"begin", "(None, 1)"}, {"end", "(None, None)"}, {"step", "(-1, 2)"}},
       {{"lhs", Shape{3, 5}}, {"rhs", Shape{3, 2}}},
       {Shape{3, 5}}},
      {"repeat_axis",
       "repeat",
       {{"repeats", "3"}, {"axis", "-2"}},
       {{"data", Shape{2, 3, 2}}},
       {Shape{2, 9, 2}}},
      {"repeat_flattened",
       "repeat",
       {{"repeats", "2"}},
       {{"data", Shape{2, 3}}},
       {Shape{12}}},
      {"tile_more_reps_than_axes",
       "tile",
       {{"reps", "(2, 1, 3)"}},
       {{"data", Shape{3, 2}}},
       {Shape{2, 3, 6}}},
      {"tile_fewer_reps",
       "tile",
       {{"reps", "(2,)"}},
       {{"data", Shape{2, 2, 3}}},
       {Shape{2, 2, 6}}},
      {"crop_offset",
       "Crop",
       {{"num_args", "1"}, {"offset", "(1, 2)"}, {"h_w", "(3, 2)"}},
       {{"data", Shape{2, 2, 5, 6}}},
       {Shape{2, 2, 3, 2}}},
      {"crop_like_center",
       "Crop",
       {{"num_args", "2"}, {"center_crop", "1"}},
       {{"data", Shape{1, 2, 7, 6}}, {"crop_like", Shape{1, 1, 4, 3}}},
       {Shape{1, 2, 4, 3}}},
  };
}

std::vector<OpCase> DotCases() {
  std::vector<OpCase> cases;
  struct T {
    const char* tag;
    const char* ta;
    const char* tb;
    Shape lhs, rhs, out;
  };
  const T kDot[] = {
      {"nn", "False", "False", Shape{3, 4}, Shape{4, 5}, Shape{3, 5}},
      {"tn", "True", "False", Shape{4, 3}, Shape{4, 5}, Shape{3, 5}},
      {"nt", "False", "True", Shape{3, 4}, Shape{5, 4}, Shape{3, 5}},
      {"tt", "True", "True", Shape{4, 3}, Shape{5, 4}, Shape{3, 5}},
      {"3d_2d", "False", "False", Shape{2, 3, 4}, Shape{4, 5}, Shape{2, 3, 5}},
      {"vec", "False", "False", Shape{6}, Shape{6}, Shape{1}},
  };
  for (const T& t : kDot) {
    cases.push_back({std::string("dot_") + t.tag,
                     "dot",
                     {{"transpose_a", t.ta}, {"transpose_b", t.tb}},
                     {{"lhs", t.lhs}, {"rhs", t.rhs}},
                     {t.out}});
  }
  const T kBatch[] = {
      {"nn", "False", "False", Shape{2, 3, 4}, Shape{2, 4, 5}, Shape{2, 3, 5}},
      {"tn", "True", "False", Shape{2, 4, 3}, Shape{2, 4, 5}, Shape{2, 3, 5}},
      {"nt", "False", "True", Shape{2, 3, 4}, Shape{2, 5, 4}, Shape{2, 3, 5}},
      {"tt", "True", "True", Shape{2, 4, 3}, Shape{2, 5, 4}, Shape{2, 3, 5}},
  };
  for (const T& t : kBatch) {
    cases.push_back({std::string("batch_dot_") + t.tag,
                     "batch_dot",
                     {{"transpose_a", t.ta}, {"transpose_b", t.tb}},
                     {{"lhs", t.lhs}, {"rhs", t.rhs}},
                     {t.out}});
  }
  return cases;
}

// Distinct values (argmax / topk ties).
void Distinct(const std::string&, std::vector<double>* v,
              std::mt19937_64* rng) {
  FillUniform(v, -1, 1, rng);
  for (size_t i = 0; i < v->size(); ++i) (*v)[i] += 1e-3 * i;
}

std::vector<OpCase> IndexingCases() {
  std::vector<OpCase> cases;
  OpCase one_hot{"one_hot_depth5",
                 "one_hot",
                 {{"depth", "5"}},
                 {{"indices", Shape{2, 3}}},
                 {Shape{2, 3, 5}}};
  one_hot.init = [](const std::string&, std::vector<double>* v,
                    std::mt19937_64* rng) { FillIndices(v, 7, rng); };
  cases.push_back(one_hot);
  for (const char* op : {"argmax", "argmin"}) {
    OpCase c{std::string(op) + "_axis1",
             op,
             {{"axis", "1"}},
             {{"data", Shape{3, 4, 2}}},
             {Shape{3, 2}}};
    c.init = Distinct;
    cases.push_back(c);
    OpCase all{std::string(op) + "_flat_keep",
               op,
               {{"keepdims", "True"}},
               {{"data", Shape{3, 4}}},
               {Shape{1, 1}}};
    all.init = Distinct;
    cases.push_back(all);
  }
  OpCase channel{"argmax_channel_rows",
                 "argmax_channel",
                 {},
                 {{"data", Shape{4, 6}}},
                 {Shape{4}}};
  channel.init = Distinct;
  cases.push_back(channel);
  struct TopK {
    const char* ret;
    std::vector<Shape> outputs;
  };
  for (const TopK& t :
       {TopK{"value", {Shape{3, 2, 5}}}, TopK{"indices", {Shape{3, 2, 5}}},
        TopK{"mask", {Shape{3, 4, 5}}},
        TopK{"both", {Shape{3, 2, 5}, Shape{3, 2, 5}}}}) {
    OpCase c{std::string("topk_") + t.ret,
             "topk",
             {{"axis", "1"}, {"k", "2"}, {"ret_typ", t.ret}},
             {{"data", Shape{3, 4, 5}}},
             t.outputs};
    c.init = Distinct;
    cases.push_back(c);
  }
  OpCase ascend{"topk_ascend_last",
                "topk",
                {{"k", "3"}, {"ret_typ", "value"}, {"is_ascend", "True"}},
                {{"data", Shape{2, 6}}},
                {Shape{2, 3}}};
  ascend.init = Distinct;
  cases.push_back(ascend);
  // take: indices out of range are clamped or wrapped (repeats included,
  // so the gradient adds up).
  for (const char* mode : {"clip", "wrap"}) {
    OpCase c{std::string("take_axis1_") + mode,
             "take",
             {{"axis", "1"}, {"mode", mode}},
             {{"a", Shape{2, 4, 3}}, {"indices", Shape{2, 3}}},
             {Shape{2, 2, 3, 3}}};
    c.init = [](const std::string& name, std::vector<double>* v,
                std::mt19937_64* rng) {
      if (name != "indices") return FillUniform(v, -1, 1, rng);
      FillIndices(v, 6, rng);
      (*v)[0] = -1;
    };
    c.skip_gradient = {"indices"};
    cases.push_back(c);
  }
  OpCase raise{"take_raise_out_of_range",
               "take",
               {{"mode", "raise"}},
               {{"a", Shape{4, 2}}, {"indices", Shape{3}}},
               {Shape{3, 2}}};
  raise.init = [](const std::string& name, std::vector<double>* v,
                  std::mt19937_64* rng) {
    if (name != "indices") return FillUniform(v, -1, 1, rng);
    *v = {0, 4, 1};
  };
  raise.expect_error = "index 4 is out of range; expected 0 <= index < 4";
  cases.push_back(raise);
  OpCase pick{"pick_rows",
              "pick",
              {},
              {{"data", Shape{5, 4}}, {"index", Shape{5}}},
              {Shape{5}}};
  pick.init = [](const std::string& name, std::vector<double>* v,
                 std::mt19937_64* rng) {
    if (name == "index") return FillIndices(v, 4, rng);
    FillUniform(v, -1, 1, rng);
  };
  pick.skip_gradient = {"index"};
  cases.push_back(pick);
  OpCase pick_axis{"pick_axis0_keep",
                   "pick",
                   {{"axis", "0"}, {"keepdims", "True"}},
                   {{"data", Shape{3, 4}}},
                   {Shape{1, 4}}};
  pick_axis.init = pick.init;
  pick_axis.skip_gradient = {"index"};
  cases.push_back(pick_axis);
  for (const Shape& cond : {Shape{3, 4}, Shape{3}}) {
    OpCase c{"where_cond_" + std::to_string(cond.ndim()) + "d",
             "where",
             {},
             {{"condition", cond}, {"x", Shape{3, 4}}, {"y", Shape{3, 4}}},
             {Shape{3, 4}}};
    c.init = [](const std::string& name, std::vector<double>* v,
                std::mt19937_64* rng) {
      if (name == "condition") return FillIndices(v, 2, rng);
      FillUniform(v, -1, 1, rng);
    };
    cases.push_back(c);
  }
  return cases;
}

MX_OP_CASES(AxisCases);
MX_OP_CASES(DotCases);
MX_OP_CASES(IndexingCases);

}  // namespace
}  // namespace mx::testing
