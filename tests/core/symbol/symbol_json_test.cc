// MXNet symbol JSON: the fixtures written by real MXNet load, saving
// reproduces MXNet's bytes, round trips are byte-identical, bad files give
// clear errors.
#include <gtest/gtest.h>

#include <cstdio>

#include "core/base/file_util.h"
#include "core/symbol/scopes.h"
#include "core/symbol/symbol.h"
#include "tests/testing/error_message.h"

namespace mx {
namespace {

using testing::MessageOf;
using Names = std::vector<std::string>;

const char* kFixtures = "tests/fixtures/mxnet/";

std::string Fixture(const std::string& name) {
  return ReadFile(std::string(kFixtures) + name);
}

// `text` with its trailing newline (added by the repository) removed and the
// version MXNet wrote replaced by ours.
std::string AsWeWriteIt(std::string text, const std::string& version) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const std::string from = "[\"int\", " + version + "]";
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos);
  return text.replace(at, from.size(), "[\"int\", 10900]");
}

TEST(SymbolJson, MxnetFileReadAndWrittenBackIdentically) {
  const std::string text = Fixture("test-symbol.json.ref");
  Symbol s = Symbol::FromJSON(text, "test-symbol.json.ref");
  EXPECT_EQ(s.ListArguments(),
            (Names{"data", "fc1_weight", "fc1_bias", "fc2_weight", "fc2_bias",
                   "fc3_weight", "fc3_bias", "softmax_label"}));
  EXPECT_EQ(s.ListOutputs(), (Names{"softmax_output"}));
  EXPECT_EQ(s.ToJSON(), AsWeWriteIt(text, "10400"));
  const Shapes shapes = s.InferShape({{"data", Shape{32, 784}}});
  EXPECT_EQ(shapes.outputs, (std::vector<Shape>{{32, 10}}));
  EXPECT_EQ(shapes.arguments.back(), (Shape{32}));
}

TEST(SymbolJson, BuiltNetworkMatchesMxnetBytes) {
  // The same network built with our API gives MXNet's file exactly.
  NameScope scope;
  Symbol net = Symbol::Variable("data");
  net = Symbol::Create("FullyConnected", {net},
                       {{"name", "fc1"}, {"num_hidden", 128}});
  net = Symbol::Create("Activation", {net},
                       {{"name", "relu1"}, {"act_type", "relu"}});
  net = Symbol::Create("FullyConnected", {net},
                       {{"name", "fc2"}, {"num_hidden", 64}});
  net = Symbol::Create("Activation", {net},
                       {{"name", "relu2"}, {"act_type", "relu"}});
  net = Symbol::Create("FullyConnected", {net},
                       {{"name", "fc3"}, {"num_hidden", 10}});
  net = Symbol::Create("SoftmaxOutput", {net}, {{"name", "softmax"}});
  EXPECT_EQ(net.ToJSON(),
            AsWeWriteIt(Fixture("test-symbol.json.ref"), "10400"));
}

TEST(SymbolJson, VggStyleConvNet) {
  const std::string text = Fixture("test_mkldnn_test_mkldnn_model_model1.json");
  Symbol s = Symbol::FromJSON(text, "model1.json");
  // This file comes from an MKL-DNN build of MXNet 1.2, whose max pooling
  // had a hidden workspace output (node_row_ptr counts 2 for those nodes);
  // everything else is MXNet's bytes.
  const std::string ours = s.ToJSON();
  const std::string theirs = AsWeWriteIt(text, "10200");
  const auto cut = [](const std::string& t) {
    return t.substr(0, t.find("\"node_row_ptr\"")) +
           t.substr(t.find("\"heads\""));
  };
  EXPECT_EQ(cut(ours), cut(theirs));
  EXPECT_EQ(s.ListArguments().size(), 34u);
  const Shapes shapes = s.InferShape({{"data", Shape{2, 3, 224, 224}}});
  EXPECT_EQ(shapes.outputs, (std::vector<Shape>{{2, 1000}}));
  Symbol internals = s.GetInternals();
  const auto shape_of = [&](const std::string& name) {
    return internals[name]
        .InferShape({{"data", Shape{2, 3, 224, 224}}})
        .outputs[0];
  };
  EXPECT_EQ(shape_of("pool2_output"), (Shape{2, 128, 56, 56}));
  // pooling_convention full: ceil((56 - 2) / 2) + 1 = 28.
  EXPECT_EQ(shape_of("pool3_output"), (Shape{2, 256, 28, 28}));
  // 3x3 stride-1 pad-1 pooling keeps 14x14; the dilated fc6 too.
  EXPECT_EQ(shape_of("pool5_output"), (Shape{2, 512, 14, 14}));
  EXPECT_EQ(shape_of("fc6_output"), (Shape{2, 1024, 14, 14}));
  EXPECT_EQ(shape_of("global_pool_output"), (Shape{2, 1024, 1, 1}));
}

