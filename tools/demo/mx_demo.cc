// mx_demo: the main job until mxtrain lands. Loads Fashion-MNIST (IDX, gzip),
// computes one mean image per class with NDArray operations on the engine,
// classifies the test set by nearest class mean (distances through one Dot),
// prints accuracy and throughput, and saves the means as a .params file.
//
//   mx_demo [--data DIR] [--out FILE]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/tool_main.h"
#include "core/ndarray/ndarray.h"
#include "core/ndarray/ndarray_io.h"
#include "io/mnist_file.h"

namespace mx {
namespace {

int Run(int argc, char** argv) {
  std::string dir = io::kFashionMnistDir;
  std::string out = "fashion_mnist_class_means.params";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--data" || arg == "--out") && i + 1 < argc) {
      (arg == "--data" ? dir : out) = argv[++i];
    } else {
      std::fprintf(stderr,
                   "mx_demo: unknown argument '%s'\nusage: mx_demo [--data "
                   "DIR] [--out FILE]\n",
                   arg.c_str());
      return 2;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  io::MnistSplit train_split = io::LoadMnistSplit(dir, "train");
  io::MnistSplit test_split = io::LoadMnistSplit(dir, "t10k");
  const NDArray& train = train_split.images;
  const NDArray& test = test_split.images;
  const std::vector<int>& train_labels = train_split.labels;
  const std::vector<int>& test_labels = test_split.labels;
  const int64_t features = train.shape()[1];
  const auto loaded = std::chrono::steady_clock::now();

  // Class means: sum the rows of each class (pushed ops; the engine runs them
  // in order).
  std::vector<NDArray> sums;
  std::vector<int64_t> counts(10, 0);
  for (int c = 0; c < 10; ++c) sums.push_back(NDArray::Zeros(Shape{features}));
  for (size_t i = 0; i < train_labels.size(); ++i) {
    sums[train_labels[i]] += train.At(static_cast<int64_t>(i));
    ++counts[train_labels[i]];
  }
  NDArray means(Shape{10, features});
  for (int c = 0; c < 10; ++c) {
    MX_CHECK(counts[c] > 0, "train: class ", c, " has no images");
    NDArray row = means.At(c);
    (sums[c] / static_cast<double>(counts[c])).CopyTo(&row);
  }

  // Nearest mean: argmin_c |m_c|^2 - 2 x.m_c, with every x.m_c from one
  // (n,784)x(784,10) product.
  const std::vector<float> scores =
      Dot(test, means, false, true).ToVector<float>();
  const std::vector<float> m = means.ToVector<float>();
  std::vector<double> norms(10, 0);
  for (int c = 0; c < 10; ++c) {
    for (int64_t j = 0; j < features; ++j)
      norms[c] += double{m[c * features + j]} * m[c * features + j];
  }
  int64_t correct = 0;
  for (size_t i = 0; i < test_labels.size(); ++i) {
    int best = 0;
    double best_dist = 0;
    for (int c = 0; c < 10; ++c) {
      const double dist = norms[c] - 2.0 * scores[i * 10 + c];
      if (c == 0 || dist < best_dist) best = c, best_dist = dist;
    }
    correct += best == test_labels[i];
  }
  const auto done = std::chrono::steady_clock::now();

  SaveNDArrayMap(out, {{"class_means", means}});
  const NDArray reloaded = LoadNDArrayMap(out).at("class_means");
  MX_CHECK(reloaded.ToVector<float>() == m, "'", out,
           "': reloaded class means differ");

  using Seconds = std::chrono::duration<double>;
  const double load_s = Seconds(loaded - start).count();
  const double compute_s = Seconds(done - loaded).count();
  std::printf(
      "data: %zu train + %zu test images of %lld pixels from %s (%.2f s)\n",
      train_labels.size(), test_labels.size(), static_cast<long long>(features),
      dir.c_str(), load_s);
  std::printf(
      "nearest class mean: test accuracy %.4f (%lld/%zu), %.3f s for %zu "
      "NDArray ops\n",
      static_cast<double>(correct) / test_labels.size(),
      static_cast<long long>(correct), test_labels.size(), compute_s,
      train_labels.size() + 30);
  std::printf("saved class means (10,%lld) to %s\n",
              static_cast<long long>(features), out.c_str());
  return 0;
}

}  // namespace
}  // namespace mx

int main(int argc, char** argv) {
  return mx::RunTool("mx_demo", mx::Run, argc, argv);
}
