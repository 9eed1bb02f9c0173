// mxtrain end to end, as a user drives it: tiny configs on Fashion-MNIST's
// test split train for a few epochs (loss falls, the run folder fills),
// resume gives the same weights as an uninterrupted run, signals save a
// checkpoint, every class of config error produces its message and exit
// code, and the test/time/check/summary commands work.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "core/base/file_util.h"
#include "io/mnist_file.h"
#include "tests/testing/command.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::mx::testing::FileExists;
using ::mx::testing::ReadFile;
using ::mx::testing::RunCommand;
using ::mx::testing::TempPath;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

using Result = ::mx::testing::CommandResult;

Result Mxtrain(const std::string& args) {
  return RunCommand("tools/mxtrain/mxtrain", args);
}

Result Mxinfer(const std::string& args) {
  return RunCommand("tools/mxinfer/mxinfer", args);
}

bool Exists(const std::string& path) { return FileExists(path); }

std::string Read(const std::string& path) { return ReadFile(path); }

// One MNISTIter section over the 10k test images, as YAML lines indented
// for data.train / data.val.
std::string TestImages(bool shuffle) {
  const std::string dir = io::kFashionMnistDir;
  return "    type: MNISTIter\n    image: " + dir +
         "/t10k-images-idx3-ubyte.gz\n    label: " + dir +
         "/t10k-labels-idx1-ubyte.gz\n    batch_size: 100\n    flat: true\n"
         "    shuffle: " +
         (shuffle ? "true" : "false") + "\n";
}

// A small MLP on the 10k test images (100 batches of 100 an epoch).
std::string TinyConfig(const std::string& extra = "") {
  return "name: tiny\nseed: 3\nepochs: 2\ndata:\n  train:\n" +
         TestImages(true) + "  val:\n" + TestImages(false) + R"(network:
  layers:
    - {op: FullyConnected, name: fc1, num_hidden: 32}
    - {op: Activation, name: relu1, act_type: relu}
    - {op: Dropout, name: drop, p: 0.2}
    - {op: FullyConnected, name: fc2, num_hidden: 10}
    - {op: SoftmaxOutput, name: softmax}
optimizer: {type: adam, learning_rate: 0.003}
schedule: {type: factor, step: 50, factor: 0.8}
logging: {progress: lines, interval: 50}
)" + extra;
}

// Writes `yaml` as a config in a fresh folder; returns its path.
std::string WriteConfig(const std::string& name, const std::string& yaml) {
  const std::string dir = TempPath(name);
  ::mkdir(dir.c_str(), 0777);
  const std::string path = dir + "/net.yaml";
  WriteFileAtomic(path, yaml);
  return path;
}

std::string RunDir(const std::string& config) {
  return config.substr(0, config.rfind('/')) + "/run";
}

std::string Flags(const std::string& config) {
  return "--config " + config + " --set output=" + RunDir(config);
}

// A residual network (BatchNorm + ReLU and add + ReLU pairs) trains to the
// same weights, bit for bit, bound with the executor's fusion pass and
// without (MX_FUSION=0; Note [Op fusion]).
TEST(MxtrainTest, FusedAndUnfusedGraphsTrainTheSame) {
  std::string data = TestImages(true);
  data.replace(data.find("flat: true"), 10, "flat: false");
  const std::string yaml =
      "name: fused\nseed: 5\nepochs: 1\ndata:\n  train:\n" + data +
      "    num_parts: 10\n" + R"(network:
  layers:
    - {op: Convolution, name: conv1, num_filter: 4, kernel: [3, 3], pad: [1, 1], no_bias: true}
    - {op: BatchNorm, name: bn1, fix_gamma: false}
    - {op: Activation, name: relu1, act_type: relu}
    - {op: Convolution, name: conv2, num_filter: 4, kernel: [3, 3], pad: [1, 1], no_bias: true}
    - {op: BatchNorm, name: bn2, fix_gamma: false}
    - {op: elemwise_add, name: sum, inputs: [bn2, relu1]}
    - {op: Activation, name: relu2, act_type: relu}
    - {op: Pooling, name: pool, pool_type: avg, global_pool: true, kernel: [1, 1]}
    - {op: Flatten, name: flatten}
    - {op: FullyConnected, name: fc, num_hidden: 10}
    - {op: SoftmaxOutput, name: softmax}
optimizer: {type: sgd, learning_rate: 0.1, momentum: 0.9}
logging: {progress: none, curve: false}
)";
  std::string params[2];
  for (int fusion : {0, 1}) {
    const std::string config =
        WriteConfig("fusion" + std::to_string(fusion), yaml);
    setenv("MX_FUSION", fusion ? "1" : "0", 1);
    const Result r = Mxtrain(Flags(config));
    unsetenv("MX_FUSION");
    ASSERT_EQ(r.code, 0) << r.output;
    params[fusion] = Read(RunDir(config) + "/model-0001.params");
  }
  EXPECT_FALSE(params[0].empty());
  EXPECT_TRUE(params[0] == params[1]) << "the fused run's weights differ";
}

TEST(MxtrainTest, TrainsAndFillsTheRunFolder) {
  const std::string config = WriteConfig("train", TinyConfig());
  const Result r = Mxtrain(Flags(config));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("epoch 2/2: train accuracy="));
  EXPECT_THAT(r.output, HasSubstr("parameters: 25450"));  // the summary
  const std::string run = RunDir(config);
  for (const char* f :
       {"config.yaml", "metrics.csv", "model-symbol.json", "model-0001.params",
        "model-0001.states", "model-0002.params", "model-0002.states",
        "train.log", "training_curve.png"}) {
    EXPECT_TRUE(Exists(run + "/" + f)) << f;
  }
  EXPECT_EQ(Read(run + "/training_curve.png").substr(1, 3), "PNG");
  // Loss falls: cross-entropy of epoch 2 below epoch 1's (column 6).
  std::istringstream csv(Read(run + "/metrics.csv"));
  std::string header, e1, e2;
  std::getline(csv, header);
  std::getline(csv, e1);
  std::getline(csv, e2);
  EXPECT_THAT(header, HasSubstr("train_accuracy,train_cross-entropy,val_"));
  const auto ce = [](const std::string& line) {
    std::istringstream in(line);
    std::string cell;
    for (int i = 0; i < 6; ++i) std::getline(in, cell, ',');
    return std::stod(cell);
  };
  EXPECT_LT(ce(e2), ce(e1));
  EXPECT_LT(ce(e2), 0.8);
  // The saved config reproduces the run's settings.
  EXPECT_THAT(Read(run + "/config.yaml"), HasSubstr("learning_rate: 0.003"));

  // `test` evaluates the last checkpoint on data.val with the value the
  // training run reported.
  const Result t = Mxtrain("test " + Flags(config));
  ASSERT_EQ(t.code, 0) << t.output;
  std::istringstream last(e2);
  std::string cell;
  for (int i = 0; i < 7; ++i) std::getline(last, cell, ',');
  EXPECT_NEAR(std::stod(t.output.substr(t.output.find("\naccuracy ") + 10)),
              std::stod(cell), 1e-5)
      << t.output;
}

TEST(MxtrainTest, ResumeGivesTheWeightsOfAnUninterruptedRun) {
  const std::string full = WriteConfig("full", TinyConfig());
  ASSERT_EQ(Mxtrain(Flags(full) + " --set epochs=3").code, 0);
  const std::string part = WriteConfig("part", TinyConfig());
  ASSERT_EQ(Mxtrain(Flags(part) + " --set epochs=1").code, 0);
  const Result r = Mxtrain(Flags(part) + " --set epochs=3 --resume");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("resumed from"));
  EXPECT_THAT(r.output, Not(HasSubstr("epoch 1/3:")));
  EXPECT_EQ(Read(RunDir(part) + "/model-0003.params"),
            Read(RunDir(full) + "/model-0003.params"));
  // The metrics file holds each epoch once.
  const std::string metrics = Read(RunDir(part) + "/metrics.csv");
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 4) << metrics;
}

