// Bad input to mxtrain and mxinfer, class by class (Note [Untrusted input]):
// configs that recurse or expand without bound, files whose sizes lie,
// damaged gzip, empty data sets, labels the network cannot have, values
// out of any sane range, states that do not fit their checkpoint. Each
// must end with a clear error naming the file or key and the documented
// exit code: never a crash, a hang (every command runs under `timeout`) or
// a silent exit 0.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/base/file_util.h"
#include "core/ndarray/ndarray.h"
#include "core/ndarray/ndarray_io.h"
#include "io/mnist_file.h"
#include "tests/testing/command.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::mx::testing::RunCommand;
using ::mx::testing::TempPath;
using ::testing::HasSubstr;
using ::testing::Not;

using Result = ::mx::testing::CommandResult;

// Runs a tool under `timeout`: 124 means it hung, -1 that a signal killed
// it (a crash).
Result Run(const std::string& tool, const std::string& args) {
  return RunCommand("timeout -k 5 60 " + tool, args);
}

Result Mxtrain(const std::string& args) {
  return Run("tools/mxtrain/mxtrain", args);
}

Result Mxinfer(const std::string& args) {
  return Run("tools/mxinfer/mxinfer", args);
}

std::string Dir() { return TempPath("bad"); }

std::string Write(const std::string& name, const std::string& bytes) {
  ::mkdir(Dir().c_str(), 0777);
  const std::string path = Dir() + "/" + name;
  WriteFileAtomic(path, bytes);
  return path;
}

