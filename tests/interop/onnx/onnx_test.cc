// ONNX import and export on models built here: export -> import round trips
// give the same outputs, and bad or unsupported models give clear errors
// (never a crash: this test also runs under ASan, tools/test.sh).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <random>
#include <string>

#include "core/base/file_util.h"
#include "core/executor/executor.h"
#include "interop/onnx/exporter.h"
#include "interop/onnx/host_tensor.h"
#include "interop/onnx/importer.h"
#include "interop/onnx/onnx_proto.h"

namespace mx {
namespace onnx_io {
namespace {

using testing::HasSubstr;

Symbol Layer(const std::string& op, std::vector<Symbol> in, Kwargs kw) {
  return Symbol::Create(op, in, kw);
}

// A small net with the zoo's layers: convolution (grouped), BatchNorm with
// learned and fixed gamma, a residual sum, concatenation, pooling of both
// kinds and conventions, flatten, fully connected, dropout, softmax output.
Symbol ZooLike() {
  Symbol x = Symbol::Variable("data");
  Symbol c1 = Layer(
      "Convolution", {x},
      {{"name", "c1"}, {"kernel", {3, 3}}, {"pad", {1, 1}}, {"num_filter", 8}});
  Symbol b1 = Layer("BatchNorm", {c1}, {{"name", "b1"}, {"fix_gamma", false}});
  Symbol r1 = Layer("Activation", {b1}, {{"name", "r1"}, {"act_type", "relu"}});
  Symbol dw = Layer("Convolution", {r1},
                    {{"name", "dw"},
                     {"kernel", {3, 3}},
                     {"pad", {1, 1}},
                     {"num_filter", 8},
                     {"num_group", 8},
                     {"no_bias", true}});
  Symbol b2 = Layer("BatchNorm", {dw}, {{"name", "b2"}});
  Symbol sum = Layer("elemwise_add", {b2, r1}, {{"name", "sum"}});
  Symbol p1 = Layer("Pooling", {sum},
                    {{"name", "p1"},
                     {"kernel", {3, 3}},
                     {"stride", {2, 2}},
                     {"pool_type", "max"},
                     {"pooling_convention", "full"}});
  Symbol p2 = Layer("Pooling", {sum},
                    {{"name", "p2"},
                     {"kernel", {3, 3}},
                     {"stride", {2, 2}},
                     {"pad", {1, 1}},
                     {"pool_type", "avg"}});
  Symbol cat = Layer("Concat", {p1, p2}, {{"name", "cat"}, {"dim", 1}});
  Symbol t = Layer("Activation", {cat}, {{"name", "t"}, {"act_type", "tanh"}});
  Symbol f = Layer("Flatten", {t}, {{"name", "f"}});
  Symbol d = Layer("Dropout", {f}, {{"name", "d"}, {"p", 0.3}});
  Symbol fc =
      Layer("FullyConnected", {d}, {{"name", "fc"}, {"num_hidden", 10}});
  return Layer("SoftmaxOutput", {fc}, {{"name", "softmax"}});
}

struct Params {
  std::map<std::string, NDArray> args, aux;
};

Params RandomParams(const Symbol& net, const Shape& data) {
  const Shapes shapes = net.InferShape({{"data", data}});
  const auto names = net.ListArguments();
  const auto aux_names = net.ListAuxiliaryStates();
  Params p;
  std::mt19937 rng(7);
  auto random = [&](const Shape& s, float lo, float hi) {
    std::uniform_real_distribution<float> u(lo, hi);
    std::vector<float> v(s.Size());
    for (float& x : v) x = u(rng);
    return NDArray::FromVector(v, s);
  };
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "data" || names[i] == "softmax_label") continue;
    p.args[names[i]] = random(shapes.arguments[i], -0.5, 0.5);
  }
  for (size_t i = 0; i < aux_names.size(); ++i) {
    p.aux[aux_names[i]] = random(shapes.aux_states[i], 0.5, 1.5);
  }
  return p;
}

std::vector<float> Forward(const Symbol& net, const Params& p,
                           const std::string& input, const NDArray& data) {
  std::map<std::string, NDArray> args = p.args;
  args[input] = data;
  std::map<std::string, GradReq> reqs;
  for (const auto& a : net.ListArguments()) {
    reqs[a] = GradReq::kNull;
    if (!args.count(a)) {  // a loss layer's label
      args[a] = NDArray::Zeros(Shape({data.shape()[0]}));
    }
  }
  auto exec = Executor::Bind(net, Context::CPU(), args, {}, reqs, p.aux);
  exec->Forward(false);
  return exec->outputs()[0].ToVector<float>();
}

NDArray Data(const Shape& s) {
  std::vector<float> v(s.Size());
  for (size_t i = 0; i < v.size(); ++i) v[i] = std::sin(0.37f * i);
  return NDArray::FromVector(v, s);
}

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

TEST(OnnxExport, RoundTripGivesTheSameOutputs) {
  const Symbol net = ZooLike();
  const Params p = RandomParams(net, Shape({2, 3, 10, 10}));
  const std::string bytes =
      ExportModelBytes(net, p.args, p.aux, {{"data", Shape({1, 3, 10, 10})}});
  const ImportedModel m = ImportModelFromBytes(bytes, "zoo_like", "");
  ASSERT_EQ(m.inputs.size(), 1u);
  EXPECT_EQ(m.inputs[0].name, "data");
  EXPECT_EQ(m.inputs[0].dims, (std::vector<int64_t>{-1, 3, 10, 10}));
  // The batch axis is symbolic: the import runs at another batch size.
  const NDArray data = Data(Shape({4, 3, 10, 10}));
  const std::vector<float> want = Forward(net, p, "data", data);
  const std::vector<float> got =
      Forward(m.symbol, {m.args, m.aux}, "data", data);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 1e-6) << i;
  }
}

