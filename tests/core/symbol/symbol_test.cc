// The Symbol examples of MXNet's Python guide and tests (test_symbol.py), in
// C++, with the outputs they print.
#include "core/symbol/symbol.h"

#include <gtest/gtest.h>

#include "core/symbol/scopes.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using testing::MessageOf;
using Names = std::vector<std::string>;

Symbol FC(const Symbol& data, const std::string& name, int hidden) {
  return Symbol::Create("FullyConnected", {data},
                        {{"name", name}, {"num_hidden", hidden}});
}

Symbol Act(const Symbol& data, const std::string& name) {
  return Symbol::Create("Activation", {data},
                        {{"name", name}, {"act_type", "relu"}});
}

// data -> fc1(128) -> relu1 -> fc2(10), the guide's first network.
Symbol GuideMLP() {
  Symbol net = Symbol::Variable("data");
  net = FC(net, "fc1", 128);
  net = Act(net, "relu1");
  return FC(net, "fc2", 10);
}

TEST(SymbolGuide, ListArgumentsOfAnMLP) {
  EXPECT_EQ(GuideMLP().ListArguments(), (Names{"data", "fc1_weight", "fc1_bias",
                                               "fc2_weight", "fc2_bias"}));
  EXPECT_EQ(GuideMLP().ListOutputs(), (Names{"fc2_output"}));
}

TEST(SymbolGuide, SoftmaxAddsItsLabel) {
  Symbol net = Symbol::Create("SoftmaxOutput", {GuideMLP()}, {{"name", "sm"}});
  EXPECT_EQ(net.ListArguments(), (Names{"data", "fc1_weight", "fc1_bias",
                                        "fc2_weight", "fc2_bias", "sm_label"}));
  EXPECT_EQ(net.ListOutputs(), (Names{"sm_output"}));
}

TEST(SymbolGuide, ExplicitWeightVariable) {
  Symbol data = Symbol::Variable("data");
  Symbol w = Symbol::Variable("myweight");
  Symbol net = Symbol::Create(
      "FullyConnected", {},
      {{"data", data}, {"weight", w}, {"name", "fc1"}, {"num_hidden", 128}});
  EXPECT_EQ(net.ListArguments(), (Names{"data", "myweight", "fc1_bias"}));
}

TEST(SymbolGuide, ArithmeticBetweenSymbols) {
  Symbol lhs = Symbol::Variable("data1");
  Symbol rhs = Symbol::Variable("data2");
  Symbol net = Symbol::Create(
      "FullyConnected", {},
      {{"data", lhs + rhs}, {"name", "fc1"}, {"num_hidden", 128}});
  EXPECT_EQ(net.ListArguments(),
            (Names{"data1", "data2", "fc1_weight", "fc1_bias"}));
}

TEST(SymbolGuide, ComposeReplacesFreeVariablesAndRenamesTheHead) {
  Symbol net = FC(Symbol::Variable("data"), "fc1", 128);
  Symbol in_net = FC(Symbol::Variable("data2"), "net2", 128);
  Symbol composed = net({}, {{"data", in_net}}, "compose");
  EXPECT_EQ(
      composed.ListArguments(),
      (Names{"data2", "net2_weight", "net2_bias", "fc1_weight", "fc1_bias"}));
  EXPECT_EQ(composed.ListOutputs(), (Names{"compose_output"}));
  // The original is untouched.
  EXPECT_EQ(net.ListArguments(), (Names{"data", "fc1_weight", "fc1_bias"}));
  EXPECT_EQ(net.ListOutputs(), (Names{"fc1_output"}));
}

TEST(SymbolGuide, InferShapeFillsInWeights) {
  Symbol net = FC(Symbol::Variable("data"), "fc1", 10);
  Shapes shapes = net.InferShape({{"data", Shape{100, 100}}});
  EXPECT_EQ(net.ListArguments(), (Names{"data", "fc1_weight", "fc1_bias"}));
  EXPECT_EQ(shapes.arguments,
            (std::vector<Shape>{{100, 100}, {10, 100}, {10}}));
  EXPECT_EQ(shapes.outputs, (std::vector<Shape>{{100, 10}}));
  EXPECT_TRUE(shapes.aux_states.empty());
}