// Starts mxtrain on `config` in the background; returns its pid once its
// log shows the first epoch done (so it is training).
pid_t StartTraining(const std::string& config, int epochs) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string out = RunDir(config);
    ::execl("tools/mxtrain/mxtrain", "mxtrain", "--config", config.c_str(),
            "--set", ("output=" + out).c_str(), "--set",
            ("epochs=" + std::to_string(epochs)).c_str(), "--set",
            "logging.progress=none", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::string log = RunDir(config) + "/train.log";
  for (int i = 0; i < 1500; ++i) {
    if (Read(log).find("epoch 1/") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pid;
}

TEST(MxtrainTest, SignalsSaveACheckpointAndResumeContinuesExactly) {
  // Long enough to be interrupted mid-run.
  const std::string yaml = TinyConfig() + "checkpoint: {every: 100}\n";
  const std::string full = WriteConfig("sig_full", yaml);
  ASSERT_EQ(Mxtrain(Flags(full) + " --set epochs=6").code, 0);
  const std::string part = WriteConfig("sig_part", yaml);
  const pid_t pid = StartTraining(part, 6);
  const std::string log = RunDir(part) + "/train.log";
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 0) GTEST_SKIP() << "finished before the signal";
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_THAT(Read(log), HasSubstr("continue with --resume"));
  const Result r = Mxtrain(Flags(part) + " --set epochs=6 --resume");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(Read(RunDir(part) + "/model-0006.params") ==
              Read(RunDir(full) + "/model-0006.params"))
      << Read(log) << "\n---\n"
      << r.output;
  // The rest of an epoch stopped midway shows its progress lines.
  int epoch = 0, batch = 0;
  const std::string text = Read(log);
  const size_t at = text.find("interrupted in epoch ");
  if (at != std::string::npos &&
      std::sscanf(text.c_str() + at, "interrupted in epoch %d after batch %d",
                  &epoch, &batch) == 2 &&
      batch < 100) {
    EXPECT_THAT(r.output, HasSubstr("epoch " + std::to_string(epoch) +
                                    "/6 batch 100/100: "));
  }
}

// The live bar fits the terminal's width (COLUMNS when stderr is not a
// terminal) and shows the validation pass.
TEST(MxtrainTest, ProgressBarFitsTheTerminalAndShowsValidation) {
  const std::string config = WriteConfig("bar", TinyConfig());
  const Result r =
      RunCommand("COLUMNS=60 tools/mxtrain/mxtrain",
                 Flags(config) + " --set epochs=1 --set logging.progress=bar");
  ASSERT_EQ(r.code, 0) << r.output;
  int bars = 0, validating = 0;
  for (size_t at = r.output.find("\r\033[Kepoch"); at != std::string::npos;
       at = r.output.find("\r\033[Kepoch", at + 1)) {
    const size_t begin = at + 4;
    const size_t end = r.output.find_first_of("\r\n", begin);
    const std::string line = r.output.substr(begin, end - begin);
    EXPECT_LE(line.size(), 59u) << line;
    ++bars;
    if (line.find("validating") != std::string::npos) ++validating;
  }
  EXPECT_GT(bars, 0) << r.output;
  EXPECT_GT(validating, 0) << r.output;
}

// timeout, Slurm and a process group deliver one interrupt more than once:
// copies arriving together still end with a saved checkpoint (exit 130).
TEST(MxtrainTest, SignalsArrivingTogetherStillSaveACheckpoint) {
  const std::string yaml = TinyConfig() + "checkpoint: {every: 100}\n";
  for (int round = 0; round < 3; ++round) {
    for (int sig : {SIGINT, SIGTERM}) {
      const std::string config = WriteConfig(
          "twice" + std::to_string(round) + "_" + std::to_string(sig), yaml);
      const pid_t pid = StartTraining(config, 50);
      ::kill(pid, sig);
      ::kill(pid, sig);
      ::kill(pid, sig);
      int status = 0;
      ::waitpid(pid, &status, 0);
      ASSERT_TRUE(WIFEXITED(status));
      EXPECT_EQ(WEXITSTATUS(status), 130)
          << Read(RunDir(config) + "/train.log");
      const std::string log = Read(RunDir(config) + "/train.log");
      EXPECT_THAT(log, HasSubstr(" saved; continue with --resume"));
      // The checkpoint named in the log is complete: parameters and state.
      const size_t at = log.find("checkpoint ");
      ASSERT_NE(at, std::string::npos) << log;
      const std::string params =
          log.substr(at + 11, log.find(' ', at + 11) - at - 11);
      EXPECT_TRUE(Exists(params)) << params;
      EXPECT_TRUE(Exists(params.substr(0, params.size() - 6) + "states"));
    }
  }
}

// Runs `mxtrain --auto-resume` on `config` in the background (a kill may
// come before the first checkpoint).
pid_t SpawnResume(const std::string& config, int epochs) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string log = RunDir(config) + "-rounds.log";
    if (std::freopen(log.c_str(), "a", stderr) == nullptr ||
        std::freopen("/dev/null", "w", stdout) == nullptr) {
      ::_exit(126);
    }
    ::execl("tools/mxtrain/mxtrain", "mxtrain", "--config", config.c_str(),
            "--set", ("output=" + RunDir(config)).c_str(), "--set",
            ("epochs=" + std::to_string(epochs)).c_str(), "--set",
            "logging.progress=none", "--auto-resume",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// kill -9 and SIGTERM at random moments (a save included: a checkpoint
// every epoch), each followed by --auto-resume: the run ends with the weights
// of an uninterrupted one, and without temp files or commit records (Note
// [Checkpoint unit]). tools/bench/kill_loop.sh runs 20 rounds.
TEST(MxtrainTest, KillsAtRandomMomentsNeitherMixNorLitterCheckpoints) {
  const std::string yaml = TinyConfig("checkpoint: {every: 1, keep_last: 2}\n");
  const std::string full = WriteConfig("kills_full", yaml);
  ASSERT_EQ(Mxtrain(Flags(full) + " --set epochs=6").code, 0);
  const std::string part = WriteConfig("kills_part", yaml);
  const unsigned seed = std::random_device()();
  std::mt19937 random(seed);
  for (int round = 0; round < 6; ++round) {
    const pid_t pid = SpawnResume(part, 6);
    std::this_thread::sleep_for(std::chrono::milliseconds(
        std::uniform_int_distribution<int>(100, 1200)(random)));
    ::kill(pid, round % 2 == 0 ? SIGKILL : SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) || WEXITSTATUS(status) == 0 ||
                WEXITSTATUS(status) == 130)
        << "seed " << seed << ", round " << round << ": exit "
        << WEXITSTATUS(status) << "\n"
        << Read(RunDir(part) + "-rounds.log");
  }
  ::waitpid(SpawnResume(part, 6), nullptr, 0);
  EXPECT_TRUE(Read(RunDir(part) + "/model-0006.params") ==
              Read(RunDir(full) + "/model-0006.params"))
      << "seed " << seed << "\n"
      << Read(RunDir(part) + "-rounds.log");
  for (const std::string& name : ListFolder(RunDir(part))) {
    EXPECT_EQ(name.find(".tmp."), std::string::npos) << name;
    EXPECT_FALSE(name.size() > 7 && name.substr(name.size() - 7) == ".commit")
        << name;
  }
}

// What a kill inside a save leaves, made by hand: --resume finishes a
// committed save, drops uncommitted temps, and never pairs a state with
// other weights.
TEST(MxtrainTest, ResumeRepairsWhatAKillInsideASaveLeft) {
  const std::string config = WriteConfig("torn", TinyConfig());
  ASSERT_EQ(Mxtrain(Flags(config) + " --set epochs=2").code, 0);
  const std::string run = RunDir(config);
  // Epoch 2's weights renamed, its state still a temp: committed.
  const std::string states2 = Read(run + "/model-0002.states");
  ::rename((run + "/model-0002.states").c_str(),
           (run + "/model-0002.states.tmp.K1ll3d").c_str());
  WriteFileAtomic(run + "/model-0002.commit",
                  "mx-checkpoint-commit-1\nmodel-0002.params.tmp.Gone00\n"
                  "model-0002.states.tmp.K1ll3d\n");
  WriteFileAtomic(run + "/model-0003.params.tmp.Uncomm", "half");
  WriteFileAtomic(run + "/metrics.csv.tmp.Uncomm", "half");
  Result r = Mxtrain(Flags(config) + " --set epochs=3 --resume");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("finished saving checkpoint " + run +
                                  "/model-0002.params, which a killed run "
                                  "had committed"));
  EXPECT_THAT(r.output, HasSubstr("removed 2 temp files that a killed run "
                                  "left"));
  EXPECT_THAT(r.output, HasSubstr("resumed from " + run + "/model-0002"));
  EXPECT_FALSE(Exists(run + "/model-0003.params.tmp.Uncomm"));
  // A state from another save of the same epoch: skipped, with the reason.
  WriteFileAtomic(run + "/model-0003.states", states2);
  r = Mxtrain(Flags(config) + " --set epochs=3 --resume");
  EXPECT_THAT(r.output, HasSubstr("--resume: skipping checkpoint 3: '" + run +
                                  "/model-0003.states' was written with "
                                  "other parameters"));
  EXPECT_THAT(r.output, HasSubstr("resumed from " + run + "/model-0002"));
}