TEST(OnnxExport, WritesAtomicallyAndRefusesWhatDoesNotExport) {
  const Symbol net = ZooLike();
  const Params p = RandomParams(net, Shape({1, 3, 10, 10}));
  const std::string path = TempPath("zoo_like.onnx");
  ExportModel(net, p.args, p.aux, {{"data", Shape({1, 3, 10, 10})}}, path);
  EXPECT_NO_THROW(onnx::checker::check_model(path));
  EXPECT_NO_THROW(ImportModel(path));
  // Sum pooling has no ONNX op.
  Symbol sum =
      Layer("Pooling", {Symbol::Variable("data")},
            {{"name", "sp"}, {"kernel", {2, 2}}, {"pool_type", "sum"}});
  try {
    ExportModelBytes(sum, {}, {}, {{"data", Shape({1, 1, 4, 4})}});
    FAIL() << "sum pooling exported";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("Pooling 'sp'"));
    EXPECT_THAT(e.what(), HasSubstr("sum pooling does not export"));
  }
  // A missing parameter is an input the caller must give a shape.
  try {
    ExportModelBytes(net, {}, {}, {{"data", Shape({1, 3, 10, 10})}});
  } catch (const Error& e) {
    SUCCEED() << e.what();
  }
}

// ---- bad models ----

onnx::ModelProto TinyModel() {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("tiny");
  auto add_io = [](onnx::ValueInfoProto* v, const std::string& name) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_value(2);
    t->mutable_shape()->add_dim()->set_dim_value(3);
  };
  add_io(g->add_input(), "x");
  add_io(g->add_output(), "y");
  auto* n = g->add_node();
  n->set_op_type("Relu");
  n->add_input("x");
  n->add_output("y");
  return m;
}