// tests/python/common/models.py mlp2 and test_infer_shape.py.
Symbol Mlp2() {
  Symbol out = FC(Symbol::Variable("data"), "fc1", 1000);
  out = Symbol::Create("Activation", {out}, {{"act_type", "relu"}});
  return FC(out, "fc2", 10);
}

TEST(SymbolTests, InferShapeMlp2) {
  const Shapes s = Mlp2().InferShape({{"data", Shape{100, 100}}});
  EXPECT_EQ(s.outputs, (std::vector<Shape>{{100, 10}}));
  EXPECT_EQ(
      s.arguments,
      (std::vector<Shape>{{100, 100}, {1000, 100}, {1000}, {10, 1000}, {10}}));
}

TEST(SymbolTests, InconsistentWeightShapeRaises) {
  const std::string message = MessageOf([] {
    Mlp2().InferShape(
        {{"data", Shape{100, 100}}, {"fc1_weight", Shape{1, 100}}});
  });
  EXPECT_NE(message.find("FullyConnected 'fc1'"), std::string::npos) << message;
  EXPECT_NE(message.find("weight 'fc1_weight' has shape (1,100)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("(1000,100)"), std::string::npos) << message;
  EXPECT_NE(message.find("data=(100,100)"), std::string::npos) << message;
}

TEST(SymbolTests, ComposeLikeTestSymbol) {
  NameScope scope;
  Symbol data = Symbol::Variable("data");
  Symbol net1 = FC(data, "fc1", 10);
  net1 = FC(net1, "fc2", 100);
  EXPECT_EQ(net1.ListArguments(), (Names{"data", "fc1_weight", "fc1_bias",
                                         "fc2_weight", "fc2_bias"}));
  Symbol net2 = Symbol::Create("FullyConnected", {},
                               {{"name", "fc3"}, {"num_hidden", 10}});
  net2 = Symbol::Create("Activation", {net2}, {{"act_type", "relu"}});
  net2 = Symbol::Create("FullyConnected", {net2},
                        {{"name", "fc4"}, {"num_hidden", 20}});
  Symbol composed = net2({}, {{"fc3_data", net1}}, "composed");
  EXPECT_EQ(composed.ListArguments(),
            (Names{"data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias",
                   "fc3_weight", "fc3_bias", "fc4_weight", "fc4_bias"}));
  EXPECT_EQ(composed.ListOutputs(), (Names{"composed_output"}));
  Symbol multi = Symbol::Group({composed, net1});
  EXPECT_EQ(multi.NumOutputs(), 2u);
  EXPECT_EQ(multi.ListOutputs(), (Names{"composed_output", "fc2_output"}));
}

TEST(SymbolTests, ComposeByPosition) {
  Symbol net = FC(Symbol::Variable("x"), "fc", 4);
  Symbol y = Symbol::Variable("y");
  Symbol w = Symbol::Variable("w");
  Symbol composed = net({y, w});
  EXPECT_EQ(composed.ListArguments(), (Names{"y", "w", "fc_bias"}));
  EXPECT_EQ(composed.ListOutputs(), (Names{"fc_output"}));
  // Composing a bare variable returns the replacement, left unrenamed.
  Symbol replaced = Symbol::Variable("v")({y}, {}, "renamed");
  EXPECT_EQ(replaced.ListOutputs(), (Names{"y"}));
  EXPECT_EQ(y.name(), "y");
}

TEST(SymbolTests, ComposeErrors) {
  Symbol net = FC(Symbol::Variable("data"), "fc1", 4);
  EXPECT_NE(MessageOf([&] {
              net({}, {{"dat", Symbol::Variable("z")}});
            })
                .find("keyword argument 'dat' is not a variable of the "
                      "symbol; did you mean 'data'?"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] {
              net({Symbol::Variable("a"), Symbol::Variable("b"),
                   Symbol::Variable("c"), Symbol::Variable("d")});
            }).find("4 positional arguments given but the symbol has only 3"),
            std::string::npos);
  // Two distinct variables called "x": compose by name is ambiguous.
  Symbol twice = Symbol::Variable("x") + Symbol::Variable("x");
  EXPECT_NE(MessageOf([&] {
              twice({}, {{"x", Symbol::Variable("z")}});
            }).find("variable name 'x' occurs 2 times"),
            std::string::npos);
  Symbol group = Symbol::Group({net, net});
  EXPECT_NE(MessageOf([&] { net({group}); }).find("one output"),
            std::string::npos);
}

TEST(SymbolTests, InternalsExposeEveryOutput) {
  NameScope scope;
  Symbol data = Symbol::Variable("data");
  Symbol oldfc = FC(data, "fc1", 10);
  Symbol net1 = FC(oldfc, "fc2", 100);
  Symbol internals = net1.GetInternals();
  EXPECT_EQ(internals.ListOutputs(),
            (Names{"data", "fc1_weight", "fc1_bias", "fc1_output", "fc2_weight",
                   "fc2_bias", "fc2_output"}));
  Symbol fc1 = internals["fc1_output"];
  EXPECT_EQ(fc1.ListArguments(), oldfc.ListArguments());
  EXPECT_EQ(internals[3].ListOutputs(), (Names{"fc1_output"}));
  EXPECT_NE(MessageOf([&] {
              internals["fc1_out"];
            }).find("no output named 'fc1_out'; did you mean 'fc1_output'?"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] { internals[7]; }).find("out of range"),
            std::string::npos);
  EXPECT_EQ(net1.GetChildren().ListOutputs(),
            (Names{"fc1_output", "fc2_weight", "fc2_bias"}));
}