// A run folder holds one run: another run is refused (a later --resume
// would mix them), --overwrite starts over, --resume continues.
TEST(MxtrainTest, ANewRunIntoAnotherRunsFolderIsRefused) {
  const std::string config = WriteConfig("refuse", TinyConfig());
  ASSERT_EQ(Mxtrain(Flags(config) + " --set epochs=3").code, 0);
  Result r = Mxtrain(Flags(config) + " --set epochs=1");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("holds another run (config.yaml, "));
  EXPECT_THAT(r.output, HasSubstr("continue it with --resume, start over "
                                  "with --overwrite"));
  r = Mxtrain("check " + Flags(config));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("training needs --resume or --overwrite"));
  r = Mxtrain(Flags(config) + " --set epochs=1 --overwrite");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--overwrite: removed "));
  // Nothing of the longer run is left to resume from or to mix in.
  EXPECT_FALSE(Exists(RunDir(config) + "/model-0003.params"));
  const std::string metrics = Read(RunDir(config) + "/metrics.csv");
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 2) << metrics;
  r = Mxtrain(Flags(config) + " --set epochs=2 --resume");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("resumed from"));
}

// Every metric can rank epochs, by the name it is given or reports, and
// keep_last never deletes the best epoch's checkpoint.
TEST(MxtrainTest, BestCheckpointByCrossEntropyIsKept) {
  const std::string config = WriteConfig(
      "best", TinyConfig("checkpoint: {best_metric: ce, keep_last: 1}\n"));
  const Result r = Mxtrain(Flags(config) + " --set epochs=4");
  ASSERT_EQ(r.code, 0) << r.output;
  const size_t at = r.output.find("done: best val cross-entropy ");
  ASSERT_NE(at, std::string::npos) << r.output;
  const std::string rest = r.output.substr(at);
  const int best = std::stoi(rest.substr(rest.find("at epoch ") + 9));
  char name[32];
  std::snprintf(name, sizeof name, "/model-%04d.params", best);
  EXPECT_TRUE(Exists(RunDir(config) + name)) << rest;
  EXPECT_TRUE(Exists(RunDir(config) + "/model-0004.params"));
  // Any name of a run's metric names it (the run's are accuracy and ce).
  for (const char* alias : {"acc", "accuracy", "cross-entropy"}) {
    const Result ok = Mxtrain("check " + Flags(config) +
                              " --set checkpoint.best_metric=" + alias);
    EXPECT_EQ(ok.code, 0) << alias << ": " << ok.output;
  }
  const Result bad = Mxtrain("check " + Flags(config) +
                             " --set checkpoint.best_metric=accuracyy");
  EXPECT_EQ(bad.code, 2);
  EXPECT_THAT(bad.output, HasSubstr("'accuracyy' is not one of the run's "
                                    "metrics; did you mean 'accuracy'?"));
}

// Validation measures the same samples every epoch: data.val reads in
// order and pads; an order that would change the samples is refused.
TEST(MxtrainTest, ValidationSeesTheSameSamplesEveryEpoch) {
  const std::string config = WriteConfig("val_order", TinyConfig());
  Result r = Mxtrain("--print-config " + Flags(config));
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string val = r.output.substr(r.output.find("  val:"));
  EXPECT_THAT(val, HasSubstr("last_batch: pad"));
  EXPECT_THAT(val, HasSubstr("shuffle: false"));  // as TinyConfig says
  r = Mxtrain("check " + Flags(config) +
              " --set data.val.last_batch=round_batch");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.output, HasSubstr("data.val.last_batch: last_batch: "
                                  "round_batch would measure different "
                                  "samples each epoch"));
  r = Mxtrain("check " + Flags(config) +
              " --set data.val.last_batch=discard --set "
              "data.val.shuffle=true");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.output, HasSubstr("discard with shuffle"));
  r = Mxtrain("check " + Flags(config) +
              " --set 'data.val={type: CSVIter, data_csv: x.csv, data_shape: "
              "[784], round_batch: true}'");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.output, HasSubstr("round_batch: true would start each "
                                  "validation pass where the last one ended"));
}

// Paths written in a config are its folder's, and the run folder's
// config.yaml holds them resolved, so it repeats the run from anywhere.
TEST(MxtrainTest, TheSavedConfigRepeatsARunWithRelativePaths) {
  const std::string dir = TempPath("relative");
  ::mkdir(dir.c_str(), 0777);
  const std::string data = io::kFashionMnistDir;
  for (const char* f :
       {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    WriteFileAtomic(dir + "/" + f, Read(data + "/" + f));
  }
  std::string yaml = TinyConfig();
  while (yaml.find(data + "/") != std::string::npos) {
    yaml.erase(yaml.find(data + "/"), data.size() + 1);
  }
  WriteFileAtomic(dir + "/net.yaml", yaml + "output: out\n");
  // From another working directory: the run folder is the config's.
  Result r = RunCommand(
      "cd / && " + std::string(::getcwd(nullptr, 0)) + "/tools/mxtrain/mxtrain",
      "--config " + dir + "/net.yaml --set epochs=1");
  ASSERT_EQ(r.code, 0) << r.output;
  ASSERT_TRUE(Exists(dir + "/out/config.yaml"));
  const std::string saved = Read(dir + "/out/config.yaml");
  EXPECT_THAT(saved, HasSubstr("image: " + dir + "/t10k-images-idx3-ubyte.gz"));
  EXPECT_THAT(saved, HasSubstr("output: " + dir + "/out"));
  r = Mxtrain("--config " + dir + "/out/config.yaml --set output=" + dir +
              "/again");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(Read(dir + "/again/model-0001.params"),
            Read(dir + "/out/model-0001.params"));
}

TEST(MxtrainTest, NonFiniteValuesStopNamingTheLayer) {
  std::string yaml = TinyConfig();
  yaml.replace(yaml.find("    - {op: Activation, name: relu1, act_type: relu}"),
               51, "    - {op: _power_scalar, name: sqrt, scalar: 0.5}");
  const std::string config = WriteConfig("nan", yaml);
  Result r = Mxtrain(Flags(config));
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("numerical failure: epoch 1, batch 1: the output "
                        "'sqrt_output' of layer 'sqrt' is the first to hold "
                        "NaN or Inf values"));
  r = Mxtrain(Flags(config) +
              " --set on_nonfinite=skip --set epochs=1 --overwrite");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("100 steps skipped (NaN/Inf)"));
}

