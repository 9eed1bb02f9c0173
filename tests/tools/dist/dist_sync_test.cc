// kvstore dist_sync on one machine (loopback), through mpirun: two processes
// with batch B train the same weights as one process with batch 2B, and stay
// identical; mxtrain shards the data, writes the run folder from rank 0 only,
// resumes with the same number of processes and refuses another; a killed or
// hung process ends the run with an error in bounded time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>

#include "core/ndarray/ndarray_io.h"
#include "io/mnist_file.h"
#include "tests/testing/command.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::mx::testing::CommandResult;
using ::mx::testing::FileExists;
using ::mx::testing::ReadFile;
using ::mx::testing::RunCommand;
using ::mx::testing::TempPath;
using ::testing::HasSubstr;

using Clock = std::chrono::steady_clock;

// mpirun as root in a container: no binding, no CMA single-copy (ptrace may
// be forbidden); `env` is passed on to every process.
std::string Mpirun(int processes, const std::string& env = "") {
  return "env OMPI_MCA_btl_vader_single_copy_mechanism=none " + env +
         " mpirun --allow-run-as-root --oversubscribe --bind-to none -np " +
         std::to_string(processes);
}

std::string FreshDir(const std::string& name) {
  const std::string dir = TempPath(name);
  RunCommand("rm -rf", dir);
  ::mkdir(dir.c_str(), 0777);
  return dir;
}

// Largest |a - b| over every array of two saved parameter files (same
// names and shapes expected).
double MaxDifference(const std::string& a_path, const std::string& b_path) {
  const auto a = LoadNDArrayMap(a_path);
  const auto b = LoadNDArrayMap(b_path);
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (const auto& [name, x] : a) {
    const auto y = b.find(name);
    if (y == b.end()) {
      ADD_FAILURE() << name << " missing from " << b_path;
      continue;
    }
    const std::vector<float> u = x.ToFloatVector(),
                             v = y->second.ToFloatVector();
    EXPECT_EQ(u.size(), v.size()) << name;
    for (size_t i = 0; i < u.size() && i < v.size(); ++i) {
      worst = std::max(worst, static_cast<double>(std::fabs(u[i] - v[i])));
    }
  }
  return worst;
}

void ExpectTwoProcessesMatchOneWithDoubleBatch(const std::string& env) {
  const std::string out = FreshDir("worker" + env.substr(env.find('=') + 1));
  const std::string worker = "tests/tools/dist/dist_train_worker";
  const CommandResult dist =
      RunCommand(Mpirun(2, env), worker + " dist " + out);
  ASSERT_EQ(dist.code, 0) << dist.output;
  EXPECT_THAT(dist.output, HasSubstr("rank 1 of 2: trained 32 updates"));
  const CommandResult ref = RunCommand(worker, "reference 2 " + out);
  ASSERT_EQ(ref.code, 0) << ref.output;
  // The replicas are identical: the same summed gradients, the same update.
  EXPECT_EQ(ReadFile(out + "/dist-rank0.params"),
            ReadFile(out + "/dist-rank1.params"));
  // The same weights as one process with the whole batch, but for the order
  // of the float sums.
  EXPECT_LT(MaxDifference(out + "/dist-rank0.params",
                          out + "/reference-rank0.params"),
            2e-5);
}

TEST(DistSyncTest, TwoProcessesMatchOneWithDoubleBatchInOneBucket) {
  ExpectTwoProcessesMatchOneWithDoubleBatch("MX_DIST_BUCKET_KB=1024");
}

TEST(DistSyncTest, TwoProcessesMatchOneWithDoubleBatchArrayByArray) {
  ExpectTwoProcessesMatchOneWithDoubleBatch("MX_DIST_BUCKET_KB=0");
}

// A small MLP on Fashion-MNIST's test split (50 batches of 100 per process
// and epoch with two processes).
std::string WriteConfig(const std::string& dir, int epochs,
                        const std::string& extra = "") {
  const std::string data = io::kFashionMnistDir;
  const std::string iter = "    type: MNISTIter\n    image: " + data +
                           "/t10k-images-idx3-ubyte.gz\n    label: " + data +
                           "/t10k-labels-idx1-ubyte.gz\n    batch_size: 100\n"
                           "    flat: true\n";
  const std::string path = dir + "/net.yaml";
  std::ofstream(path) << "name: tiny\nseed: 3\nepochs: " << epochs
                      << "\nkvstore: dist_sync\noutput: " << dir
                      << "/run\ndata:\n  train:\n"
                      << iter << "    shuffle: true\n  val:\n"
                      << iter << R"(network:
  layers:
    - {op: FullyConnected, name: fc1, num_hidden: 32}
    - {op: Activation, name: relu1, act_type: relu}
    - {op: FullyConnected, name: fc2, num_hidden: 10}
    - {op: SoftmaxOutput, name: softmax}
optimizer: {type: adam, learning_rate: 0.003}
logging: {progress: none}
)" << extra;
  return path;
}

