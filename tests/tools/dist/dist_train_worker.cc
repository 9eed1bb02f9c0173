// A process of the dist_sync tests (dist_sync_test.cc runs it under mpirun).
//   dist_train_worker dist OUT        every rank trains on its part of each
//                                     global batch with kvstore dist_sync
//   dist_train_worker reference N OUT one process trains on the whole global
//                                     batches (N devices, kvstore local)
// Both train the same MLP from the same seed on the same synthetic data; each
// process writes its weights to OUT/<mode>-rank<R>.params.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/base/tool_main.h"
#include "core/dist/communicator.h"
#include "core/ndarray/ndarray_io.h"
#include "io/ndarray_iter.h"
#include "fit/trainer.h"

namespace mx {
namespace {

constexpr int64_t kSamples = 512, kFeatures = 20, kClasses = 4;
constexpr int64_t kBatch = 16;  // per process
constexpr int kEpochs = 2;

// Samples whose class is the argmax of a fixed linear map: learnable.
void MakeData(std::vector<float>* x, std::vector<float>* y) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> w(kFeatures * kClasses);
  for (float& v : w) v = u(gen);
  x->resize(kSamples * kFeatures);
  y->resize(kSamples);
  for (int64_t i = 0; i < kSamples; ++i) {
    float best = -1e30f;
    for (int64_t f = 0; f < kFeatures; ++f) (*x)[i * kFeatures + f] = u(gen);
    for (int64_t c = 0; c < kClasses; ++c) {
      float score = 0;
      for (int64_t f = 0; f < kFeatures; ++f)
        score += (*x)[i * kFeatures + f] * w[f * kClasses + c];
      if (score > best) best = score, (*y)[i] = static_cast<float>(c);
    }
  }
}

// The rows `rows` of the data set, as an iterator of batches of `batch`.
std::unique_ptr<io::DataIter> Iter(const std::vector<int64_t>& rows,
                                   int64_t batch) {
  std::vector<float> x, y, px, py;
  MakeData(&x, &y);
  for (int64_t r : rows) {
    px.insert(px.end(), x.begin() + r * kFeatures,
              x.begin() + (r + 1) * kFeatures);
    py.push_back(y[r]);
  }
  const int64_t n = static_cast<int64_t>(rows.size());
  io::NDArrayIterOptions o;
  o.batch.batch_size = batch;
  return io::CreateNDArrayIter(NDArray::FromVector(px, Shape({n, kFeatures})),
                               NDArray::FromVector(py, Shape({n})), o);
}

Symbol Mlp() {
  Symbol x = Symbol::Variable("data");
  x = Symbol::Create("FullyConnected", {x},
                     {{"num_hidden", 32}, {"name", "fc1"}});
  x = Symbol::Create("Activation", {x}, {{"act_type", "relu"}});
  x = Symbol::Create("FullyConnected", {x},
                     {{"num_hidden", kClasses}, {"name", "fc2"}});
  return Symbol::Create("SoftmaxOutput", {x}, {{"name", "softmax"}});
}

int Run(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  MX_CHECK((mode == "dist" && argc == 3) || (mode == "reference" && argc == 4),
           "usage: dist_train_worker dist OUT | reference N OUT");
  const std::string out = argv[argc - 1];
  TrainerOptions o;
  o.optimizer_params = {
      {"learning_rate", "0.1"}, {"momentum", "0.9"}, {"wd", "0.0001"}};
  o.seed = 3;
  std::unique_ptr<io::DataIter> train;
  if (mode == "dist") {
    o.kvstore = "dist_sync";
    // Contiguous parts, as the iterators' num_parts / part_index.
    const int rank = std::atoi(std::getenv("OMPI_COMM_WORLD_RANK")
                                   ? std::getenv("OMPI_COMM_WORLD_RANK")
                                   : "0");
    const int size = std::atoi(std::getenv("OMPI_COMM_WORLD_SIZE")
                                   ? std::getenv("OMPI_COMM_WORLD_SIZE")
                                   : "1");
    std::vector<int64_t> rows;
    for (int64_t r = rank * kSamples / size; r < (rank + 1) * kSamples / size;
         ++r)
      rows.push_back(r);
    train = Iter(rows, kBatch);
  } else {
    // Global batch b: part 0's batch b, then part 1's, ...: what the
    // processes take, split over as many devices.
    const int parts = std::atoi(argv[2]);
    const int64_t part = kSamples / parts;
    std::vector<int64_t> rows;
    for (int64_t b = 0; b < part / kBatch; ++b)
      for (int p = 0; p < parts; ++p)
        for (int64_t i = 0; i < kBatch; ++i)
          rows.push_back(p * part + b * kBatch + i);
    o.contexts.clear();
    for (int d = 0; d < parts; ++d) o.contexts.push_back(Context::CPU(d));
    train = Iter(rows, kBatch * parts);
  }
  {
    Trainer trainer(Mlp(), *train, o);
    for (int e = 0; e < kEpochs; ++e) trainer.TrainEpoch(train.get(), nullptr);
    std::map<std::string, NDArray> args;
    for (const auto& [name, a] : trainer.args()) args[name] = a;
    SaveNDArrayMap(StrCat(out, "/", mode, "-rank", trainer.rank(), ".params"),
                   args);
    std::printf("rank %d of %d: trained %lld updates\n", trainer.rank(),
                trainer.num_workers(),
                static_cast<long long>(trainer.num_update()));
  }
  if (mode == "dist") dist::Communicator::World().Finalize();
  return 0;
}

}  // namespace
}  // namespace mx

int main(int argc, char** argv) {
  return mx::RunTool("dist_train_worker", mx::Run, argc, argv);
}