TEST(SymbolTests, AutomaticNames) {
  NameScope scope;
  Symbol data = Symbol::Variable("data");
  Symbol a = Symbol::Create("FullyConnected", {data}, {{"num_hidden", 3}});
  Symbol b = Symbol::Create("FullyConnected", {a}, {{"num_hidden", 3}});
  Symbol c = Symbol::Create("Activation", {b}, {{"act_type", "tanh"}});
  Symbol s = Symbol::Create("SoftmaxOutput", {c});
  EXPECT_EQ(s.ListArguments(),
            (Names{"data", "fullyconnected0_weight", "fullyconnected0_bias",
                   "fullyconnected1_weight", "fullyconnected1_bias",
                   "softmaxoutput0_label"}));
  EXPECT_EQ(c.name(), "activation0");
  EXPECT_EQ((data + data).name(), "_plus0");
  EXPECT_EQ((data * 2.0).name(), "_mulscalar0");
  {
    NameScope prefixed("p_");
    EXPECT_EQ(Symbol::Create("Flatten", {data}).name(), "p_flatten0");
    EXPECT_EQ(Symbol::Create("Flatten", {data}, {{"name", "f"}}).name(), "p_f");
  }
  EXPECT_EQ(Symbol::Create("Flatten", {data}).name(), "flatten0");
}

TEST(SymbolTests, ImplicitVariablesCopyTheOpAttributes) {
  Symbol fc = FC(Symbol::Variable("data"), "fc1", 128);
  const auto attrs = fc.AllAttrs();
  EXPECT_EQ(attrs.at("fc1_weight"), (AttrDict{{"num_hidden", "128"}}));
  EXPECT_EQ(attrs.at("fc1"), (AttrDict{{"num_hidden", "128"}}));
  EXPECT_EQ(attrs.count("data"), 0u);
}

TEST(SymbolTests, BatchNormAuxStates) {
  NameScope scope;
  Symbol bn = Symbol::Create("BatchNorm", {Symbol::Variable("data")},
                             {{"name", "bn1"}});
  EXPECT_EQ(bn.ListArguments(), (Names{"data", "bn1_gamma", "bn1_beta"}));
  EXPECT_EQ(bn.ListAuxiliaryStates(),
            (Names{"bn1_moving_mean", "bn1_moving_var"}));
  EXPECT_EQ(bn.ListOutputs(), (Names{"bn1_output"}));
  EXPECT_EQ(bn.ListInputs(), (Names{"data", "bn1_gamma", "bn1_beta",
                                    "bn1_moving_mean", "bn1_moving_var"}));
  const auto attrs = bn.AllAttrs();
  EXPECT_EQ(attrs.at("bn1_moving_mean").at("__init__"), "[\"zero\", {}]");
  EXPECT_EQ(attrs.at("bn1_moving_var").at("__init__"), "[\"one\", {}]");
  Symbol with_stats =
      Symbol::Create("BatchNorm", {Symbol::Variable("x")},
                     {{"name", "bn2"}, {"output_mean_var", true}});
  EXPECT_EQ(with_stats.ListOutputs(),
            (Names{"bn2_output", "bn2_mean", "bn2_var"}));
}