std::string Gzip(const std::string& bytes) {
  uLongf size = compressBound(bytes.size()) + 32;
  std::string out(size, '\0');
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string BigEndian(std::vector<uint32_t> words) {
  std::string out;
  for (uint32_t w : words) {
    for (int shift : {24, 16, 8, 0}) out += static_cast<char>(w >> shift);
  }
  return out;
}

// IDX images (n, 28, 28) and labels of the first n test images of
// Fashion-MNIST.
std::string Images(int n) {
  const io::IdxArray all = io::ReadIdxFile(
      std::string(io::kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz", 3);
  return BigEndian({0x803, static_cast<uint32_t>(n), 28, 28}) +
         std::string(all.data.begin(), all.data.begin() + n * 784);
}

std::string Labels(int n, int bad_at = -1) {
  const io::IdxArray all = io::ReadIdxFile(
      std::string(io::kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz", 1);
  std::string out = BigEndian({0x801, static_cast<uint32_t>(n)}) +
                    std::string(all.data.begin(), all.data.begin() + n);
  if (bad_at >= 0) out[8 + bad_at] = static_cast<char>(255);
  return out;
}

// The data files of the cases, written once.
struct Files {
  std::string images, labels, labels_255, truncated, garbage, zero_images,
      zero_labels, csv, csv_labels, csv_labels_255, csv_empty, csv_blank,
      csv_bad_row;
};

const Files& TheFiles() {
  static const Files f = [] {
    Files f;
    const std::string images = Gzip(Images(200));
    f.images = Write("images.gz", images);
    f.labels = Write("labels.gz", Gzip(Labels(200)));
    f.labels_255 = Write("labels_255.gz", Gzip(Labels(200, 37)));
    f.truncated = Write("truncated.gz", images.substr(0, images.size() - 8));
    f.garbage = Write("garbage.gz", images + "appended");
    f.zero_images =
        Write("zero_images.gz", Gzip(BigEndian({0x803, 0, 28, 28})));
    f.zero_labels = Write("zero_labels.gz", Gzip(BigEndian({0x801, 0})));
    std::string rows, labels, labels_255, bad_row;
    for (int r = 0; r < 40; ++r) {
      std::string row;
      for (int k = 0; k < 784; ++k)
        row += (k ? "," : "") + std::to_string(k % 7);
      rows += row + "\n";
      bad_row += (r == 30 ? row.substr(0, row.rfind(',')) : row) + "\n";
      labels += std::to_string(r % 10) + "\n";
      labels_255 += (r == 12 ? "255" : std::to_string(r % 10)) + "\n";
    }
    f.csv = Write("data.csv", rows);
    f.csv_labels = Write("labels.csv", labels);
    f.csv_labels_255 = Write("labels_255.csv", labels_255);
    f.csv_empty = Write("empty.csv", "");
    f.csv_blank = Write("blank.csv", "\n  \n\n");
    f.csv_bad_row = Write("bad_row.csv", bad_row);
    return f;
  }();
  return f;
}

std::string Mnist(const std::string& images, const std::string& labels) {
  return "{type: MNISTIter, image: " + images + ", label: " + labels +
         ", batch_size: 20, flat: true}";
}

std::string Csv(const std::string& data, const std::string& labels) {
  return "{type: CSVIter, data_csv: " + data + ", data_shape: [784], " +
         "label_csv: " + labels + ", batch_size: 20}";
}

const char kNetwork[] = R"(network:
  layers:
    - {op: FullyConnected, name: fc1, num_hidden: 16}
    - {op: Activation, act_type: relu}
    - {op: FullyConnected, name: fc2, num_hidden: 10}
    - {op: SoftmaxOutput, name: softmax}
)";

// A config training on `train` (and validating on `val` when given).
std::string Config(const std::string& name, const std::string& train,
                   const std::string& val = "", const std::string& extra = "") {
  std::string yaml = "name: " + name + "\nepochs: 1\noutput: " + Dir() +
                     "/runs/" + name + "\nlogging: {progress: none}\n" +
                     "data:\n  train: " + train + "\n";
  if (!val.empty()) yaml += "  val: " + val + "\n";
  return Write(name + ".yaml", yaml + kNetwork + extra);
}

std::string GoodConfig(const std::string& name, const std::string& extra = "") {
  const Files& f = TheFiles();
  return Config(name, Mnist(f.images, f.labels), Mnist(f.images, f.labels),
                extra);
}

// The exit code and the lines a case's output must hold.
void Expect(const Result& r, int code, const std::vector<std::string>& lines,
            const std::string& what) {
  EXPECT_NE(r.code, 124) << what << " hung\n" << r.output;
  EXPECT_NE(r.code, -1) << what << " crashed\n" << r.output;
  EXPECT_EQ(r.code, code) << what << "\n" << r.output;
  for (const std::string& line : lines) {
    EXPECT_THAT(r.output, HasSubstr(line)) << what;
  }
  EXPECT_THAT(r.output, Not(HasSubstr("internal error"))) << what;
}

TEST(BadInputTest, ConfigsThatRecurseOrExpandWithoutBound) {
  std::string laughs =
      "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (int i = 1; i < 10; ++i) {
    laughs += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) {
      laughs += (k ? ",*a" : "*a") + std::to_string(i - 1);
    }
    laughs += "]\n";
  }
  std::string blocks =
      "network:\n  blocks:\n    b0:\n      layers:\n        - {op: "
      "Activation, act_type: relu}\n";
  for (int i = 1; i <= 5; ++i) {
    blocks += "    b" + std::to_string(i) + ":\n      layers:\n";
    for (int k = 0; k < 1000; ++k) {
      blocks += "        - {block: b" + std::to_string(i - 1) + "}\n";
    }
  }
  blocks += "  layers:\n    - {block: b5}\n";
  std::string many = "network:\n  layers:\n";
  for (int i = 0; i <= 100000; ++i) {
    many += "    - {op: Activation, act_type: relu}\n";
  }
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"a: &x [1, *x]\n",
       {"nests deeper than 100 levels (an alias inside its own anchor?)"}},
      {"foo: &a\n  b: *a\n", {"foo.b.b.b.b", "nests deeper than 100 levels"}},
      {laughs, {"the config expands to more than 1000000 values"}},
      {blocks,
       {"the network expands to more than 100000 layers (blocks applied "
        "inside blocks multiply)"}},
      {many, {"network.layers[100000]: the network expands to more than"}},
      {"x: " + std::string(5000, '[') + std::string(5000, ']') + "\n",
       {"YAML nests too deeply for the parser"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string config =
        Write("unbounded" + std::to_string(i) + ".yaml", cases[i].first);
    Expect(Mxtrain("check --config " + config), 2, cases[i].second,
           "case " + std::to_string(i));
  }
}

TEST(BadInputTest, YamlThatIsNotPlainUtf8IsRefused) {
  const std::string base = ReadFile(GoodConfig("plain"));
  std::string utf16_le;
  for (char c : base) utf16_le += std::string(1, c) + '\0';
  std::string latin1 = base;
  latin1.replace(latin1.find("name: plain"), 11, "name: caf\xe9");
  const std::string body = base.substr(base.find('\n') + 1);
  struct Case {
    std::string name, text;
    std::vector<std::string> lines;
  };
  const std::vector<Case> cases = {
      {"utf16",
       "\xff\xfe" + utf16_le,
       {"utf16.yaml:1:1: the file is UTF-16 or UTF-32 text"}},
      {"utf16_no_mark", utf16_le, {"utf16_no_mark.yaml:1:2: a NUL byte"}},
      {"latin1", latin1, {"latin1.yaml:1:10: byte 0xe9 is not UTF-8 text"}},
      {"binary_tag",
       "name: !!binary eXl5\n" + body,
       {"name: YAML tag '!!binary' is not supported"}},
      {"custom_tag",
       base + "seed: !custom 4\n",
       {"seed: YAML tag '!custom' is not supported"}},
  };
  for (const Case& c : cases) {
    Expect(Mxtrain("check --config " + Write(c.name + ".yaml", c.text)), 2,
           c.lines, c.name);
  }
  // !!str is plain YAML: a string.
  const std::string str = Write("str_tag.yaml", "name: !!str 123\n" + body);
  Expect(Mxtrain("check --config " + str), 0, {"OK:"}, "!!str");
}

TEST(BadInputTest, ConfigValuesOutsideAnySaneRange) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"epochs: 1000000000000\n",
       {"epochs: parameter 'epochs' = \"1000000000000\": out of range; "
        "expected 1 <= value <= 1000000"}},
      {"metrics: [{type: top_k_accuracy, top_k: 50}]\n",
       {"metrics[0]: top_k 50 is not below the network's 10 classes"}},
      {"kvstore: dist_sync\n",
       {"kvstore 'dist_sync' sums gradients over the processes of an MPI "
        "job, but no MPI launcher started this one"}},
      {"checkpoint: {prefix: ..}\n",
       {"checkpoint.prefix: '..' is not a file-name prefix"}},
      {"checkpoint: {best_metric: f1score}\n",
       {"checkpoint.best_metric: 'f1score' is not one of the run's metrics",
        "(accuracy, cross-entropy)"}},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string text = ReadFile(GoodConfig("range" + std::to_string(i)));
    if (cases[i].first.rfind("epochs", 0) == 0) {
      text.replace(text.find("epochs: 1"), 9, "");
    }
    const std::string config =
        Write("range" + std::to_string(i) + ".yaml", text + cases[i].first);
    Expect(Mxtrain("check --config " + config), 2, cases[i].second,
           cases[i].first);
  }
  std::string devices = "devices: [cpu";
  for (int i = 0; i < 64; ++i) devices += ", cpu";
  const std::string config =
      Write("devices.yaml", ReadFile(GoodConfig("devices")) + devices + "]\n");
  Expect(Mxtrain("check --config " + config), 2,
         {"65 devices; a run may use at most 64"}, "devices");
}