TEST(MxtrainTest, DataErrorsExitWithTheirCode) {
  std::string yaml = TinyConfig();
  yaml.replace(yaml.find("t10k-images"), 11, "missing-images");
  const Result r = Mxtrain(Flags(WriteConfig("data", yaml)));
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("data error: data.train (MNISTIter): "));
  EXPECT_THAT(r.output, HasSubstr("missing-images-idx3-ubyte.gz"));
}

// Each config error class: the config text (or flags) and the lines the
// error report must contain.
struct ErrorCase {
  const char* name;
  std::string yaml;
  std::string flags;
  std::vector<std::string> expected;
};

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(MxtrainTest, ConfigErrorsAreReportedTogetherWithTheirPlace) {
  const std::string tiny = TinyConfig();
  const std::vector<ErrorCase> cases = {
      {"syntax",
       Replace(tiny, "epochs: 2", "epochs: [2"),
       "",
       {"net.yaml:", "YAML syntax error"}},
      {"unknown_key",
       Replace(tiny, "epochs: 2", "epoch: 2"),
       "",
       {"net.yaml:3:1: epoch: unknown key 'epoch'; did you mean 'epochs'?"}},
      {"repeated_key",
       tiny + "seed: 4\n",
       "",
       {"seed: repeated key (each key may appear once)"}},
      {"wrong_type",
       Replace(tiny, "epochs: 2", "epochs: two"),
       "",
       {"net.yaml:3:1: epochs: parameter 'epochs' = \"two\": expected an "
        "integer"}},
      {"missing_network",
       tiny.substr(0, tiny.find("network:")) +
           tiny.substr(tiny.find("optimizer:")),
       "",
       {"network: missing the network"}},
      {"missing_train",
       Replace(tiny, "  train:", "  training:"),
       "",
       {"data.train: missing the training iterator",
        "data.training: unknown key 'training'"}},
      {"op_param",
       Replace(tiny, "name: fc1, num_hidden: 32", "name: fc1, num_hiden: 32"),
       "",
       {"net.yaml:21:39: network.layers[0].num_hiden: FullyConnected 'fc1': "
        "unknown parameter 'num_hiden'; did you mean 'num_hidden'?",
        "net.yaml:21:7: network.layers[0]: FullyConnected 'fc1': missing "
        "required parameter 'num_hidden'"}},
      {"unknown_op",
       Replace(tiny, "op: Dropout", "op: DropOut"),
       "",
       {"network.layers[2].op: unknown operator 'DropOut'; did you mean "
        "'Dropout'?"}},
      {"unknown_input",
       Replace(tiny, "name: fc2, num_hidden: 10",
               "name: fc2, num_hidden: 10, inputs: [rellu1]"),
       "",
       {"network.layers[3].inputs[0]: unknown input 'rellu1'; did you mean "
        "'relu1'?"}},
      {"iterator_param",
       Replace(tiny, "flat: true\n    shuffle: true",
               "flat: yes please\n    shuffle: true"),
       "",
       {"net.yaml:10:5: data.train.flat: parameter 'flat' = \"yes please\": "
        "expected True or False"}},
      {"optimizer",
       Replace(tiny, "type: adam", "type: adamw"),
       "",
       {"optimizer.type: unknown optimizer 'adamw'"}},
      {"enum",
       tiny,
       "--set logging.progress=fancy",
       {"--set logging.progress=fancy: logging.progress: parameter "
        "'progress' = \"fancy\": expected one of 'auto', 'bar', 'lines', "
        "'none'"}},
      {"bad_set", tiny, "--set optimizer", {"expected key.path=value"}},
      {"gpu",
       tiny,
       "--set devices=gpu:0",
       {"devices: device 'gpu:0': gpu(0) is not available: this build of mx "
        "has no GPU backend"}},
      {"metric_param",
       tiny + "metrics: [acc, {type: top_k_accuracy, top_k: 0}]\n",
       "",
       {"metrics[1].top_k: parameter 'top_k' = \"0\": out of range; "
        "expected value >= 1"}},
      {"device",
       tiny,
       "--set devices=[cpu,tpu:1]",
       {"devices: bad device 'tpu:1' (expected cpu, gpu, cpu:N or gpu:N)"}},
      {"shapes",
       Replace(tiny, "    - {op: FullyConnected, name: fc2, num_hidden: 10}",
               "    - {op: Reshape, name: cube, shape: [100, 7]}\n"
               "    - {op: FullyConnected, name: fc2, num_hidden: 10}"),
       "",
       {"net.yaml:24:7: network.layers[3]: "}},
      {"unwritable",
       tiny,
       "--set output=/proc/mxtrain-run",
       {"output: cannot create the run folder '/proc/mxtrain-run'"}},
      {"block_arg",
       Replace(tiny, "network:\n  layers:\n",
               "network:\n  blocks:\n    dense:\n      args: {units: null}\n"
               "      layers:\n        - {op: FullyConnected, num_hidden: "
               "$units}\n  layers:\n    - {block: dense, unit: 8}\n"),
       "",
       {"block 'dense' has no argument 'unit'; did you mean 'units'?",
        "block 'dense' needs argument 'units'"}},
  };
  for (const ErrorCase& c : cases) {
    const std::string config =
        WriteConfig(std::string("err_") + c.name, c.yaml);
    std::string flags = "--config " + config + " " + c.flags;
    if (c.flags.find("output=") == std::string::npos) {
      flags += " --set output=" + RunDir(config);
    }
    const Result r = Mxtrain("check " + flags);
    EXPECT_EQ(r.code, 2) << c.name << "\n" << r.output;
    for (const std::string& line : c.expected) {
      EXPECT_THAT(r.output, HasSubstr(line)) << c.name;
    }
  }
}

// Network variables (weights several layers share, as an RNN's across time
// steps), blocks of several inputs and layers without inputs (sampling) build
// and train; a shared weight is one parameter.
TEST(MxtrainTest, SharedVariablesMultiInputBlocksAndSamplingLayers) {
  const std::string net = R"(network:
  blocks:
    mix:  # input0 through a shared layer, plus input1
      args: {}
      layers:
        - {op: FullyConnected, name: fc, num_hidden: 32, inputs: [input0, input2, input3]}
        - {op: elemwise_add, name: sum, inputs: [fc, input1]}
  layers:
    - {op: _random_normal, name: noise, shape: [100, 784], scale: 0.01}
    - {op: elemwise_add, name: noisy, inputs: [data, noise]}
    - {variable: shared_weight, init: {type: uniform, scale: 0.05}}
    - {variable: shared_bias}
    - {op: FullyConnected, name: first, num_hidden: 32, inputs: [noisy, shared_weight, shared_bias]}
    - {block: mix, name: again, inputs: [noisy, first, shared_weight, shared_bias]}
    - {op: Activation, name: relu, act_type: relu}
    - {op: FullyConnected, name: out, num_hidden: 10}
    - {op: SoftmaxOutput, name: softmax}
)";
  std::string yaml = TinyConfig();
  yaml = yaml.substr(0, yaml.find("network:")) + net +
         yaml.substr(yaml.find("optimizer:"));
  const std::string config = WriteConfig("shared", yaml);
  Result r = Mxtrain("summary " + Flags(config));
  ASSERT_EQ(r.code, 0) << r.output;
  // 784 * 32 + 32 shared, 32 * 10 + 10 for the classifier.
  EXPECT_THAT(r.output, HasSubstr("parameters: 25450 "));
  r = Mxtrain(Flags(config) + " --set epochs=1");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, ContainsRegex("val accuracy=0\\.[5-9]"));
  const std::string params = Read(RunDir(config) + "/model-0001.params");
  EXPECT_THAT(params, HasSubstr("arg:shared_weight"));
  EXPECT_THAT(params, Not(HasSubstr("first_weight")));
  // A variable's keys are checked; a block's inputs are named by position.
  const std::string bad_key = WriteConfig(
      "shared_bad_key", Replace(yaml, "{variable: shared_bias}",
                                "{variable: shared_bias, num_hidden: 3}"));
  r = Mxtrain("check " + Flags(bad_key));
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.output, HasSubstr("a variable takes shape, init, lr_mult and "
                                  "wd_mult, not 'num_hidden'"));
  const std::string bad_input = WriteConfig(
      "shared_bad_input",
      Replace(yaml, "inputs: [fc, input1]", "inputs: [fc, input7]"));
  r = Mxtrain("check " + Flags(bad_input));
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.output, HasSubstr("unknown input 'input7'"));
}

