// io_bench: how fast the iterators deliver batches. Fashion-MNIST through
// MNISTIter (batch 128, shuffled, (N,1,28,28)) with and without the
// prefetch thread, alone and with a consumer that spends a fixed time per
// batch (as training would), reporting the time Next waited for data.
//
//   io_bench [--data DIR] [--epochs N] [--compute-ms MS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/base/error.h"
#include "core/base/tool_main.h"
#include "io/mnist_file.h"
#include "io/mnist_iter.h"

namespace mx {
namespace {

using Clock = std::chrono::steady_clock;

struct Result {
  double seconds = 0, wait = 0;
  int64_t batches = 0;
};

// `epochs` epochs; the consumer reads each batch's label (waiting for the
// copy) and then busy-waits `compute_ms` to stand in for a training step.
Result Run(io::DataIter* it, int epochs, double compute_ms) {
  Result r;
  const auto start = Clock::now();
  for (int e = 0; e < epochs; ++e) {
    if (e > 0) it->Reset();
    while (it->Next()) {
      it->Value().label[0].WaitToRead();
      ++r.batches;
      const auto until =
          Clock::now() + std::chrono::duration<double, std::milli>(compute_ms);
      while (Clock::now() < until) {
      }
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.wait = it->WaitSeconds();
  return r;
}

int Main(int argc, char** argv) {
  std::string dir = io::kFashionMnistDir;
  int epochs = 3;
  double compute_ms = 0.5;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--data" && has_value) {
      dir = argv[++i];
    } else if (arg == "--epochs" && has_value) {
      epochs = std::atoi(argv[++i]);
      MX_CHECK(epochs >= 1, "--epochs must be at least 1, got ", argv[i]);
    } else if (arg == "--compute-ms" && has_value) {
      compute_ms = std::atof(argv[++i]);
      MX_CHECK(compute_ms >= 0, "--compute-ms must be >= 0, got ", argv[i]);
    } else {
      MX_THROW("unknown argument '", arg,
               "'; usage: io_bench [--data DIR] [--epochs N] [--compute-ms "
               "MS]");
    }
  }
  std::printf("Fashion-MNIST train, MNISTIter batch 128, shuffle, %d epochs\n",
              epochs);
  std::printf("%-10s %-12s %12s %12s %14s\n", "prefetch", "consumer",
              "batches/s", "samples/s", "waited (s)");
  for (const char* prefetch : {"0", "4"}) {
    for (double ms : {0.0, compute_ms}) {
      auto it =
          io::CreateMnistIter({{"image", dir + "/train-images-idx3-ubyte.gz"},
                               {"label", dir + "/train-labels-idx1-ubyte.gz"},
                               {"batch_size", "128"},
                               {"prefetch_buffer", prefetch}});
      const Result r = Run(it.get(), epochs, ms);
      const std::string consumer =
          ms == 0 ? "none" : std::to_string(ms).substr(0, 4) + " ms";
      std::printf("%-10s %-12s %12.0f %12.0f %14.3f\n", prefetch,
                  consumer.c_str(), r.batches / r.seconds,
                  128 * r.batches / r.seconds, r.wait);
    }
  }
  return 0;
}

}  // namespace
}  // namespace mx

int main(int argc, char** argv) {
  return mx::RunTool("io_bench", mx::Main, argc, argv);
}
