// mx's exported ONNX models run in a second runtime, OpenCV's DNN module
// (cv::dnn::readNetFromONNX, Debian's libopencv-dnn-dev), with the same
// outputs as mx's executor.
#include <gtest/gtest.h>

#include <opencv2/dnn.hpp>
#include <random>
#include <string>

#include "core/executor/executor.h"
#include "interop/onnx/exporter.h"

namespace mx {
namespace onnx_io {
namespace {

Symbol L(const std::string& op, std::vector<Symbol> in, Kwargs kw) {
  return Symbol::Create(op, in, kw);
}

Symbol Mlp() {
  Symbol x = Symbol::Variable("data");
  Symbol h = L("FullyConnected", {x}, {{"name", "fc1"}, {"num_hidden", 32}});
  h = L("Activation", {h}, {{"name", "relu1"}, {"act_type", "relu"}});
  h = L("FullyConnected", {h}, {{"name", "fc2"}, {"num_hidden", 10}});
  return L("SoftmaxOutput", {h}, {{"name", "softmax"}});
}

Symbol LeNet() {
  Symbol x = Symbol::Variable("data");
  Symbol h = L("Convolution", {x},
               {{"name", "conv1"}, {"kernel", {5, 5}}, {"num_filter", 6}});
  h = L("Activation", {h}, {{"name", "tanh1"}, {"act_type", "tanh"}});
  h = L("Pooling", {h},
        {{"name", "pool1"},
         {"kernel", {2, 2}},
         {"stride", {2, 2}},
         {"pool_type", "max"}});
  h = L("Convolution", {h},
        {{"name", "conv2"}, {"kernel", {5, 5}}, {"num_filter", 8}});
  h = L("Activation", {h}, {{"name", "tanh2"}, {"act_type", "tanh"}});
  h = L("Pooling", {h},
        {{"name", "pool2"},
         {"kernel", {2, 2}},
         {"stride", {2, 2}},
         {"pool_type", "avg"}});
  h = L("Flatten", {h}, {{"name", "flatten"}});
  h = L("FullyConnected", {h}, {{"name", "fc1"}, {"num_hidden", 10}});
  return L("SoftmaxOutput", {h}, {{"name", "softmax"}});
}

// A residual block with BatchNorm (learned and fixed gamma), a depthwise
// convolution, a concatenation and global pooling: the zoo's other layers.
Symbol ResNetLike() {
  Symbol x = Symbol::Variable("data");
  Symbol c = L("Convolution", {x},
               {{"name", "c0"},
                {"kernel", {3, 3}},
                {"pad", {1, 1}},
                {"num_filter", 8},
                {"no_bias", true}});
  c = L("BatchNorm", {c}, {{"name", "bn0"}, {"fix_gamma", false}});
  Symbol r = L("Activation", {c}, {{"name", "r0"}, {"act_type", "relu"}});
  Symbol d = L("Convolution", {r},
               {{"name", "dw"},
                {"kernel", {3, 3}},
                {"pad", {1, 1}},
                {"num_filter", 8},
                {"num_group", 8},
                {"no_bias", true}});
  d = L("BatchNorm", {d}, {{"name", "bn1"}});
  Symbol s = L("elemwise_add", {d, r}, {{"name", "sum"}});
  s = L("Activation", {s}, {{"name", "r1"}, {"act_type", "relu"}});
  Symbol p = L("Pooling", {s},
               {{"name", "p"},
                {"kernel", {2, 2}},
                {"stride", {2, 2}},
                {"pool_type", "max"}});
  Symbol q = L("Convolution", {p},
               {{"name", "q"}, {"kernel", {1, 1}}, {"num_filter", 4}});
  Symbol cat = L("Concat", {p, q}, {{"name", "cat"}, {"dim", 1}});
  Symbol g = L("Pooling", {cat},
               {{"name", "gap"},
                {"kernel", {1, 1}},
                {"global_pool", true},
                {"pool_type", "avg"}});
  g = L("Flatten", {g}, {{"name", "flat"}});
  g = L("FullyConnected", {g}, {{"name", "fc"}, {"num_hidden", 10}});
  return L("SoftmaxOutput", {g}, {{"name", "softmax"}});
}

// The transformer's layers: rows as tokens, LayerNorm, position-wise fully
// connected layers, scaled dot-product attention, a mean over the tokens.
Symbol AttentionLike() {
  Symbol x = Symbol::Variable("data");
  Symbol t = L("Reshape", {x}, {{"name", "rows"}, {"shape", {0, 28, 28}}});
  t = L("FullyConnected", {t},
        {{"name", "embed"}, {"num_hidden", 16}, {"flatten", false}});
  Symbol n = L("LayerNorm", {t}, {{"name", "ln"}});
  auto proj = [&](const char* name) {
    return L("FullyConnected", {n},
             {{"name", name}, {"num_hidden", 16}, {"flatten", false}});
  };
  Symbol scores = L("batch_dot", {proj("q"), proj("k")},
                    {{"name", "scores"}, {"transpose_b", true}});
  scores = L("_mul_scalar", {scores}, {{"name", "scaled"}, {"scalar", 0.25}});
  Symbol w = L("softmax", {scores}, {{"name", "weights"}, {"axis", -1}});
  Symbol mixed = L("batch_dot", {w, proj("v")}, {{"name", "mixed"}});
  Symbol sum = L("elemwise_add", {mixed, t}, {{"name", "residual"}});
  Symbol pooled = L("mean", {sum}, {{"name", "pool"}, {"axis", {1}}});
  Symbol fc =
      L("FullyConnected", {pooled}, {{"name", "fc"}, {"num_hidden", 10}});
  return L("SoftmaxOutput", {fc}, {{"name", "softmax"}});
}

void CheckInOpenCV(const Symbol& net, const Shape& shape) {
  const Shapes shapes = net.InferShape({{"data", shape}});
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f), pos(0.5f, 1.5f);
  auto random = [&](const Shape& s, bool positive) {
    std::vector<float> v(s.Size());
    for (float& x : v) x = positive ? pos(rng) : u(rng);
    return NDArray::FromVector(v, s);
  };
  std::map<std::string, NDArray> args, aux;
  const auto names = net.ListArguments();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != "softmax_label") {
      args[names[i]] = random(shapes.arguments[i], false);
    }
  }
  const auto aux_names = net.ListAuxiliaryStates();
  for (size_t i = 0; i < aux_names.size(); ++i) {
    aux[aux_names[i]] = random(shapes.aux_states[i], true);
  }
  const NDArray data = args.at("data");
  args.erase("data");
  const std::string bytes = ExportModelBytes(net, args, aux, {{"data", shape}});