// --version, help of the default command, and command-line errors in the
// tools' own "<tool>: error:" form with their usage exit code.
TEST(MxtrainTest, VersionHelpAndCommandLineErrors) {
  for (const char* tool : {"mxtrain", "mxinfer"}) {
    const Result r =
        RunCommand(std::string("tools/") + tool + "/" + tool, "--version");
    EXPECT_EQ(r.code, 0) << r.output;
    EXPECT_THAT(r.output, ContainsRegex(std::string("^") + tool +
                                        " [0-9]+\\.[0-9]+\\.[0-9]+ \\("));
  }
  Result r = Mxtrain("train --help");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--resume"));
  EXPECT_THAT(r.output, HasSubstr("--overwrite"));
  EXPECT_THAT(r.output, HasSubstr("-c,--config FILE"));
  r = Mxtrain("--bogus");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("mxtrain: error: The following argument was "
                                  "not expected: --bogus"));
  EXPECT_THAT(r.output, HasSubstr("Run mxtrain --help"));
  r = Mxinfer("");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("mxinfer: error: --model is required"));
  // One file per --config: a second needs a second flag.
  r = Mxtrain("--config a.yaml b.yaml");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("not expected: b.yaml"));
  // --resume belongs to train and still works before the command.
  const std::string config = WriteConfig("cli_resume", TinyConfig());
  r = Mxtrain(Flags(config) + " --set epochs=1");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(": 1 epoch on "));
  r = Mxtrain("train --resume " + Flags(config) + " --set epochs=1");
  EXPECT_EQ(r.code, 0) << r.output;
  r = Mxtrain("--resume " + Flags(config) + " --set epochs=1");
  EXPECT_EQ(r.code, 0) << r.output;
}

// early_stopping ends a run whose metric stops improving (a min_delta no
// epoch beats), saying why; optimizer.clip_global_norm logs the norm;
// --resume without a checkpoint is refused, --auto-resume starts fresh.
TEST(MxtrainTest, EarlyStoppingGradientClippingAndResumeWithoutACheckpoint) {
  const std::string config = WriteConfig(
      "early", TinyConfig("early_stopping: {metric: ce, patience: 1, "
                          "min_delta: 10}\n"));
  Result r = Mxtrain(Flags(config) + " --resume --set epochs=5");
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--resume: no checkpoint with a training "
                                  "state (" +
                                  RunDir(config) + "/model-NNNN.states)"));
  r = Mxtrain(Flags(config) +
              " --auto-resume --set epochs=5 --set "
              "optimizer.clip_global_norm=0.5");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--auto-resume: no checkpoint with a "
                                  "training state"));
  EXPECT_THAT(r.output, ContainsRegex("epoch 1/5: .*gradient norm mean "
                                      "[0-9.]+, max [0-9.]+, clipped in [0-9]+ "
                                      "of 100 steps"));
  EXPECT_THAT(r.output, HasSubstr("early stopping after epoch 2: val "
                                  "cross-entropy has not improved by more "
                                  "than 10 for 1 epoch (best "));
  EXPECT_TRUE(Exists(RunDir(config) + "/model-0002.params"));
  EXPECT_FALSE(Exists(RunDir(config) + "/model-0003.params"));
  // Resumed, it stays stopped.
  r = Mxtrain(Flags(config) + " --resume --set epochs=5");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("early stopping after epoch 2"));
  EXPECT_THAT(r.output, Not(HasSubstr("epoch 3/5")));
  // Its metric must be one of the run's.
  r = Mxtrain(Flags(config) + " check --set early_stopping.metric=f1");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("early_stopping.metric: 'f1' is not one of "
                                  "the run's metrics"));
}

// Configs compose: a file extends another (base:, relative to it), several
// --config files merge in order (mappings key by key, the later winning; a
// null removes a key); relative paths are those of the file that wrote
// them; --print-sources names each value's file, flag or default.
TEST(MxtrainTest, ConfigsComposeFromSeveralFiles) {
  const std::string base =
      WriteConfig("compose", TinyConfig("output: run_from_base\n"));
  const std::string dir = base.substr(0, base.rfind('/'));
  ::mkdir((dir + "/points").c_str(), 0777);
  const std::string point = dir + "/points/lr01.yaml";
  WriteFileAtomic(point,
                  "base: ../net.yaml\nname: lr01\n"
                  "optimizer: {learning_rate: 0.01}\n");
  Result r = Mxtrain("--print-config --config " + point);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("name: lr01\n"));
  EXPECT_THAT(r.output, HasSubstr("  type: adam\n  learning_rate: 0.01\n"));
  EXPECT_THAT(r.output, HasSubstr("output: " + dir + "/run_from_base\n"));
  EXPECT_THAT(r.output, Not(HasSubstr("base:")));
  r = Mxtrain("--print-sources --config " + point + " --set seed=4");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("  learning_rate: 0.01  # " + point + ":3\n"));
  EXPECT_THAT(r.output, HasSubstr("epochs: 2  # " + base + ":3\n"));
  EXPECT_THAT(r.output, HasSubstr("seed: 4  # --set seed=4\n"));
  EXPECT_THAT(r.output, HasSubstr("  beta1: 0.9  # default\n"));
  // Several --config files, in order; a null removes data.val.
  const std::string more = dir + "/more.yaml";
  WriteFileAtomic(more,
                  "optimizer: {learning_rate: 0.05}\ndata: {val: null}\n");
  r = Mxtrain("--print-config --config " + point + " --config " + more);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("  learning_rate: 0.05\n"));
  EXPECT_THAT(r.output, Not(HasSubstr("  val:")));
  EXPECT_THAT(r.output, HasSubstr("name: lr01\n"));
  // A cycle, and a base that is not there, are errors at the base key.
  WriteFileAtomic(dir + "/a.yaml", "base: b.yaml\n");
  WriteFileAtomic(dir + "/b.yaml", "epochs: 1\nbase: [a.yaml]\n");
  r = Mxtrain("check --config " + dir + "/a.yaml");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr(dir + "/b.yaml:2:8: base: '" + dir +
                                  "/a.yaml' extends itself"));
  WriteFileAtomic(dir + "/c.yaml", "base: missing.yaml\n");
  r = Mxtrain("check --config " + dir + "/c.yaml");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr(dir + "/c.yaml:1:7: base: cannot open '" +
                                  dir + "/missing.yaml'"));
}