TEST(BadInputTest, DamagedOrEmptyDataFiles) {
  const Files& f = TheFiles();
  struct Case {
    std::string name, train, val;
    std::vector<std::string> lines;
  };
  const std::vector<Case> cases = {
      {"truncated",
       Mnist(f.truncated, f.labels),
       "",
       {"data.train (MNISTIter): cannot read '" + f.truncated +
        "': truncated gzip data"}},
      {"garbage",
       Mnist(f.garbage, f.labels),
       "",
       {"cannot read '" + f.garbage +
        "': 8 bytes of something else follow the gzip data"}},
      {"zero_rows",
       Mnist(f.zero_images, f.zero_labels),
       "",
       {"'" + f.zero_images + "' holds no images (its IDX header says 0)"}},
      {"zero_val",
       Mnist(f.images, f.labels),
       Mnist(f.zero_images, f.zero_labels),
       {"data.val (MNISTIter): '" + f.zero_images + "' holds no images"}},
      {"empty_csv",
       Csv(f.csv_empty, f.csv_empty),
       "",
       {"data.train (CSVIter '" + f.csv_empty + "'): ", "no sample"}},
      {"blank_csv",
       Csv(f.csv_blank, "NULL"),
       "",
       {"data.train (CSVIter '" + f.csv_blank + "'): ", "no sample"}},
      {"bad_row",
       Csv(f.csv_bad_row, f.csv_labels),
       "",
       {"'" + f.csv_bad_row + "' line 31: 783 values, expected 784"}},
      {"label_255_train",
       Mnist(f.images, f.labels_255),
       "",
       {"data.train (MNISTIter '" + f.labels_255 +
        "'): label 255 of record 37 is not a class id of the network's 10 "
        "outputs (0 to 9)"}},
      {"label_255_val",
       Mnist(f.images, f.labels),
       Csv(f.csv, f.csv_labels_255),
       {"data.val (CSVIter '" + f.csv_labels_255 +
        "'): label 255 of record 12 is not a class id"}},
  };
  for (const Case& c : cases) {
    const std::string config = Config(c.name, c.train, c.val);
    // `check` reads all of the data (CSV rows too), as training would.
    Expect(Mxtrain("check --config " + config), 3, c.lines, c.name + " check");
    Expect(Mxtrain("--config " + config), 3, c.lines, c.name + " train");
  }
}