  std::map<std::string, NDArray> bound = args;
  bound["data"] = data;
  bound["softmax_label"] = NDArray::Zeros(Shape({shape[0]}));
  auto exec = Executor::Bind(net, Context::CPU(), bound, {}, {}, aux);
  exec->Forward(false);
  const std::vector<float> want = exec->outputs()[0].ToVector<float>();

  cv::dnn::Net cv_net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
  std::vector<int> dims(shape.dims().begin(), shape.dims().end());
  std::vector<float> in = data.ToVector<float>();
  cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F, in.data());
  cv_net.setInput(blob);
  cv::Mat out = cv_net.forward();
  ASSERT_EQ(static_cast<size_t>(out.total()), want.size());
  const float* got = out.ptr<float>();
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 1e-5 + 1e-4 * std::fabs(want[i])) << i;
  }
}

TEST(OnnxOpenCV, Mlp) { CheckInOpenCV(Mlp(), Shape({4, 784})); }
TEST(OnnxOpenCV, LeNet) { CheckInOpenCV(LeNet(), Shape({3, 1, 28, 28})); }
// OpenCV 4.6 broadcasts the (1, T, D) constants of this graph over batch 1
// only (its Eltwise layer wants equal batch extents).
TEST(OnnxOpenCV, AttentionLike) {
  CheckInOpenCV(AttentionLike(), Shape({1, 1, 28, 28}));
}
TEST(OnnxOpenCV, ResNetLike) {
  CheckInOpenCV(ResNetLike(), Shape({2, 3, 12, 12}));
}

}  // namespace
}  // namespace onnx_io
}  // namespace mx