VariableOptions LrMult(double lr_mult) {
  VariableOptions options;
  options.lr_mult = lr_mult;
  return options;
}

// A port of MXNet's test_load_000800: the legacy file and the same network
// built with the API carry the same hidden attributes.
TEST(SymbolJson, LegacyFileUpgradesLikeMxnet) {
  NameScope scope;
  Symbol sym1;
  {
    AttrScope stage1(AttrDict{{"ctx_group", "stage1"}});
    Symbol data = Symbol::Variable("data", LrMult(0.2));
    Symbol weight = Symbol::Variable("fc1_weight", LrMult(1.2));
    Symbol fc1 = Symbol::Create("FullyConnected", {},
                                {{"data", data},
                                 {"weight", weight},
                                 {"name", "fc1"},
                                 {"num_hidden", 128},
                                 {"wd_mult", 0.3}});
    sym1 = Symbol::Create("Activation", {fc1},
                          {{"name", "relu1"}, {"act_type", "relu"}});
  }
  {
    AttrScope stage2(AttrDict{{"ctx_group", "stage2"}});
    Symbol fc2 = Symbol::Create(
        "FullyConnected", {sym1},
        {{"name", "fc2"}, {"num_hidden", 64}, {"lr_mult", 0.01}});
    Symbol act2 = Symbol::Create("Activation", {fc2},
                                 {{"name", "relu2"}, {"act_type", "relu"}});
    Symbol fc3 = Symbol::Create("FullyConnected", {act2},
                                {{"name", "fc3"}, {"num_hidden", 10}});
    Symbol bn = Symbol::Create("BatchNorm", {fc3}, {{"name", "batchnorm0"}});
    sym1 = Symbol::Create("SoftmaxOutput", {bn}, {{"name", "softmax"}});
  }
  Symbol sym2 = Symbol::Load(std::string(kFixtures) + "save_000800.json");

  EXPECT_EQ(sym2.ListArguments(), sym1.ListArguments());
  EXPECT_EQ(sym2.ListAuxiliaryStates(),
            (Names{"batchnorm0_moving_mean", "batchnorm0_moving_var"}));
  EXPECT_EQ(sym2.ListOutputs(), sym1.ListOutputs());
  const auto attr1 = sym1.AllAttrs();
  const auto attr2 = sym2.AllAttrs();
  for (const auto& [node, dict1] : attr1) {
    ASSERT_TRUE(attr2.count(node)) << node;
    for (const auto& [key, value] : dict1) {
      if (key.size() > 4 && key.rfind("__", 0) == 0 &&
          key.compare(key.size() - 2, 2, "__") == 0) {
        ASSERT_TRUE(attr2.at(node).count(key)) << node << " " << key;
        EXPECT_EQ(attr2.at(node).at(key), value) << node << " " << key;
      }
    }
  }
  // MXNet 0.8 wrote fc1_weight's lr_mult as fc1's "weight_lr_mult"; the
  // variable keeps its copy of the plain key.
  EXPECT_EQ(attr2.at("fc1_weight").at("__lr_mult__"), "1.2");
  EXPECT_EQ(attr2.at("fc1_weight").at("weight_lr_mult"), "1.2");
  EXPECT_EQ(attr2.at("fc1").count("weight_lr_mult"), 0u);
  EXPECT_EQ(attr2.at("data").at("__lr_mult__"), "0.2");
  EXPECT_EQ(attr2.at("fc2").at("__lr_mult__"), "0.01");
  const auto s1 = sym1.InferShape({{"data", Shape{1, 200}}});
  const auto s2 = sym2.InferShape({{"data", Shape{1, 200}}});
  EXPECT_EQ(s1.arguments, s2.arguments);
  EXPECT_EQ(s1.aux_states, s2.aux_states);
  EXPECT_EQ(s1.outputs, (std::vector<Shape>{{1, 10}}));
}