const char kMxtrain[] = "tools/mxtrain/mxtrain";

TEST(DistSyncTest, MxtrainShardsWritesFromRankZeroAndResumesOnlyAsBefore) {
  const std::string dir = FreshDir("mxtrain");
  const std::string config = WriteConfig(dir, 2);
  CommandResult r = RunCommand(Mpirun(2), std::string(kMxtrain) + " --config " +
                                              config + " --set epochs=1");
  ASSERT_EQ(r.code, 0) << r.output;
  const std::string log = ReadFile(dir + "/run/train.log");
  EXPECT_THAT(log, HasSubstr("dist_sync: MPI (Open MPI"));
  EXPECT_THAT(log, HasSubstr("2 processes; rank 0"));
  EXPECT_THAT(log, HasSubstr("global batch 200 (100 per process), each "
                             "process reads part 1 of 2"));
  // Both halves of the data count: 50 batches of 100 on each process.
  EXPECT_THAT(log, HasSubstr("epoch 1/1: train accuracy="));
  EXPECT_FALSE(FileExists(dir + "/run/train-rank1.log"));
  EXPECT_TRUE(FileExists(dir + "/run/model-0001.params"));
  // Rank 1 prints no info lines (only rank 0 reports progress).
  EXPECT_EQ(r.output.find("rank 1:"), std::string::npos) << r.output;

  r = RunCommand(Mpirun(2), std::string(kMxtrain) + " --config " + config +
                                " --resume --set logging.rank_logs=true");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(ReadFile(dir + "/run/train.log"),
              HasSubstr("resumed from " + dir + "/run/model-0001.params"));
  EXPECT_THAT(ReadFile(dir + "/run/train-rank1.log"),
              HasSubstr("rank 1 (host"));
  EXPECT_TRUE(FileExists(dir + "/run/model-0002.params"));

  // Another number of processes cannot resume this run.
  r = RunCommand(Mpirun(1), std::string(kMxtrain) + " --config " + config +
                                " --resume --set epochs=3");
  EXPECT_NE(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("was written by a run of 2 processes, this "
                                  "run has 1: resume with the same number of "
                                  "processes (mpirun -np 2)"));
}

