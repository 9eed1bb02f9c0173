// Parameter structs and the op registry, with a test-only op.
#include "core/op/param.h"

#include <gtest/gtest.h>

#include "core/op/op.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using testing::MessageOf;

struct DemoParam {
  int64_t count = 0;
  double rate = 0;
  bool flag = false;
  std::string mode;
  std::vector<int64_t> window;
  std::optional<int64_t> limit;

  static void Declare(ParamDeclarer<DemoParam>* d) {
    d->Field("count", &DemoParam::count).Required().Range(1, 10).Doc("Count.");
    d->Field("rate", &DemoParam::rate).Default(0.5).Min(0).Doc("Rate.");
    d->Field("flag", &DemoParam::flag).Default(true).Doc("Flag.");
    d->Field("mode", &DemoParam::mode)
        .Default("fast")
        .Enum({"fast", "slow"})
        .Doc("Mode.");
    d->Field("window", &DemoParam::window).Default({1, 1}).Min(1).Doc("Win.");
    d->Field("limit", &DemoParam::limit).Default(std::nullopt).Doc("Limit.");
    d->Check([](const DemoParam& p) -> std::string {
      return p.mode == "slow" && p.count > 5 ? "slow mode takes count <= 5"
                                             : "";
    });
  }
};

DemoParam Parse(const AttrDict& attrs) {
  static const auto schema = MakeParamSchema<DemoParam>();
  return std::any_cast<DemoParam>(schema->Parse(attrs, "Demo 'd'"));
}

std::string ParseError(const AttrDict& attrs) {
  return MessageOf([&] { Parse(attrs); });
}