TEST(SymbolJson, RoundTripsAreByteIdentical) {
  for (const char* name : {"save_000800.json", "test-symbol.json.ref",
                           "test_mkldnn_test_mkldnn_model_model1.json"}) {
    const std::string first = Symbol::FromJSON(Fixture(name), name).ToJSON();
    const std::string second = Symbol::FromJSON(first, "saved").ToJSON();
    EXPECT_EQ(first, second) << name;
  }
  // A graph with every structure: groups, multi-output, aux, attributes.
  NameScope scope;
  VariableOptions shape_hint;
  shape_hint.shape = PartialShape{-1, 3, 8, 8};
  Symbol data = Symbol::Variable("data", shape_hint);
  Symbol conv =
      Symbol::Create("Convolution", {data},
                     {{"kernel", {3, 3}}, {"num_filter", 6}, {"pad", {1, 1}}});
  Symbol bn = Symbol::Create("BatchNorm", {conv}, {{"fix_gamma", false}});
  Symbol parts = Symbol::Create("SliceChannel", {bn}, {{"num_outputs", 2}});
  Symbol sum = Symbol::Create("ElementWiseSum", {parts[0], parts[1], parts[0]});
  Symbol net = Symbol::Group({sum * 2.0, 1.0 - parts[1], parts[0] / sum});
  const std::string first = net.ToJSON();
  Symbol loaded = Symbol::FromJSON(first);
  EXPECT_EQ(loaded.ToJSON(), first);
  EXPECT_EQ(loaded.ListOutputs(), net.ListOutputs());
  EXPECT_EQ(loaded.ListArguments(), net.ListArguments());
  EXPECT_EQ(loaded.ListAuxiliaryStates(), net.ListAuxiliaryStates());
  EXPECT_EQ(loaded.InferShape({{"data", Shape{2, 3, 8, 8}}}).outputs,
            (std::vector<Shape>{{2, 3, 8, 8}, {2, 3, 8, 8}, {2, 3, 8, 8}}));
}

TEST(SymbolJson, SaveAndLoadFiles) {
  const std::string path = ::testing::TempDir() + "/net-symbol.json";
  Symbol net =
      Symbol::Create("Flatten", {Symbol::Variable("x")}, {{"name", "flat"}});
  net.Save(path);
  EXPECT_EQ(Symbol::Load(path).ToJSON(), net.ToJSON());
  std::remove(path.c_str());
  EXPECT_NE(MessageOf([&] { Symbol::Load(path); }).find(path),
            std::string::npos);
}

TEST(SymbolJson, LegacyScalarOnLeft) {
  const std::string legacy = R"({
    "nodes": [
      {"op": "null", "param": {}, "name": "x", "inputs": [],
       "backward_source_id": -1},
      {"op": "_MinusScalar", "param": {"scalar": "3", "scalar_on_left": "True"},
       "name": "m", "inputs": [[0, 0]], "backward_source_id": -1}],
    "arg_nodes": [0], "heads": [[1, 0]]})";
  Symbol s = Symbol::FromJSON(legacy);
  EXPECT_EQ(s.outputs()[0].node->attrs.op->name(), "_rminus_scalar");
  EXPECT_EQ(s.outputs()[0].node->attrs.dict, (AttrDict{{"scalar", "3"}}));
}

std::string LoadError(const std::string& json) {
  return MessageOf([&] { Symbol::FromJSON(json, "net.json"); });
}