// A model trained once for the mxinfer cases.
std::string Model() {
  static const std::string prefix = [] {
    const std::string config = GoodConfig("model");
    const Result r = Mxtrain("--config " + config + " --overwrite");
    EXPECT_EQ(r.code, 0) << r.output;
    return Dir() + "/runs/model/model";
  }();
  return prefix;
}

TEST(BadInputTest, MxinferRefusesBadDataWithExitCode3) {
  const Files& f = TheFiles();
  const std::string m = "--model " + Model() + " ";
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"--input " + f.truncated + " --labels " + f.labels,
       {"truncated gzip data"}},
      {"--input " + f.garbage, {"bytes of something else follow"}},
      {"--input " + f.zero_images + " --labels " + f.zero_labels,
       {"holds no images"}},
      {"--input " + f.zero_images, {"holds no images"}},
      {"--input " + f.images + " --labels " + f.labels_255,
       {"'" + f.labels_255 +
        "': label 255 of record 37 is not a class id of the model's 10 "
        "outputs"}},
      {"--input " + f.csv_empty + " --data-shape 784 --output " + Dir() +
           "/p.csv",
       {"'" + f.csv_empty + "' holds no samples"}},
      {"--input " + f.csv_blank + " --data-shape 784", {"holds no samples"}},
      {"--input " + f.csv + " --data-shape 700",
       {"but with data of shape (64,700) the model needs (16,700)",
        "--data-shape"}},
      {"--input " + f.csv_bad_row + " --data-shape 784",
       {"line 31: 783 values, expected 784"}},
      {"--input " + f.csv + " --data-shape 784 --labels " + f.csv_labels_255,
       {"label 255 of record 12"}},
  };
  for (const auto& [args, lines] : cases) {
    Expect(Mxinfer(m + args), 3, lines, args);
  }
  EXPECT_FALSE(mx::testing::FileExists(Dir() + "/p.csv"));
  // IDX input is found by its content, whatever its name says.
  const std::string renamed = Write("data_v2.bin", ReadFile(f.images));
  Expect(Mxinfer(m + "--input " + renamed + " --labels " + f.labels), 0,
         {"accuracy "}, "IDX by content");
}