TEST(Params, DefaultsAndParsing) {
  DemoParam p = Parse({{"count", "3"}});
  EXPECT_EQ(p.count, 3);
  EXPECT_EQ(p.rate, 0.5);
  EXPECT_TRUE(p.flag);
  EXPECT_EQ(p.mode, "fast");
  EXPECT_EQ(p.window, (std::vector<int64_t>{1, 1}));
  EXPECT_FALSE(p.limit.has_value());
  p = Parse({{"count", " 5 "},
             {"rate", "1e-3"},
             {"flag", "False"},
             {"mode", "slow"},
             {"window", "[2,3L]"},
             {"limit", "7"},
             {"__hidden__", "anything"}});
  EXPECT_EQ(p.count, 5);
  EXPECT_EQ(p.rate, 1e-3);
  EXPECT_FALSE(p.flag);
  EXPECT_EQ(p.window, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(*p.limit, 7);
  EXPECT_EQ(Parse({{"count", "1"}, {"window", "(5,)"}}).window,
            (std::vector<int64_t>{5}));
  EXPECT_EQ(Parse({{"count", "1"}, {"window", "4"}}).window,
            (std::vector<int64_t>{4}));
  EXPECT_TRUE(Parse({{"count", "1"}, {"window", "()"}}).window.empty());
  EXPECT_TRUE(Parse({{"count", "1"}, {"flag", "1"}}).flag);
}

TEST(Params, ErrorsNameTheParameterAndExpectation) {
  EXPECT_EQ(ParseError({}),
            "Demo 'd': missing required parameter 'count' (int, 1 <= value <= "
            "10: Count.)");
  EXPECT_EQ(ParseError({{"count", "1"}, {"rat", "1"}}),
            "Demo 'd': unknown parameter 'rat'; did you mean 'rate'?; valid "
            "parameters: count, rate, flag, mode, window, limit");
  EXPECT_EQ(ParseError({{"count", "11"}}),
            "Demo 'd': parameter 'count' = \"11\": out of range; expected 1 "
            "<= value <= 10");
  EXPECT_EQ(ParseError({{"count", "2.5"}}),
            "Demo 'd': parameter 'count' = \"2.5\": expected an integer");
  EXPECT_EQ(ParseError({{"count", "1"}, {"flag", "yes"}}),
            "Demo 'd': parameter 'flag' = \"yes\": expected True or False");
  EXPECT_EQ(ParseError({{"count", "1"}, {"rate", "-1"}}),
            "Demo 'd': parameter 'rate' = \"-1\": out of range; expected "
            "value >= 0");
  EXPECT_EQ(ParseError({{"count", "1"}, {"rate", "nan"}}),
            "Demo 'd': parameter 'rate' = \"nan\": expected a number, not NaN");
  EXPECT_EQ(ParseError({{"count", "1"}, {"mode", "slo"}}),
            "Demo 'd': parameter 'mode' = \"slo\": expected one of 'fast', "
            "'slow'; did you mean 'slow'?");
  EXPECT_EQ(ParseError({{"count", "1"}, {"window", "(2, 0)"}}),
            "Demo 'd': parameter 'window' = \"(2, 0)\": element 0: out of "
            "range; expected value >= 1");
  EXPECT_EQ(ParseError({{"count", "1"}, {"window", "(2, 3"}}),
            "Demo 'd': parameter 'window' = \"(2, 3\": expected a tuple of "
            "integers such as (3, 3) or (5,)");
  EXPECT_EQ(ParseError({{"count", "9"}, {"mode", "slow"}}),
            "Demo 'd': slow mode takes count <= 5");
}

TEST(Params, ListsOfNames) {
  using Names = std::vector<std::string>;
  const auto parse = [](const std::string& text) {
    Names out;
    const std::string problem = ParamTraits<Names>::Parse(text, &out);
    return problem.empty() ? out : Names{"<" + problem + ">"};
  };
  EXPECT_EQ(parse("cpu"), Names({"cpu"}));
  EXPECT_EQ(parse("[a, 'b', \"c\"]"), Names({"a", "b", "c"}));
  EXPECT_EQ(parse("(cpu(0), cpu(1))"), Names({"cpu(0)", "cpu(1)"}));
  EXPECT_EQ(parse("(a,)"), Names({"a"}));
  EXPECT_EQ(parse("()"), Names());
  EXPECT_EQ(parse("[ ]"), Names());
  for (const char* bad : {"", "(a, b", "[a,,b]", "(,)", "(a))", "[(a]"}) {
    EXPECT_EQ(parse(bad),
              Names({"<expected a list of names such as [a, b] or a single "
                     "name>"}))
        << bad;
  }
  EXPECT_EQ(ParamTraits<Names>::Print({"a", "b"}), "(a, b)");
  EXPECT_EQ(parse(ParamTraits<Names>::Print({"cpu(0)", "x"})),
            Names({"cpu(0)", "x"}));
}

TEST(Params, TuplesWithNone) {
  using Ints = OptionalInts;
  const auto parse = [](const std::string& text, Ints* out) {
    return ParamTraits<Ints>::Parse(text, out);
  };
  Ints v;
  EXPECT_EQ(parse("(1, None, -2)", &v), "");
  EXPECT_EQ(v, Ints({1, std::nullopt, -2}));
  EXPECT_EQ(parse("[None]", &v), "");
  EXPECT_EQ(v, Ints({std::nullopt}));
  EXPECT_EQ(parse("(3,)", &v), "");
  EXPECT_EQ(v, Ints({3}));
  EXPECT_EQ(parse("4", &v), "");
  EXPECT_EQ(v, Ints({4}));
  EXPECT_EQ(parse("()", &v), "");
  EXPECT_EQ(v, Ints());
  for (const char* bad : {"", "(1, 2", "[1,,2]", "(,)", "(none)", "(1.5)"}) {
    EXPECT_EQ(parse(bad, &v),
              "expected a tuple of integers or None such as (0, None) or (2,)")
        << bad;
  }
  EXPECT_EQ(ParamTraits<Ints>::Print({0, std::nullopt}), "(0, None)");
  EXPECT_EQ(ParamTraits<Ints>::Print({std::nullopt}), "(None,)");
}

TEST(Params, PrintAndDoc) {
  static const auto schema = MakeParamSchema<DemoParam>();
  const AttrDict printed = schema->Print(schema->Parse({{"count", "2"}}, "x"));
  EXPECT_EQ(printed, (AttrDict{{"count", "2"},
                               {"flag", "True"},
                               {"limit", "None"},
                               {"mode", "fast"},
                               {"rate", "0.5"},
                               {"window", "(1, 1)"}}));
  const std::string doc = schema->Doc();
  EXPECT_NE(doc.find("count : int, required, 1 <= value <= 10. Count."),
            std::string::npos)
      << doc;
  EXPECT_NE(doc.find("mode : {'fast', 'slow'}, default=fast. Mode."),
            std::string::npos)
      << doc;
}

MX_REGISTER_OP(_TestOnlyOp)
    .Describe("test op")
    .Params<DemoParam>()
    .Inputs({"data", "weight"})
    .AuxStates({"state"})
    .Outputs({"output", "hidden"})
    .VisibleOutputs([](const NodeAttrs&) { return 1; })
    .Backward([](const NodeAttrs&) {
      return BackwardDeps{{0}, {0}, {}};
    })
    .NoGradient({"weight"});

TEST(OpRegistry, DeclarationQueries) {
  const OpDef& op = OpRegistry::Global().Get("_TestOnlyOp");
  const NodeAttrs attrs = MakeNodeAttrs(op, "t", {{"count", "2"}});
  EXPECT_EQ(attrs.params<DemoParam>().count, 2);
  EXPECT_EQ(attrs.Where(), "_TestOnlyOp 't'");
  EXPECT_EQ(op.ListArguments(attrs),
            (std::vector<std::string>{"data", "weight"}));
  EXPECT_EQ(op.ListInputs(attrs),
            (std::vector<std::string>{"data", "weight", "state"}));
  EXPECT_EQ(op.ListOutputs(attrs),
            (std::vector<std::string>{"output", "hidden"}));
  EXPECT_EQ(op.NumVisibleOutputs(attrs), 1);
  EXPECT_FALSE(op.IsLoss(attrs));
  EXPECT_EQ(op.no_gradient(), (std::vector<std::string>{"weight"}));
  EXPECT_EQ(op.GetBackwardDeps(attrs).inputs, (std::vector<int>{0}));
  EXPECT_NE(MessageOf([&] {
              MakeNodeAttrs(op, "t", {});
            }).find("_TestOnlyOp 't': missing required parameter 'count'"),
            std::string::npos);
  EXPECT_NE(MessageOf([] { OpRegistry::Global().Get("_TestOnlyOpp"); })
                .find("unknown operator '_TestOnlyOpp'; did you mean "
                      "'_TestOnlyOp'?"),
            std::string::npos);
  EXPECT_THROW(OpRegistry::Global().Register("_TestOnlyOp"), InternalError);
}

TEST(PartialShapeTest, MergeAndPrint) {
  PartialShape unknown;
  EXPECT_FALSE(unknown.rank_known());
  EXPECT_EQ(unknown.ToString(), "?");
  PartialShape a{-1, 3};
  EXPECT_EQ(a.ToString(), "(?,3)");
  EXPECT_FALSE(a.IsKnown());
  EXPECT_EQ(a.ProdRange(0, 2), -1);
  EXPECT_TRUE(a.Merge(PartialShape{4, -1}));
  EXPECT_EQ(a, PartialShape({4, 3}));
  EXPECT_EQ(a.ToShape(), (Shape{4, 3}));
  EXPECT_FALSE(a.Merge(PartialShape{4, 5}));
  EXPECT_FALSE(a.Merge(PartialShape{4}));
  EXPECT_EQ(a, PartialShape({4, 3}));
  EXPECT_TRUE(unknown.Merge(a));
  EXPECT_EQ(unknown, a);
  EXPECT_EQ(PartialShape{5}.ToString(), "(5,)");
  EXPECT_THROW(PartialShape({-2}), Error);
}

}  // namespace
}  // namespace mx