TEST(MxtrainTest, CheckSummaryTimeAndPrintConfig) {
  const std::string config = WriteConfig("cmds", TinyConfig());
  Result r = Mxtrain("check " + Flags(config));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("OK: 5 layers, 25450 parameters; train data "
                                  "(100,784), softmax_label (100,)"));
  r = Mxtrain("summary " + Flags(config));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("fc1                      FullyConnected   "
                                  "(100,32)                    25120"));
  // Bytes in MiB (powers of 1024, as computed).
  EXPECT_THAT(r.output, HasSubstr(" MiB"));
  EXPECT_THAT(r.output, Not(HasSubstr(" MB")));
  r = Mxtrain("time --iterations 3 " + Flags(config));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output,
              ContainsRegex("layer +op +forward ms +backward ms +forward rate "
                            "+backward rate"));
  // Weight products in GFLOP/s, other layers in GB/s of their traffic.
  EXPECT_THAT(r.output, ContainsRegex("fc1 +FullyConnected +[0-9.]+ +[0-9.]+ "
                                      "+[0-9.]+ GFLOP/s +[0-9.]+ GFLOP/s"));
  EXPECT_THAT(r.output, ContainsRegex("\n[a-z0-9_]+ +Activation +[0-9.]+ "
                                      "+[0-9.]+ +[0-9.]+ GB/s +[0-9.]+ GB/s"));
  EXPECT_THAT(r.output, HasSubstr("average forward pass: "));
  // --print-config fills in defaults and reads back to the same config.
  r = Mxtrain("--print-config " + Flags(config));
  EXPECT_EQ(r.code, 0);
  EXPECT_THAT(r.output, HasSubstr("keep_last: 0"));
  EXPECT_THAT(r.output, HasSubstr("    prefetch_buffer: 4"));
  // Every default: the optimizer's, the schedule's, the initializer's and
  // each layer's (but rescale_grad, which is 1 / batch at run time).
  EXPECT_THAT(r.output, HasSubstr("  beta2: 0.999\n"));
  EXPECT_THAT(r.output, Not(HasSubstr("rescale_grad")));
  EXPECT_THAT(r.output, HasSubstr("  stop_factor_lr: 1e-08\n"));
  EXPECT_THAT(r.output,
              HasSubstr("initializer:\n  type: xavier\n  rnd_type: uniform\n"
                        "  factor_type: avg\n  magnitude: 3"));
  EXPECT_THAT(r.output, HasSubstr("num_hidden: 32, no_bias: false, "
                                  "flatten: true}"));
  EXPECT_THAT(r.output, HasSubstr("p: 0.2, mode: training, cudnn_off: false}"));
  EXPECT_THAT(r.output, HasSubstr("  rank_logs: false\n"));
  EXPECT_THAT(r.output, HasSubstr("  best_metric: accuracy\n"));
  const std::string again = WriteConfig("cmds_again", r.output);
  EXPECT_EQ(Mxtrain("--print-config --config " + again).output, r.output);
  // A variadic op's defaults too, its input count left to its inputs.
  const std::string concat = WriteConfig(
      "cmds_concat",
      Replace(TinyConfig(),
              "    - {op: FullyConnected, name: fc2, num_hidden: 10}",
              "    - {op: FullyConnected, name: fc2, num_hidden: 10}\n"
              "    - {op: Concat, name: cat, inputs: [fc2, fc2]}"));
  r = Mxtrain("--print-config " + Flags(concat));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("{op: Concat, name: cat, inputs: [fc2, fc2], dim: 1}"));
  EXPECT_THAT(r.output, Not(HasSubstr("num_args")));
}

TEST(MxinferTest, ReproducesTheValidationAccuracyAndWritesPredictions) {
  const std::string config = WriteConfig("infer", TinyConfig());
  ASSERT_EQ(Mxtrain(Flags(config)).code, 0);
  const std::string run = RunDir(config);
  std::istringstream csv(Read(run + "/metrics.csv"));
  std::string line, cell;
  std::getline(csv, line);
  std::getline(csv, line);
  std::getline(csv, line);  // epoch 2
  std::istringstream cells(line);
  for (int i = 0; i < 7; ++i) std::getline(cells, cell, ',');
  const std::string dir = io::kFashionMnistDir;
  const std::string data = " --input " + dir + "/t10k-images-idx3-ubyte.gz";
  const std::string labels = " --labels " + dir + "/t10k-labels-idx1-ubyte.gz";
  const std::string model = "--model " + run + "/model";
  Result r =
      Mxinfer(model + data + labels + " -k 3 --output " + run + "/pred.csv");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NEAR(std::stod(r.output.substr(r.output.find("accuracy ") + 9)),
              std::stod(cell), 1e-6)
      << r.output;
  const std::string pred = Read(run + "/pred.csv");
  EXPECT_EQ(pred.substr(0, pred.find('\n')),
            "index,label,class1,prob1,class2,prob2,class3,prob3");
  EXPECT_EQ(std::count(pred.begin(), pred.end(), '\n'), 10001);
  // Without labels: top-k lines; JSON lines; a chosen epoch.
  r = Mxinfer(model + " --epoch 1 -k 2" + data);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\n9999: "));
  EXPECT_THAT(r.output, Not(HasSubstr("accuracy")));
  ASSERT_EQ(
      Mxinfer(model + data + labels + " --output " + run + "/p.jsonl").code, 0);
  EXPECT_THAT(Read(run + "/p.jsonl"),
              HasSubstr("{\"index\": 0, \"label\": 9, \"top\": [["));
  // The device grammar of mxtrain's devices (Context::Parse).
  r = Mxinfer(
      model +
      " --benchmark --data-shape 1,28,28 --iterations 5 --device cpu:0");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("batch 1: latency p50 "));
  EXPECT_THAT(r.output, HasSubstr("batch 64: latency p50 "));
  // Errors: bad flags, a missing checkpoint.
  EXPECT_EQ(Mxinfer(model + " --top-k 0" + data).code, 2);
  r = Mxinfer(model + " --device tpu:0" + data);
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.output, HasSubstr("--device: bad device 'tpu:0' (expected "
                                  "cpu, gpu, cpu:N or gpu:N)"));
  r = Mxinfer("--model " + run + "/nothing" + data);
  EXPECT_EQ(r.code, 3);
  EXPECT_THAT(r.output, HasSubstr("no checkpoint "));
}

// mxinfer folds BatchNorm into the convolutions before it: the same
// accuracy as the validation of mxtrain (and as --keep-batchnorm), up to
// rounding that may move a sample or two.
TEST(MxinferTest, FoldedBatchNormKeepsTheAccuracy) {
  std::string images = TestImages(true);
  images.replace(images.find("flat: true"), 10, "flat: false");
  std::string val = TestImages(false);
  val.replace(val.find("flat: true"), 10, "flat: false");
  const std::string yaml = "name: bn\nseed: 3\nepochs: 1\ndata:\n  train:\n" +
                           images + "  val:\n" + val + R"(network:
  layers:
    - {op: Convolution, name: conv, num_filter: 8, kernel: [3, 3], pad: [1, 1], no_bias: true}
    - {op: BatchNorm, name: bn, fix_gamma: false}
    - {op: Activation, name: relu, act_type: relu}
    - {op: Pooling, name: pool, pool_type: max, kernel: [4, 4], stride: [4, 4]}
    - {op: FullyConnected, name: fc, num_hidden: 10}
    - {op: SoftmaxOutput, name: softmax}
optimizer: {type: sgd, learning_rate: 0.1, momentum: 0.9}
logging: {progress: none}
)";
  const std::string config = WriteConfig("infer_bn", yaml);
  ASSERT_EQ(Mxtrain(Flags(config)).code, 0);
  const std::string run = RunDir(config);
  const std::string metrics = Read(run + "/metrics.csv");
  std::istringstream cells(metrics.substr(metrics.find('\n') + 1));
  std::string cell;
  for (int i = 0; i < 7; ++i) std::getline(cells, cell, ',');
  const std::string dir = io::kFashionMnistDir;
  const std::string args = "--model " + run + "/model --input " + dir +
                           "/t10k-images-idx3-ubyte.gz --labels " + dir +
                           "/t10k-labels-idx1-ubyte.gz";
  const auto accuracy = [](const Result& r) {
    return std::stod(r.output.substr(r.output.find("accuracy ") + 9));
  };
  Result kept = Mxinfer(args + " --keep-batchnorm");
  ASSERT_EQ(kept.code, 0) << kept.output;
  EXPECT_NEAR(accuracy(kept), std::stod(cell), 1e-6) << kept.output;
  Result folded = Mxinfer(args);
  ASSERT_EQ(folded.code, 0) << folded.output;
  EXPECT_NEAR(accuracy(folded), std::stod(cell), 2e-4) << folded.output;
}

}  // namespace
}  // namespace mx