std::string ErrorOf(const std::string& bytes, const std::string& dir = "") {
  try {
    ImportModelFromBytes(bytes, "m.onnx", dir);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(OnnxImport, TinyModelRuns) {
  const ImportedModel m =
      ImportModelFromBytes(TinyModel().SerializeAsString(), "tiny", "");
  const std::vector<float> y =
      Forward(m.symbol, {m.args, m.aux}, "x",
              NDArray::FromVector(std::vector<float>{-1, 2, -3, 4, -5, 6},
                                  Shape({2, 3})));
  EXPECT_EQ(y, (std::vector<float>{0, 2, 0, 4, 0, 6}));
}

TEST(OnnxImport, GarbageEmptyAndTruncatedFilesAreErrors) {
  EXPECT_THAT(ErrorOf(""), HasSubstr("'m.onnx': not an ONNX model"));
  EXPECT_THAT(ErrorOf("this is not a model"), HasSubstr("not an ONNX model"));
  const std::string good = TinyModel().SerializeAsString();
  for (size_t cut = 1; cut < good.size(); ++cut) {
    const std::string e = ErrorOf(good.substr(0, cut));
    EXPECT_FALSE(e.empty()) << "truncated at " << cut << " imported";
    EXPECT_THAT(e, HasSubstr("m.onnx")) << cut;
  }
  try {
    ImportModel(TempPath("no_such_model.onnx"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("no_such_model.onnx"));
  }
}

TEST(OnnxImport, FlippedBytesNeverCrash) {
  const Symbol net = ZooLike();
  const Params p = RandomParams(net, Shape({1, 3, 10, 10}));
  const std::string good =
      ExportModelBytes(net, p.args, p.aux, {{"data", Shape({1, 3, 10, 10})}});
  std::mt19937 rng(1);
  for (int trial = 0; trial < 300; ++trial) {
    std::string bad = good;
    for (int k = 0; k < 4; ++k) {
      bad[rng() % bad.size()] ^= static_cast<char>(1 << (rng() % 8));
    }
    try {
      ImportModelFromBytes(bad, "flipped.onnx", "");
    } catch (const InternalError& e) {
      FAIL() << e.what();
    } catch (const Error&) {
    }
  }
}

TEST(OnnxImport, CycleIsAnError) {
  onnx::ModelProto m = TinyModel();
  auto* g = m.mutable_graph();
  g->mutable_node(0)->set_input(0, "z");  // y = Relu(z), z = Relu(y)
  auto* n = g->add_node();
  n->set_op_type("Relu");
  n->add_input("y");
  n->add_output("z");
  EXPECT_THAT(ErrorOf(m.SerializeAsString()),
              HasSubstr("ONNX's checker rejects the model"));
}

onnx::ModelProto WithInitializer(onnx::TensorProto t) {
  onnx::ModelProto m = TinyModel();
  auto* g = m.mutable_graph();
  t.set_name("w");
  *g->add_initializer() = t;
  g->mutable_node(0)->set_op_type("Add");
  g->mutable_node(0)->add_input("w");
  return m;
}

TEST(OnnxImport, ExternalDataMissingOrOutsideIsAnError) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(2);
  t.add_dims(3);
  t.set_data_location(onnx::TensorProto::EXTERNAL);
  auto* kv = t.add_external_data();
  kv->set_key("location");
  kv->set_value("weights.bin");
  const std::string missing =
      ErrorOf(WithInitializer(t).SerializeAsString(), TempPath(""));
  // ONNX's checker looks for the file next to the model and says so.
  EXPECT_THAT(missing, HasSubstr("tensor name: w"));
  EXPECT_THAT(missing, HasSubstr("weights.bin, but it doesn't exist"));
  // A file that exists, but outside the model's folder.
  const std::string models = TempPath("models");
  mkdir(models.c_str(), 0755);
  WriteFileAtomic(TempPath("outside.bin"), std::string(24, '\0'));
  kv->set_value("../outside.bin");
  EXPECT_THAT(ErrorOf(WithInitializer(t).SerializeAsString(), models),
              HasSubstr("must be a relative path inside the model's folder"));
  // Present but short.
  kv->set_value("short.bin");
  WriteFileAtomic(TempPath("short.bin"), std::string(8, '\0'));
  EXPECT_THAT(ErrorOf(WithInitializer(t).SerializeAsString(), TempPath("")),
              HasSubstr("has 8 bytes, the tensor needs bytes 0..24"));
  // Present and whole: it loads.
  WriteFileAtomic(TempPath("whole.bin"), std::string(24, '\0'));
  kv->set_value("whole.bin");
  EXPECT_EQ(ErrorOf(WithInitializer(t).SerializeAsString(), TempPath("")), "");
}

std::string TensorError(const onnx::TensorProto& t) {
  try {
    FromProto(t, "", "tensor 'w'");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(OnnxImport, SizesFromTheFileAreChecked) {
  onnx::TensorProto t;
  t.set_data_type(onnx::TensorProto::FLOAT);
  t.add_dims(int64_t{1} << 40);
  t.add_dims(int64_t{1} << 40);
  t.add_float_data(1.0f);
  // ONNX's checker refuses it first; our reader does too on its own.
  EXPECT_THAT(ErrorOf(WithInitializer(t).SerializeAsString()),
              HasSubstr("tensor name: w"));
  EXPECT_THAT(TensorError(t), HasSubstr("more than 2^63 elements"));
  t.set_dims(0, -2);
  EXPECT_THAT(TensorError(t), HasSubstr("negative extent -2"));
  t.clear_dims();
  t.add_dims(2);
  t.add_dims(3);
  EXPECT_THAT(TensorError(t),
              HasSubstr("float_data holds 1 values, but dims (2, 3) need 6"));
  t.clear_float_data();
  t.set_raw_data(std::string(7, '\0'));
  EXPECT_THAT(TensorError(t),
              HasSubstr("raw_data has 7 bytes, not a multiple of 4"));
  t.set_raw_data(std::string(8, '\0'));
  EXPECT_THAT(TensorError(t), HasSubstr("raw_data holds 2 values"));
  t.set_data_type(onnx::TensorProto::STRING);
  EXPECT_THAT(TensorError(t),
              HasSubstr("element type string is not supported"));
}

TEST(OnnxImport, UnsupportedOpsAndAttributesNameNodeOpAndOpset) {
  onnx::ModelProto m = TinyModel();
  m.mutable_graph()->mutable_node(0)->set_op_type("Hardmax");
  m.mutable_graph()->mutable_node(0)->set_name("hm");
  try {
    ImportModelFromBytes(m.SerializeAsString(), "m.onnx", "");
    FAIL();
  } catch (const UnsupportedError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("Hardmax node 'hm' (opset 13): the operator is not "
                          "supported"));
  }
  onnx::ModelProto lrn = TinyModel();
  auto* n = lrn.mutable_graph()->mutable_node(0);
  n->set_op_type("LRN");
  auto* size = n->add_attribute();
  size->set_name("size");
  size->set_type(onnx::AttributeProto::INT);
  size->set_i(4);
  try {
    ImportModelFromBytes(lrn.SerializeAsString(), "m.onnx", "");
    FAIL();
  } catch (const UnsupportedError& e) {
    EXPECT_THAT(e.what(), HasSubstr("LRN node 'lrn0' (opset 13): size 4"));
  }
  onnx::ModelProto old = TinyModel();
  old.mutable_opset_import(0)->set_version(18);
  EXPECT_THAT(ErrorOf(old.SerializeAsString()), HasSubstr("opset"));
}

// Folding at import is bounded: two small constants whose broadcast sum
// would hold 2^26 values are refused, not allocated.
TEST(OnnxImport, FoldsAreBounded) {
  onnx::ModelProto m = TinyModel();
  auto* g = m.mutable_graph();
  for (const char* name : {"a", "b"}) {
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto::FLOAT);
    t.add_dims(name[0] == 'a' ? 1 : 8192);
    t.add_dims(name[0] == 'a' ? 8192 : 1);
    t.set_raw_data(std::string(8192 * 4, '\0'));
    *g->add_initializer() = t;
  }
  auto* add = g->add_node();
  add->set_op_type("Add");
  add->set_name("big");
  add->add_input("a");
  add->add_input("b");
  add->add_output("ab");
  auto* out = g->add_output();
  out->set_name("ab");
  auto* type = out->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  type->mutable_shape()->add_dim()->set_dim_value(8192);
  type->mutable_shape()->add_dim()->set_dim_value(8192);
  try {
    ImportModelFromBytes(m.SerializeAsString(), "m.onnx", "");
    FAIL() << "folded 2^26 values";
  } catch (const UnsupportedError& e) {
    EXPECT_THAT(e.what(), HasSubstr("Add node 'big'"));
    EXPECT_THAT(e.what(), HasSubstr("67108864 elements is too large to fold"));
  }
}

// docs/onnx.md names every operator the importer and the exporter convert.
TEST(OnnxDocs, ListEveryConvertedOp) {
  const std::string doc = ReadFile("docs/onnx.md");
  for (const std::string& op : SupportedImportOps()) {
    EXPECT_NE(doc.find("`" + op + "`"), std::string::npos)
        << "docs/onnx.md does not name the imported operator " << op;
  }
  for (const std::string& op : SupportedExportOps()) {
    EXPECT_NE(doc.find("`" + op + "`"), std::string::npos)
        << "docs/onnx.md does not name the exported op " << op;
  }
}

}  // namespace
}  // namespace onnx_io
}  // namespace mx