// Edits the training state of `epoch` of `run`: `edit` changes its arrays.
void EditState(
    const std::string& states,
    const std::function<void(std::map<std::string, NDArray>*)>& edit) {
  std::map<std::string, NDArray> arrays = LoadNDArrayMap(states);
  edit(&arrays);
  SaveNDArrayMap(states, arrays);
}

NDArray Int64(int64_t v) {
  return NDArray::FromVector(std::vector<int64_t>{v}, Shape({1}));
}

TEST(BadInputTest, ResumeStatesOutOfRangeAreDataErrors) {
  const std::string config = GoodConfig("resume");
  ASSERT_EQ(Mxtrain("--config " + config + " --overwrite").code, 0);
  const std::string states = Dir() + "/runs/resume/model-0001.states";
  const std::string saved = ReadFile(states);
  const std::vector<std::pair<
      std::function<void(std::map<std::string, NDArray>*)>, std::string>>
      cases = {
          {[](auto* a) { (*a)["meta:epoch"] = Int64(-5); },
           "key 'meta:epoch' is -5, expected 0 to 999999999"},
          {[](auto* a) { (*a)["meta:batch"] = Int64(-1); },
           "key 'meta:batch' is -1, expected 0 to"},
          {[](auto* a) { (*a)["meta:epoch"] = Int64(2000000000); },
           "key 'meta:epoch' is 2000000000, expected 0 to 999999999"},
          {[](auto* a) { (*a)["meta:epoch"] = Int64(5); },
           "holds the state after epoch 5, but its name says epoch 1"},
          {[](auto* a) { (*a)["meta:batch"] = Int64(5); },
           "holds the state after epoch 1 and 5 batches, but its name says "
           "epoch 1"},
          {[](auto* a) { (*a)["state:fc1_weight:1000000000000"] = Int64(0); },
           "has index 1000000000000 but the file holds"},
      };
  for (const auto& [edit, line] : cases) {
    WriteFileAtomic(states, saved);
    EditState(states, edit);
    Expect(Mxtrain("--config " + config + " --resume --set epochs=2"), 3,
           {"--resume: '" + states + "'", line}, line);
  }
}

// Parameters holding NaN or Inf are refused wherever a checkpoint is
// loaded (a ReLU would hide them from training's step checks).
TEST(BadInputTest, NonFiniteParametersAreRefusedWhenLoaded) {
  const std::string model = Model();
  std::map<std::string, NDArray> params =
      LoadNDArrayMap(model + "-0001.params");
  params["arg:fc1_bias"] =
      NDArray::Full(params["arg:fc1_bias"].shape(), std::nanf(""));
  const std::string nan_prefix = Dir() + "/nan/model";
  ::mkdir((Dir() + "/nan").c_str(), 0777);
  SaveNDArrayMap(nan_prefix + "-0001.params", params);
  WriteFileAtomic(nan_prefix + "-symbol.json",
                  ReadFile(model + "-symbol.json"));
  const std::string line = "'" + nan_prefix +
                           "-0001.params': 'arg:fc1_bias' holds NaN "
                           "(element 0 of (16,))";
  Expect(Mxinfer("--model " + nan_prefix + " --input " + TheFiles().images), 3,
         {line}, "mxinfer");
  const std::string config =
      GoodConfig("pretrained_nan",
                 "checkpoint: {pretrained: " + nan_prefix + "-0001.params}\n");
  Expect(Mxtrain("--config " + config + " --overwrite"), 3,
         {"checkpoint.pretrained: " + line}, "pretrained");
}

// A file-size limit (ulimit -f) is a write error naming the file, not a
// SIGXFSZ that kills the run mid-write; no temp file is left.
TEST(BadInputTest, FileSizeLimitIsAWriteError) {
  const std::string config = GoodConfig("ulimit");
  const Result r = RunCommand(
      "bash -c 'ulimit -f 8; exec timeout 60 "
      "tools/mxtrain/mxtrain \"$@\"' mxtrain",
      "--config " + config + " --overwrite --set logging.curve=false");
  Expect(r, 1, {"model-0001.params': File too large"}, "ulimit -f 8");
  for (const std::string& name : ListFolder(Dir() + "/runs/ulimit")) {
    EXPECT_EQ(name.find(".tmp."), std::string::npos) << name;
  }
}