namespace mx {
namespace {

const char kFashionClasses[] =
    "[T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, "
    "Bag, Ankle boot]";

// data.classes names the classes in the log, in `mxtrain test`'s report
// (per-class precision / recall / F1, the confusion matrix as text, CSV and
// PNG in the run folder) and, through the checkpoint's -meta.json, in
// mxinfer, which needs no --data-shape for its benchmark then.
TEST(MxtrainTest, ClassNamesAndClassificationReports) {
  const std::string config = WriteConfig("report", TinyConfig());
  const std::string flags =
      Flags(config) + " --set 'data.classes=" + kFashionClasses + "'";
  Result r =
      Mxtrain("check " + Flags(config) + " --set 'data.classes=[a, b, c]'");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("data.classes: 3 class names, but the "
                                  "network's output (100,10) has 10 classes"));
  r = Mxtrain(flags + " --set epochs=1");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("classes: 10 (T-shirt/top, Trouser, "));
  const std::string run = RunDir(config);
  EXPECT_THAT(Read(run + "/model-meta.json"), HasSubstr("\"Ankle boot\""));
  r = Mxtrain("test " + flags);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output,
              ContainsRegex("\nT-shirt/top +0\\.[0-9]{4} +0\\.[0-9]{4} "
                            "+0\\.[0-9]{4} +1000\n"));
  EXPECT_THAT(r.output, ContainsRegex("\naccuracy +0\\.[0-9]{4} +10000\n"));
  EXPECT_THAT(r.output, HasSubstr("confusion matrix (rows: true class, "
                                  "columns: predicted)"));
  const std::string accuracy =
      r.output.substr(r.output.find("\naccuracy ") + 10, 8);
  const std::string report_accuracy = r.output.substr(
      r.output.find_first_of(
          "0123456789", r.output.find("\naccuracy", r.output.find("f1-score"))),
      6);
  EXPECT_EQ(accuracy.substr(0, 6), report_accuracy) << r.output;
  const std::string csv = Read(run + "/confusion_matrix.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "true\\predicted,T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,"
            "Shirt,Sneaker,Bag,Ankle boot");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 11);
  EXPECT_EQ(Read(run + "/confusion_matrix.png").substr(1, 3), "PNG");
  // mxinfer: names in the predictions, the report beside --report-dir.
  const std::string dir = io::kFashionMnistDir;
  const std::string model = "--model " + run + "/model";
  r = Mxinfer(model + " --input " + dir + "/t10k-images-idx3-ubyte.gz" +
              " --labels " + dir + "/t10k-labels-idx1-ubyte.gz --report-dir " +
              run + "/infer_report");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, ContainsRegex("^0: [0-9] [A-Za-z/ -]+ \\(0\\.[0-9]+\\)"
                                      "  label 9 Ankle boot\n"));
  EXPECT_THAT(r.output, ContainsRegex("\nAnkle boot +0\\.[0-9]{4}"));
  EXPECT_TRUE(Exists(run + "/infer_report/confusion_matrix.csv"));
  r = Mxinfer(model + " --benchmark --iterations 3");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("batch 64: latency p50 "));
}

// A regression network (LinearRegressionOutput): mxinfer prints values, not
// class ids, and mse / mae / rmse against the labels.
TEST(MxinferTest, RegressionModelsPrintValuesAndErrors) {
  const std::string config = WriteConfig("regress", "epochs: 1\n");
  const std::string dir = config.substr(0, config.rfind('/'));
  std::string x, y;
  std::mt19937 random(5);
  std::uniform_real_distribution<float> u(-1, 1);
  for (int i = 0; i < 200; ++i) {
    float v[4];
    for (float& e : v) e = u(random);
    x += std::to_string(v[0]) + "," + std::to_string(v[1]) + "," +
         std::to_string(v[2]) + "," + std::to_string(v[3]) + "\n";
    y += std::to_string(v[0] + 2 * v[1]) + "\n";
  }
  WriteFileAtomic(dir + "/x.csv", x);
  WriteFileAtomic(dir + "/y.csv", y);
  WriteFileAtomic(config, R"(name: regress
epochs: 20
data:
  train: {type: CSVIter, data_csv: x.csv, label_csv: y.csv, data_shape: [4], batch_size: 20}
network:
  layers:
    - {op: FullyConnected, name: fc, num_hidden: 1}
    - {op: LinearRegressionOutput, name: softmax}
optimizer: {type: sgd, learning_rate: 0.1}
metrics: [mse]
logging: {progress: none}
)");
  Result r = Mxtrain(Flags(config));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(Read(RunDir(config) + "/model-meta.json"),
              HasSubstr("\"task\": \"regression\""));
  const std::string model = "--model " + RunDir(config) + "/model";
  r = Mxinfer(model + " --input " + dir + "/x.csv --labels " + dir + "/y.csv");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, ContainsRegex("^0: -?[0-9.]+(e-?[0-9]+)?  label "));
  const double mse = std::stod(r.output.substr(r.output.find("\nmse ") + 5));
  EXPECT_LT(mse, 0.05) << r.output;
  EXPECT_THAT(r.output, HasSubstr("\nmae "));
  EXPECT_THAT(r.output, HasSubstr("\nrmse "));
  EXPECT_THAT(r.output, Not(HasSubstr("accuracy")));
  r = Mxinfer(model + " --input " + dir + "/x.csv --output " + dir + "/p.csv");
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string pred = Read(dir + "/p.csv");
  EXPECT_EQ(pred.substr(0, pred.find('\n')), "index,value1");
  EXPECT_EQ(std::count(pred.begin(), pred.end(), '\n'), 201);
}