// Starts mxtrain under mpirun in the background (long enough to be cut
// short); returns mpirun's pid, its output going to `output`.
pid_t StartLongRun(const std::string& dir, const std::string& env,
                   const std::string& output) {
  const std::string config = WriteConfig(dir, 1000, "");
  const std::string command = Mpirun(2, env) + " " + kMxtrain + " --config " +
                              config + " --set logging.rank_logs=true > " +
                              output + " 2>&1";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::execl("/bin/sh", "sh", "-c", command.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Rank 1's pid, from its log, once it trains (-1 after 60 s).
pid_t RankOnePid(const std::string& dir) {
  const std::regex pid_line("rank 1 \\(host [^,]*, pid ([0-9]+)\\)");
  for (int i = 0; i < 3000; ++i) {
    const std::string log = ReadFile(dir + "/run/train-rank1.log");
    std::smatch m;
    if (std::regex_search(log, m, pid_line) &&
        ReadFile(dir + "/run/train.log").find("epoch 1/1000") !=
            std::string::npos) {
      return static_cast<pid_t>(std::stol(m[1]));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

// Waits for `pid` up to `seconds`; its exit status, or -1 (then kills its
// process group).
int WaitUpTo(pid_t pid, int seconds) {
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

TEST(DistSyncTest, AKilledProcessEndsTheRunWithAnError) {
  const std::string dir = FreshDir("killed");
  const std::string output = dir + "/output.txt";
  const pid_t run = StartLongRun(dir, "", output);
  const pid_t rank1 = RankOnePid(dir);
  ASSERT_GT(rank1, 0) << ReadFile(output);
  ::kill(rank1, SIGKILL);
  const int code = WaitUpTo(run, 60);
  EXPECT_NE(code, -1) << "still running 60 s after a process was killed\n"
                      << ReadFile(output);
  EXPECT_NE(code, 0) << ReadFile(output);
  EXPECT_THAT(ReadFile(output), HasSubstr("rank 1"));
}

TEST(DistSyncTest, AHungProcessEndsTheRunAfterTheTimeout) {
  const std::string dir = FreshDir("hung");
  const std::string output = dir + "/output.txt";
  const pid_t run = StartLongRun(dir, "MX_DIST_TIMEOUT=3", output);
  const pid_t rank1 = RankOnePid(dir);
  ASSERT_GT(rank1, 0) << ReadFile(output);
  ::kill(rank1, SIGSTOP);
  const int code = WaitUpTo(run, 60);
  ::kill(rank1, SIGKILL);
  EXPECT_NE(code, -1) << "still running 60 s after a process hung\n"
                      << ReadFile(output);
  EXPECT_NE(code, 0) << ReadFile(output);
  EXPECT_THAT(ReadFile(output),
              HasSubstr("rank 0 of 2: no answer from the other processes "
                        "within 3 s"));
}

TEST(DistSyncTest, SigtermToOneProcessStopsAllAndRankZeroCheckpoints) {
  const std::string dir = FreshDir("sigterm");
  const std::string output = dir + "/output.txt";
  const pid_t run = StartLongRun(dir, "", output);
  const pid_t rank1 = RankOnePid(dir);
  ASSERT_GT(rank1, 0) << ReadFile(output);
  // A scheduler's SIGTERM, here reaching one process only: every process
  // stops after the same batch and rank 0 saves the checkpoint.
  ::kill(rank1, SIGTERM);
  const int code = WaitUpTo(run, 60);
  const std::string log = ReadFile(dir + "/run/train.log");
  EXPECT_EQ(code, 130) << ReadFile(output) << log;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      log, m,
      std::regex("interrupted in epoch ([0-9]+) after batch [0-9]+: "
                 "checkpoint (.*) saved; continue with --resume")))
      << log;
  EXPECT_TRUE(FileExists(m[2])) << log;
}

TEST(DistSyncTest, AStepWithNanOnOneProcessIsSkippedByAll) {
  // 200 samples of 4 positive features; sample 151 (rank 1's part, the odd
  // rows) has a negative one, whose square root is NaN in its batch on rank
  // 1 only.
  const std::string dir = FreshDir("nan");
  {
    std::ofstream data(dir + "/data.csv"), label(dir + "/label.csv");
    for (int i = 0; i < 200; ++i) {
      for (int f = 0; f < 4; ++f) {
        data << (i == 151 && f == 2 ? -1.0 : 0.1 + 0.01 * ((i * 7 + f) % 50))
             << (f < 3 ? "," : "\n");
      }
      label << (i % 2) << "\n";
    }
  }
  const std::string iter =
      "    type: CSVIter\n    data_csv: " + dir +
      "/data.csv\n    data_shape: [4]\n    label_csv: " + dir +
      "/label.csv\n    batch_size: 10\n";
  std::ofstream(dir + "/net.yaml") << "name: nan\nepochs: 2\nkvstore: "
                                      "dist_sync\non_nonfinite: skip\noutput: "
                                   << dir << "/run\ndata:\n  train:\n"
                                   << iter << R"(network:
  layers:
    - {op: _power_scalar, name: sqrt, scalar: 0.5}
    - {op: FullyConnected, name: fc, num_hidden: 2}
    - {op: SoftmaxOutput, name: softmax}
logging: {progress: none}
)";
  const CommandResult r =
      RunCommand(Mpirun(2, "MX_DIST_TIMEOUT=20"),
                 std::string(kMxtrain) + " --config " + dir + "/net.yaml");
  ASSERT_EQ(r.code, 0) << r.output;
  // Both processes skipped the same step (else their collectives would no
  // longer match and the run would time out).
  const std::string log = ReadFile(dir + "/run/train.log");
  EXPECT_THAT(log, HasSubstr("epoch 1/2: train accuracy="));
  EXPECT_THAT(log, HasSubstr("1 steps skipped (NaN/Inf)"));
  EXPECT_TRUE(FileExists(dir + "/run/model-0002.params")) << log;
}

}  // namespace
}  // namespace mx