// Resume reads nothing it cannot trust: a commit record that names other
// files is refused, a state paired with other weights is not used.
TEST(BadInputTest, CheckpointsMixedOrForgedAreNotUsed) {
  const std::string config = GoodConfig("forged");
  ASSERT_EQ(Mxtrain("--config " + config + " --overwrite").code, 0);
  const std::string run = Dir() + "/runs/forged";
  WriteFileAtomic(run + "/model-0001.commit",
                  "mx-checkpoint-commit-1\n../../x.params.tmp.aaaaaa\n");
  Expect(Mxtrain("--config " + config + " --resume --set epochs=2"), 3,
         {"--resume: '" + run +
          "/model-0001.commit' line 2: "
          "'../../x.params.tmp.aaaaaa' is not a temp file of "
          "model-0001.params or model-0001.states"},
         "forged commit record");
  RemoveFile(run + "/model-0001.commit");
  // The weights of another run beside this run's state: skipped, and with
  // no other checkpoint there is nothing to resume (--auto-resume starts
  // over).
  const std::string other = GoodConfig("other", "seed: 9\n");
  ASSERT_EQ(Mxtrain("--config " + other + " --overwrite").code, 0);
  WriteFileAtomic(run + "/model-0001.params",
                  ReadFile(Dir() + "/runs/other/model-0001.params"));
  Expect(Mxtrain("--config " + config + " --resume --set epochs=2"), 3,
         {"--resume: skipping checkpoint 1: '" + run +
              "/model-0001.states' was written with other parameters",
          "--resume: no checkpoint with a training state"},
         "mixed pair");
  Expect(Mxtrain("--config " + config + " --auto-resume --set epochs=2"), 0,
         {"--resume: skipping checkpoint 1: '" + run +
              "/model-0001.states' was written with other parameters",
          "--auto-resume: no checkpoint with a training state"},
         "mixed pair, --auto-resume");
}

// A network or batch too large for the machine is a config error naming
// the layer or the batch_size key, before anything is allocated.
TEST(BadInputTest, TooLargeForMemoryNamesTheLayerOrTheBatch) {
  const std::string config = GoodConfig("huge");
  Expect(Mxtrain("check --config " + config +
                 " --set network.layers.0.num_hidden=1000000000"),
         2,
         {config + ":", "network.layers[0]: FullyConnected 'fc1' needs ",
          "output (20,1000000000)", "of memory (a smaller layer or "},
         "huge layer");
  Expect(Mxtrain("check --config " + config +
                 " --set data.train.batch_size=100000000"),
         2,
         {"data.train.batch_size: MNISTIter: batches of 100000000 samples do "
          "not fit in memory"},
         "huge batch");
}

// Layer names are unique (they name the weights), local inside blocks at
// any depth, and a variadic op counts its inputs; --set values are reported
// at the flag, not at the line of the file they replace.
TEST(BadInputTest, LayerNamesAndFlagValuesAreReportedWhereWritten) {
  const Files& f = TheFiles();
  const std::string blocks = R"(network:
  blocks:
    inner:
      layers:
        - {op: FullyConnected, name: fc, num_hidden: 16}
    outer:
      layers:
        - {block: inner, name: i1}
        - {op: Activation, name: act, act_type: relu, inputs: [i1]}
        - {op: ElementWiseSum, name: sum, inputs: [i1, act]}
  layers:
    - {block: outer, name: o1}
)";
  const std::string head = "name: names\nepochs: 1\noutput: " + Dir() +
                           "/runs/names\nlogging: {progress: none}\n" +
                           "data:\n  train: " + Mnist(f.images, f.labels) +
                           "\n";
  const std::string tail =
      "    - {op: FullyConnected, name: fc2, num_hidden: 10}\n"
      "    - {op: SoftmaxOutput, name: softmax}\n";
  const std::string nested = Write("nested.yaml", head + blocks + tail);
  const Result r = Mxtrain("summary --config " + nested);
  Expect(r, 0, {"o1_i1_fc ", "o1_sum "}, "nested blocks");
  const std::string twice = Write(
      "twice.yaml", head + blocks + "    - {block: outer, name: o1}\n" + tail +
                        "    - {op: FullyConnected, name: fc2, "
                        "num_hidden: 10}\n");
  Expect(Mxtrain("check --config " + twice), 2,
         {twice +
              ":19:28: network.layers[1].name: the name 'o1' is already "
              "used by the layer at " +
              twice + ":18:7",
          twice +
              ":22:34: network.layers[4].name: the name 'fc2' is already "
              "used by the layer at " +
              twice + ":20:7"},
         "names used twice");
  const std::string config = GoodConfig("flags");
  Expect(Mxtrain("check --config " + config +
                 " --set data.train.batch_size=-5 --set "
                 "network.layers.0.num_hidden=-3"),
         2,
         {"--set data.train.batch_size=-5: data.train.batch_size: ",
          "--set network.layers.0.num_hidden=-3: network.layers[0]."
          "num_hidden: "},
         "--set values");
}