TEST(SymbolTests, MultiOutputOps) {
  Symbol parts = Symbol::Create("SliceChannel", {Symbol::Variable("data")},
                                {{"name", "slice"}, {"num_outputs", 3}});
  EXPECT_EQ(parts.ListOutputs(),
            (Names{"slice_output0", "slice_output1", "slice_output2"}));
  Symbol joined = Symbol::Create("Concat", {parts[0], parts[2]},
                                 {{"name", "cat"}, {"dim", 1}});
  EXPECT_EQ(joined.ListArguments(), (Names{"data"}));
  EXPECT_EQ(*joined.Attr("num_args"), "2");
  // Dropout's mask is a hidden output.
  Symbol drop =
      Symbol::Create("Dropout", {Symbol::Variable("x")}, {{"name", "d"}});
  EXPECT_EQ(drop.ListOutputs(), (Names{"d_output"}));
}

TEST(SymbolTests, ScalarArithmetic) {
  NameScope scope;
  Symbol x = Symbol::Variable("x");
  Symbol y = 2.0 - x;
  EXPECT_EQ(y.outputs()[0].node->attrs.op->name(), "_rminus_scalar");
  EXPECT_EQ(*y.Attr("scalar"), "2.0");
  EXPECT_EQ((1.0 / x).outputs()[0].node->attrs.op->name(), "_rdiv_scalar");
  EXPECT_EQ((x / 4.0).outputs()[0].node->attrs.op->name(), "_div_scalar");
  EXPECT_EQ((x - x).outputs()[0].node->attrs.op->name(), "elemwise_sub");
  EXPECT_EQ((0.5 * x).ListArguments(), (Names{"x"}));
}

TEST(SymbolTests, AttributesAndScopes) {
  Symbol data =
      Symbol::Variable("data", VariableOptions{PartialShape{-1, 100},
                                               DType::kFloat32,
                                               0.2,
                                               std::nullopt,
                                               "",
                                               {{"ctx_group", "stage1"}}});
  const AttrDict attrs = data.AllAttrs().at("data");
  EXPECT_EQ(attrs.at("__shape__"), "(0, 100)");
  EXPECT_EQ(attrs.at("__dtype__"), "0");
  EXPECT_EQ(attrs.at("__lr_mult__"), "0.2");
  EXPECT_EQ(attrs.at("__ctx_group__"), "stage1");
  EXPECT_EQ(*data.Attr("lr_mult"), "0.2");
  {
    AttrScope scope(AttrDict{{"ctx_group", "stage2"}});
    Symbol fc =
        Symbol::Create("FullyConnected", {data},
                       {{"name", "fc"}, {"num_hidden", 4}, {"wd_mult", 0.5}});
    EXPECT_EQ(*fc.Attr("ctx_group"), "stage2");
    EXPECT_EQ(*fc.Attr("wd_mult"), "0.5");
    EXPECT_EQ(fc.AllAttrs().at("fc_weight").at("__ctx_group__"), "stage2");
    EXPECT_FALSE(fc.Attr("lr_mult").has_value());
    fc.SetAttr("lr_mult", "3");
    EXPECT_EQ(fc.AllAttrs().at("fc").at("__lr_mult__"), "3");
    // Setting a parameter re-parses it.
    fc.SetAttr("num_hidden", "8");
    EXPECT_EQ(fc.InferShape({{"data", Shape{2, 100}}}).outputs[0],
              (Shape{2, 8}));
    EXPECT_NE(MessageOf([&] {
                fc.SetAttr("num_hidden", "zero");
              }).find("parameter 'num_hidden' = \"zero\""),
              std::string::npos);
    EXPECT_EQ(*fc.Attr("num_hidden"), "8");
  }
  EXPECT_NE(MessageOf([&] {
              Symbol::Create("FullyConnected", {data},
                             {{"num_hidden", 4}, {"weight_lr_mult", 2.0}});
            }).find("create the variable with lr_mult"),
            std::string::npos);
}

