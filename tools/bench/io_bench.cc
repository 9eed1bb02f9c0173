// io_bench: how fast the iterators deliver batches.
//   - Fashion-MNIST through MNISTIter (batch 128, shuffled, (N,1,28,28))
//     with and without the prefetch thread, alone and with a consumer that
//     spends a fixed time per batch (as training would), reporting the time
//     Next waited for data;
//   - ImageRecordIter on generated 256x256 JPEGs (quality 90): decode, random
//     224x224 crop and mirror, mean and scale, with 1 and 2 decode threads.
//
//   io_bench [--data DIR] [--epochs N] [--compute-ms MS] [--images N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/base/error.h"
#include "core/base/tool_main.h"
#include "io/image_record_iter.h"
#include "io/mnist_file.h"
#include "io/mnist_iter.h"
#include "io/recordio.h"

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

// `count` 256x256 JPEGs of smooth gradients plus noise (about 20 KB each,
// like photos) in a .rec file; returns its path.
std::string WriteJpegRecords(int count) {
  const std::string path = "/tmp/io_bench_images.rec";
  io::RecordWriter w(path);
  std::mt19937 rng(1);
  cv::Mat img(256, 256, CV_8UC3);
  std::vector<uchar> jpeg;
  for (int k = 0; k < count; ++k) {
    for (int y = 0; y < 256; ++y) {
      for (int x = 0; x < 256; ++x) {
        const int noise = static_cast<int>(rng() % 32);
        img.at<cv::Vec3b>(y, x) =
            cv::Vec3b(static_cast<uchar>((x + k) % 224 + noise),
                      static_cast<uchar>((y * 2 + k) % 224 + noise),
                      static_cast<uchar>((x + y) % 224 + noise));
      }
    }
    cv::imencode(".jpg", img, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
    w.Write(io::PackImageRecord(
        {static_cast<float>(k % 10)}, static_cast<uint64_t>(k),
        std::string_view(reinterpret_cast<const char*>(jpeg.data()),
                         jpeg.size())));
  }
  w.Close();
  return path;
}

void ImageRecordBench(int images, int epochs) {
  const std::string rec = WriteJpegRecords(images);
  std::printf(
      "\nImageRecordIter: %d JPEGs 256x256 -> random crop (3,224,224), "
      "mirror, mean, scale; batch 32, %d epochs\n",
      images, epochs);
  std::printf("%-8s %12s %14s\n", "threads", "images/s", "waited (s)");
  for (const char* threads : {"1", "2"}) {
    auto it = io::CreateImageRecordIter({{"path_imgrec", rec},
                                         {"data_shape", "(3,224,224)"},
                                         {"batch_size", "32"},
                                         {"rand_crop", "True"},
                                         {"rand_mirror", "True"},
                                         {"mean_r", "123.68"},
                                         {"mean_g", "116.28"},
                                         {"mean_b", "103.53"},
                                         {"scale", "0.0171"},
                                         {"preprocess_threads", threads}});
    const Result r = Run(it.get(), epochs, 0);
    std::printf("%-8s %12.0f %14.3f\n", threads, 32 * r.batches / r.seconds,
                r.wait);
  }
  std::remove(rec.c_str());
}

int Main(int argc, char** argv) {
  std::string dir = io::kFashionMnistDir;
  int epochs = 3;
  double compute_ms = 0.5;
  int images = 512;
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
    } else if (arg == "--images" && has_value) {
      images = std::atoi(argv[++i]);
      MX_CHECK(images >= 32, "--images must be at least 32, got ", argv[i]);
    } else {
      MX_THROW("unknown argument '", arg,
               "'; usage: io_bench [--data DIR] [--epochs N] [--compute-ms "
               "MS] [--images N]");
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
  ImageRecordBench(images, epochs);
  return 0;
}

}  // namespace
}  // namespace mx

int main(int argc, char** argv) {
  return mx::RunTool("io_bench", mx::Main, argc, argv);
}