// Two loss heads (a classifier and a regression over one trunk) read the
// columns of one CSV label file as their labels: each is measured under its
// own name, the best checkpoint follows the regression head, `test` and
// mxinfer --head report each; a label no iterator gives, an unknown head and
// an ambiguous metric are config errors at their keys.
TEST(MxtrainTest, SeveralLossHeadsTrainOnNamedLabelColumns) {
  const std::string config = WriteConfig("heads", "epochs: 1\n");
  const std::string dir = config.substr(0, config.rfind('/'));
  std::string x, y, box;
  std::mt19937 random(11);
  std::uniform_real_distribution<float> u(-1, 1);
  for (int i = 0; i < 400; ++i) {
    float v[4];
    for (float& e : v) e = u(random);
    const int cls = (v[0] > 0) + (v[1] > 0);
    const std::string targets =
        std::to_string(v[2] + v[3]) + "," + std::to_string(v[2] - v[3]);
    x += std::to_string(v[0]) + "," + std::to_string(v[1]) + "," +
         std::to_string(v[2]) + "," + std::to_string(v[3]) + "\n";
    y += std::to_string(cls) + "," + targets + "\n";
    box += targets + "\n";
  }
  WriteFileAtomic(dir + "/x.csv", x);
  WriteFileAtomic(dir + "/y.csv", y);
  WriteFileAtomic(dir + "/box.csv", box);
  const std::string iter =
      "{type: CSVIter, data_csv: x.csv, data_shape: [4], label_csv: y.csv, "
      "label_shape: [3], batch_size: 20}";
  WriteFileAtomic(config, "name: heads\nseed: 2\nepochs: 30\ndata:\n  train: " +
                              iter + "\n  val: " + iter + R"(
  labels: {softmax_label: 0, box_label: [1, 2]}
network:
  layers:
    - {op: FullyConnected, name: trunk, num_hidden: 64}
    - {op: Activation, name: features, act_type: relu}
    - {op: FullyConnected, name: cls, num_hidden: 3}
    - {op: SoftmaxOutput, name: softmax}
    - {op: FullyConnected, name: box_fc, inputs: features, num_hidden: 2}
    - {op: LinearRegressionOutput, name: box, grad_scale: 0.5}
  outputs: [softmax, box]
optimizer: {type: adam, learning_rate: 0.01}
metrics: {softmax: [accuracy, ce], box: [mse]}
checkpoint: {best_metric: box.mse, keep_last: 1}
logging: {progress: none, curve: false}
)");
  Result r = Mxtrain(Flags(config));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("softmax.accuracy="));
  EXPECT_THAT(r.output, HasSubstr("box.mse="));
  const std::string run = RunDir(config);
  const std::string csv = Read(run + "/metrics.csv");
  EXPECT_THAT(csv.substr(0, csv.find('\n')),
              HasSubstr("val_softmax.accuracy,val_softmax.cross-entropy,"
                        "val_box.mse"));
  // The best epoch by box.mse is kept beside the last one.
  EXPECT_THAT(Read(run + "/train.log"), HasSubstr("box.mse"));

  r = Mxtrain("test " + Flags(config));
  ASSERT_EQ(r.code, 0) << r.output;
  const auto value = [&r](const std::string& name) {
    const size_t at = r.output.find("\n" + name + " ");
    EXPECT_NE(at, std::string::npos) << name << " in " << r.output;
    return at == std::string::npos
               ? -1.0
               : std::stod(r.output.substr(at + name.size() + 2));
  };
  EXPECT_GT(value("softmax.accuracy"), 0.9);
  EXPECT_LT(value("box.mse"), 0.02);
  // The confusion matrix is the classifier's.
  EXPECT_TRUE(Exists(run + "/confusion_matrix.csv"));

  const std::string model =
      "--model " + run + "/model --input " + dir + "/x.csv --data-shape 4";
  r = Mxinfer(model + " --labels " + dir + "/y.csv --head softmax");
  EXPECT_EQ(r.code, 3) << "y.csv has 3 columns: not the classifier's labels\n"
                       << r.output;
  WriteFileAtomic(dir + "/cls.csv", [&] {
    std::string out;
    std::istringstream in(y);
    for (std::string line; std::getline(in, line);) {
      out += line.substr(0, line.find(',')) + "\n";
    }
    return out;
  }());
  r = Mxinfer(model + " --labels " + dir + "/cls.csv");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("the model has 2 outputs (softmax, box); "
                                  "predicting with 'softmax'"));
  EXPECT_THAT(r.output, HasSubstr("\naccuracy "));
  r = Mxinfer(model + " --labels " + dir + "/box.csv --head box");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("the model has 2 outputs")));
  EXPECT_LT(std::stod(r.output.substr(r.output.find("\nmse ") + 5)), 0.02)
      << r.output;
  r = Mxinfer(model + " --head boxes");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--head 'boxes': the model has no output "
                                  "of that name (its outputs: softmax, box)"));

  // Config errors, each at its key.
  const std::string flags = Flags(config) + " --overwrite";
  r = Mxtrain(flags + " --set data.labels=null");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("the network reads label 'box_label', which "
                                  "no iterator gives"));
  r = Mxtrain(flags + " --set 'data.labels.box_label=[1, 3]'");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("data.labels: label 'box_label': column 3 "
                                  "is not one of the iterator's label "
                                  "columns (0 to 2"));
  r = Mxtrain(flags + " --set 'metrics={softmax: [accuracy], boxes: [mse]}'");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("metrics.boxes"));
  EXPECT_THAT(r.output, HasSubstr("'boxes' is not an output layer of the "
                                  "network; did you mean 'box'? (its heads: "
                                  "softmax, box)"));
  r = Mxtrain(flags +
              " --set 'metrics={softmax: [ce], box: [mse, ce]}' --set "
              "checkpoint.best_metric=cross-entropy");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("'cross-entropy' is measured on several heads: name "
                        "one (softmax.cross-entropy, box.cross-entropy)"));
  // One list: each metric measures the heads it fits.
  r = Mxtrain(flags + " --set 'metrics=[accuracy, mse]' --set epochs=1");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("train softmax.accuracy="));
  EXPECT_THAT(r.output, HasSubstr(" box.mse="));
  EXPECT_THAT(r.output, Not(HasSubstr("box.accuracy")));
  EXPECT_THAT(r.output, Not(HasSubstr("softmax.mse")));
}

}  // namespace
}  // namespace mx

namespace mx {
namespace {

// lr-find: an exponential range of rates, a suggestion and its curve in the
// run folder, no checkpoint written; a rate past what the network takes
// ends it as diverged. compare: runs side by side.
TEST(MxtrainTest, LrFindAndCompare) {
  const std::string config = WriteConfig("lr_find", TinyConfig());
  const std::string run = RunDir(config);
  Result r = Mxtrain("lr-find " + Flags(config) + " --steps 60");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("from 1e-07 to 10; loss: cross-entropy"));
  EXPECT_THAT(r.output,
              ContainsRegex("suggested learning rate: [0-9.e-]+ \\("));
  EXPECT_THAT(r.output, HasSubstr("try --set optimizer.learning_rate="));
  const std::string csv = Read(run + "/lr_find.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 61);
  EXPECT_EQ(Read(run + "/lr_find.png").substr(1, 3), "PNG");
  for (const std::string& name : ListFolder(run)) {
    EXPECT_EQ(name.find("model-"), std::string::npos) << name;
  }
  r = Mxtrain("lr-find " + Flags(config) + " --end-lr 10000 --steps 300");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("stopped when the loss diverged"));
  r = Mxtrain("lr-find " + Flags(config) + " --start-lr 1 --end-lr 0.1");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("expected 0 < start < end"));

  const std::string a = WriteConfig("compare_a", TinyConfig());
  const std::string b = WriteConfig("compare_b", TinyConfig());
  ASSERT_EQ(Mxtrain(Flags(a) +
                    " --set name=slow --set optimizer.learning_rate=0.0003")
                .code,
            0);
  ASSERT_EQ(Mxtrain(Flags(b) + " --set name=fast").code, 0);
  const std::string png = RunDir(a) + "/compare.png";
  r = Mxtrain("compare " + RunDir(a) + " " + RunDir(b) + " -o " + png);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output,
              ContainsRegex("\nslow +val accuracy +0\\.[0-9]{4} +[12] "
                            "+2 +[0-9]+ +[0-9.]+\n"));
  EXPECT_THAT(r.output, ContainsRegex("\nfast +val accuracy +0\\.[0-9]{4}"));
  EXPECT_EQ(Read(png).substr(1, 3), "PNG");
  r = Mxtrain("compare " + run + "/nothing");
  EXPECT_EQ(r.code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("holds no run's metrics"));
}

}  // namespace
}  // namespace mx