TEST(SymbolTests, CreationErrorsNameOpNodeAndArgument) {
  Symbol data = Symbol::Variable("data");
  EXPECT_NE(MessageOf([&] { Symbol::Create("FullyConected", {data}); })
                .find("unknown operator 'FullyConected'; did you mean "
                      "'FullyConnected'?"),
            std::string::npos);
  EXPECT_NE(
      MessageOf([&] {
        Symbol::Create("FullyConnected", {data},
                       {{"name", "fc1"}, {"num_hiden", 3}});
      })
          .find("FullyConnected 'fc1': unknown parameter 'num_hiden'; did "
                "you mean 'num_hidden'?; valid parameters: num_hidden, "
                "no_bias, flatten"),
      std::string::npos);
  EXPECT_NE(MessageOf([&] {
              Symbol::Create("FullyConnected", {data}, {{"name", "fc1"}});
            })
                .find("FullyConnected 'fc1': missing required parameter "
                      "'num_hidden'"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] {
              Symbol::Create("Activation", {data},
                             {{"name", "a"}, {"act_type", "rellu"}});
            })
                .find("Activation 'a': parameter 'act_type' = \"rellu\": "
                      "expected one of 'relu', 'sigmoid', 'tanh', 'softrelu', "
                      "'softsign'; did you mean 'relu'?"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] {
              Symbol::Create(
                  "Convolution", {data},
                  {{"name", "c"}, {"kernel", "(3, x)"}, {"num_filter", 4}});
            })
                .find("Convolution 'c': parameter 'kernel' = \"(3, x)\": "
                      "expected a tuple of integers"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] {
              Symbol::Create("Dropout", {data}, {{"name", "d"}, {"p", 1.5}});
            })
                .find("Dropout 'd': parameter 'p' = \"1.5\": out of range; "
                      "expected 0 <= value <= 1"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] {
              Symbol::Create("Convolution", {data},
                             {{"name", "c"},
                              {"kernel", {3, 3}},
                              {"stride", {1, 1, 1}},
                              {"num_filter", 4}});
            })
                .find("Convolution 'c': stride (1, 1, 1) has 3 dims but kernel "
                      "(3, 3) has 2"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] {
              Symbol::Create(
                  "FullyConnected", {},
                  {{"name", "fc"}, {"num_hidden", 2}, {"weigth", data}});
            })
                .find("FullyConnected 'fc': unknown input 'weigth'; did you "
                      "mean 'weight'?"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] {
              Symbol::Create("FullyConnected", {data, data, data, data},
                             {{"name", "fc"}, {"num_hidden", 2}});
            }).find("takes 3 input(s) (data, weight, bias) but 4 were given"),
            std::string::npos);
  EXPECT_NE(MessageOf([&] {
              Symbol::Create(
                  "FullyConnected", {data},
                  {{"name", "fc"}, {"num_hidden", 2}, {"data", data}});
            }).find("input 'data' given twice"),
            std::string::npos);
  EXPECT_NE(MessageOf([] { Symbol::Variable(""); }).find("must not be empty"),
            std::string::npos);
}

TEST(SymbolTests, CopyIsDeep) {
  Symbol net = GuideMLP();
  Symbol copy = net.Copy();
  EXPECT_EQ(copy.ToJSON(), net.ToJSON());
  EXPECT_NE(copy.outputs()[0].node, net.outputs()[0].node);
  copy.SetAttr("lr_mult", "2");
  EXPECT_FALSE(net.Attr("lr_mult").has_value());
  EXPECT_NE(copy.ToJSON(), net.ToJSON());
  EXPECT_EQ(copy.ListArguments(), net.ListArguments());
}

}  // namespace
}  // namespace mx