TEST(SymbolJson, MalformedFilesGiveClearErrors) {
  EXPECT_NE(LoadError("{\"nodes\": [").find("net.json:1:12: malformed JSON"),
            std::string::npos);
  EXPECT_NE(LoadError("{\"nodes\": [], \"heads\": [], \"nodes\": []}")
                .find("duplicate key \"nodes\""),
            std::string::npos);
  EXPECT_NE(LoadError("[1, 2]").find("a symbol file must be an object"),
            std::string::npos);
  EXPECT_NE(LoadError("{\"nodes\": []}").find("has no \"heads\""),
            std::string::npos);
  const std::string unknown_op = R"({"nodes": [
      {"op": "null", "name": "x", "inputs": []},
      {"op": "FullyConnectd", "name": "fc1", "attrs": {"num_hidden": "4"},
       "inputs": [[0, 0, 0]]}],
    "arg_nodes": [0], "heads": [[1, 0, 0]],
    "attrs": {"mxnet_version": ["int", 10000]}})";
  EXPECT_NE(LoadError(unknown_op)
                .find("net.json:3:14: node 1 'fc1': unknown operator "
                      "'FullyConnectd'; did you mean 'FullyConnected'?"),
            std::string::npos)
      << LoadError(unknown_op);
  const std::string bad_param = R"({"nodes": [
      {"op": "null", "name": "x", "inputs": []},
      {"op": "Activation", "name": "a", "attrs": {"act_type": "rellu"},
       "inputs": [[0, 0, 0]]}],
    "arg_nodes": [0], "heads": [[1, 0, 0]],
    "attrs": {"mxnet_version": ["int", 10000]}})";
  EXPECT_NE(LoadError(bad_param).find(
                "Activation 'a': parameter 'act_type' = \"rellu\""),
            std::string::npos);
  const std::string forward_ref = R"({"nodes": [
      {"op": "Flatten", "name": "f", "inputs": [[1, 0, 0]]},
      {"op": "null", "name": "x", "inputs": []}],
    "arg_nodes": [1], "heads": [[0, 0, 0]],
    "attrs": {"mxnet_version": ["int", 10000]}})";
  EXPECT_NE(
      LoadError(forward_ref)
          .find("node 0 'f': input references node 1, which is not one of "
                "the 0 nodes before it"),
      std::string::npos);
  const std::string bad_head = R"({"nodes": [
      {"op": "null", "name": "x", "inputs": []}],
    "arg_nodes": [0], "heads": [[3, 0, 0]],
    "attrs": {"mxnet_version": ["int", 10000]}})";
  EXPECT_NE(LoadError(bad_head).find("head [3, 0] references a missing node"),
            std::string::npos);
  const std::string bad_output = R"({"nodes": [
      {"op": "null", "name": "x", "inputs": []},
      {"op": "Flatten", "name": "f", "inputs": [[0, 2, 0]]}],
    "arg_nodes": [0], "heads": [[1, 0, 0]],
    "attrs": {"mxnet_version": ["int", 10000]}})";
  EXPECT_NE(LoadError(bad_output)
                .find("input references output 2 of node 0 'x', which has 1 "
                      "output(s)"),
            std::string::npos);
  const std::string missing_input = R"({"nodes": [
      {"op": "null", "name": "x", "inputs": []},
      {"op": "BatchNorm", "name": "bn", "inputs": [[0, 0, 0]]}],
    "arg_nodes": [0], "heads": [[1, 0, 0]],
    "attrs": {"mxnet_version": ["int", 10000]}})";
  EXPECT_NE(
      LoadError(missing_input)
          .find("BatchNorm takes 5 inputs (data, gamma, beta, moving_mean, "
                "moving_var) but the file gives 1"),
      std::string::npos);
  const std::string typo_key = R"({"nodes": [
      {"op": "null", "name": "x", "input": []}],
    "arg_nodes": [0], "heads": [[0, 0, 0]]})";
  EXPECT_NE(
      LoadError(typo_key).find("unknown key \"input\"; did you mean 'inputs'?"),
      std::string::npos);
  const std::string backward = R"({"nodes": [
      {"op": "null", "name": "x", "inputs": [], "backward_source_id": 0}],
    "arg_nodes": [0], "heads": [[0, 0]]})";
  EXPECT_NE(LoadError(backward).find("is a backward node"), std::string::npos);
  const std::string bad_arg_nodes = R"({"nodes": [
      {"op": "null", "name": "x", "inputs": []},
      {"op": "Flatten", "name": "f", "inputs": [[0, 0, 0]]}],
    "arg_nodes": [1], "heads": [[1, 0, 0]],
    "attrs": {"mxnet_version": ["int", 10000]}})";
  EXPECT_NE(LoadError(bad_arg_nodes)
                .find("arg_nodes entry 1 is not the index of a variable node"),
            std::string::npos);
}

}  // namespace
}  // namespace mx

namespace mx {
namespace {

// Note [Deep graphs]: a chain of 300,000 nodes (far past the depth at which
// a recursive walk or destructor overflows the stack) is read, walked,
// written and destroyed; a file of more nodes than the bound is refused
// before any is built.
TEST(SymbolJson, DeepChainsAreReadWalkedAndDestroyed) {
  constexpr int kNodes = 300000;
  std::string json =
      R"({"nodes": [{"op": "null", "name": "data", "inputs": []})";
  for (int i = 0; i < kNodes; ++i) {
    json += R"(, {"op": "Activation", "name": "a)" + std::to_string(i) +
            R"(", "attrs": {"act_type": "relu"}, "inputs": [[)" +
            std::to_string(i) + ", 0, 0]]}";
  }
  json += R"(], "arg_nodes": [0], "heads": [[)" + std::to_string(kNodes) +
          R"(, 0, 0]], "attrs": {"mxnet_version": ["int", 10900]}})";
  {
    Symbol chain = Symbol::FromJSON(json, "chain.json");
    EXPECT_EQ(chain.ListArguments(), Names({"data"}));
    const Shapes shapes = chain.InferShape({{"data", PartialShape({2, 3})}});
    EXPECT_EQ(shapes.outputs.at(0), Shape({2, 3}));
    EXPECT_EQ(Symbol::FromJSON(chain.ToJSON()).ListOutputs(),
              Names({"a" + std::to_string(kNodes - 1) + "_output"}));
  }  // destroyed here
  std::string many = R"({"nodes": [)";
  for (int i = 0; i <= 1000000; ++i) {
    many +=
        std::string(i ? "," : "") + R"({"op":"null","name":"v","inputs":[]})";
  }
  many += R"(], "heads": [[0, 0, 0]]})";
  EXPECT_EQ(MessageOf([&] { Symbol::FromJSON(many, "many.json"); }),
            "many.json:1:11: the graph has 1000001 nodes; a symbol file may "
            "have at most 1000000");
}

}  // namespace
}  // namespace mx
