// mx_demo: the main job until mxtrain lands. Loads Fashion-MNIST (IDX, gzip),
// computes one mean image per class with NDArray operations on the engine,
// classifies the test set by nearest class mean (distances through one Dot),
// prints accuracy and throughput, and saves the means as a .params file.
//
//   mx_demo [--data DIR] [--out FILE]
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/ndarray/ndarray.h"
#include "core/ndarray/ndarray_io.h"

namespace mx {
namespace {

// Reads a whole gzip file into memory.
std::string ReadGzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  MX_CHECK(f != nullptr, "cannot open '", path,
           "'; install the data set with tools/setup.sh or pass --data DIR");
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, n);
  int err = 0;
  const char* msg = gzerror(f, &err);
  const std::string why = msg ? msg : "";
  gzclose(f);
  MX_CHECK(n == 0 && err == Z_OK, "cannot read '", path, "': ", why);
  return out;
}

uint32_t BigEndian32(const std::string& bytes, size_t offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + offset);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | p[3];
}

// An IDX file: magic 0x00000803 (images) or 0x00000801 (labels), big-endian
// extents, uint8 data.
std::vector<uint8_t> ReadIdx(const std::string& path, int ndim,
                             std::vector<int64_t>* dims) {
  const std::string bytes = ReadGzip(path);
  const size_t header = 4 + 4 * static_cast<size_t>(ndim);
  MX_CHECK(bytes.size() >= header, "'", path, "': truncated IDX header");
  const uint32_t magic = BigEndian32(bytes, 0);
  MX_CHECK(magic == 0x800u + static_cast<uint32_t>(ndim), "'", path,
           "': IDX magic 0x", std::hex, magic, std::dec, ", expected 0x",
           std::hex, 0x800 + ndim, " (uint8, ", std::dec, ndim, "-d)");
  int64_t size = 1;
  dims->clear();
  for (int i = 0; i < ndim; ++i) {
    dims->push_back(BigEndian32(bytes, 4 + 4 * i));
    size *= dims->back();
  }
  MX_CHECK(bytes.size() == header + static_cast<size_t>(size), "'", path,
           "': ", bytes.size() - header, " data bytes, expected ", size);
  return std::vector<uint8_t>(bytes.begin() + header, bytes.end());
}

// Images as a float32 (n, 784) array scaled to [0, 1], labels as host ints.
void LoadSplit(const std::string& dir, const std::string& prefix,
               NDArray* images, std::vector<int>* labels) {
  std::vector<int64_t> idims, ldims;
  const auto pixels =
      ReadIdx(dir + "/" + prefix + "-images-idx3-ubyte.gz", 3, &idims);
  const auto label_bytes =
      ReadIdx(dir + "/" + prefix + "-labels-idx1-ubyte.gz", 1, &ldims);
  MX_CHECK(idims[0] == ldims[0], prefix, ": ", idims[0], " images but ",
           ldims[0], " labels");
  const int64_t n = idims[0], features = idims[1] * idims[2];
  *images =
      NDArray::FromVector(pixels, Shape{n, features}).AsType(DType::kFloat32) /
      255.0;
  labels->assign(label_bytes.begin(), label_bytes.end());
  for (int l : *labels)
    MX_CHECK(l >= 0 && l < 10, prefix, ": label ", l, " outside 0..9");
}

int Run(int argc, char** argv) {
  std::string dir = "/usr/share/datasets/fashion-mnist";
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
  NDArray train, test;
  std::vector<int> train_labels, test_labels;
  LoadSplit(dir, "train", &train, &train_labels);
  LoadSplit(dir, "t10k", &test, &test_labels);
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
  try {
    return mx::Run(argc, argv);
  } catch (const mx::Error& e) {
    std::fprintf(stderr, "mx_demo: error: %s\n", e.what());
    return 1;
  }
}