// mxinfer's --model must be a checkpoint prefix, not a folder or a bucket.
TEST(BadInputTest, MxinferModelMustBeAPrefix) {
  for (const auto& [model, why] :
       std::vector<std::pair<std::string, std::string>>{
           {"s3://", "no key after the bucket"},
           {"s3://bucket", "no key after the bucket"},
           {"s3://bucket/runs/", "it ends in a folder"},
           {Dir(),
            "it is a folder (the prefix of the files inside it is "
            "e.g. " +
                Dir() + "/model)"}}) {
    Expect(Mxinfer("--model " + model + " --benchmark --data-shape 784"), 2,
           {"--model '" + model + "': " + why,
            "expected a checkpoint prefix such as runs/x/model"},
           model);
  }
}

// A checkpoint without one of the network's parameters is a data error
// naming the file and the parameter, never evaluated with a random one.
TEST(BadInputTest, ACheckpointMissingAParameterIsNamed) {
  const std::string config = GoodConfig("missing");
  ASSERT_EQ(Mxtrain("--config " + config + " --overwrite").code, 0);
  const std::string params = Dir() + "/runs/missing/model-0001.params";
  std::map<std::string, NDArray> arrays = LoadNDArrayMap(params);
  arrays.erase("arg:fc2_bias");
  SaveNDArrayMap(params, arrays);
  Expect(Mxtrain("test --config " + config), 3,
         {"'" + params + "' has no argument 'fc2_bias' of the network"},
         "mxtrain test");
  Expect(Mxinfer("--model " + Dir() + "/runs/missing/model --input " +
                 TheFiles().images),
         3, {"fc2_bias"}, "mxinfer");
}

// Damaged ONNX models (docs/onnx.md): a config key error for mxtrain's
// network.onnx, a model error (exit 3) for mxinfer, both naming the file.
TEST(BadInputTest, DamagedOnnxModelsAreNamed) {
  const Files& f = TheFiles();
  const std::string garbage = Write("garbage.onnx", "this is no model");
  const std::string empty = Write("empty.onnx", "");
  for (const std::string& model : {garbage, empty, Dir() + "/none.onnx"}) {
    const std::string config = Write(
        "onnx.yaml", "name: onnx\noutput: " + Dir() + "/runs/onnx\ndata:\n" +
                         "  train: " + Mnist(f.images, f.labels) +
                         "\nnetwork: {onnx: " + model + "}\n");
    Expect(Mxtrain("check --config " + config), 2, {"network.onnx: ", model},
           "mxtrain " + model);
    Expect(Mxinfer("--model " + model + " --benchmark --data-shape 1,28,28"), 3,
           {"mxinfer: error: ", model}, "mxinfer " + model);
  }
  Expect(Mxinfer("--model " + garbage + " --epoch 2 --benchmark"), 2,
         {"--epoch is for checkpoints"}, "mxinfer --epoch");
}

}  // namespace
}  // namespace mx
