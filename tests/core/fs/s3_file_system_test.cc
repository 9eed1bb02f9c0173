// s3:// files against a real S3-compatible server on 127.0.0.1 (s3rver from
// npm, installed by tools/setup.sh), each test in its own bucket: arrays,
// symbols and checkpoints round-trip; ranged reads; a multipart upload that
// is invisible until committed; every error names the URI; and an
// independent client (boto3) reads what we wrote and writes what we read.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/base/file_system.h"
#include "core/base/file_util.h"
#include "core/ndarray/ndarray_io.h"
#include "core/symbol/symbol.h"
#include "core/train/checkpoint.h"
#include "io/csv_iter.h"
#include "io/image_record_iter.h"
#include "io/mnist_file.h"
#include "io/recordio.h"
#include "tests/testing/command.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"

namespace mx {
namespace {

using ::mx::io::CreateCsvIter;
using ::mx::io::CreateImageRecordIter;
using ::mx::io::PackImageRecord;
using ::mx::io::RecordReader;
using ::mx::io::RecordWriter;
using ::mx::testing::MessageOf;
using ::mx::testing::RunCommand;
using ::mx::testing::TempPath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const char kBucket[] = "mx-test";

// A TCP port nobody listens on now.
int FreePort() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(s);
  return ntohs(a.sin_port);
}

bool Accepts(int port) {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(s);
  return ok;
}

class S3Test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    port_ = FreePort();
    const std::string dir = TempPath("s3rver");
    RunCommand("rm -rf", dir + " && mkdir -p " + dir);
    server_ = ::fork();
    if (server_ == 0) {
      ::execlp("s3rver", "s3rver", "-d", dir.c_str(), "-a", "127.0.0.1", "-p",
               std::to_string(port_).c_str(), "-s", "--configure-bucket",
               kBucket, static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 300 && !Accepts(port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  static void TearDownTestSuite() {
    ::kill(server_, SIGTERM);
    ::waitpid(server_, nullptr, 0);
  }
  void SetUp() override {
    ASSERT_TRUE(Accepts(port_))
        << "s3rver did not start (bash tools/setup.sh installs it)";
    ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    ::setenv("AWS_REGION", "us-east-1", 1);
    ::setenv("AWS_ENDPOINT_URL", Endpoint().c_str(), 1);
    ::setenv("MX_S3_RETRIES", "1", 1);
  }
  static std::string Endpoint() {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  static std::string Uri(const std::string& key) {
    return std::string("s3://") + kBucket + "/" + key;
  }
  static pid_t server_;
  static int port_;
};

pid_t S3Test::server_ = -1;
int S3Test::port_ = 0;

TEST_F(S3Test, ArraysSymbolsAndCheckpointsRoundTrip) {
  const NDArray w = NDArray::FromVector<float>({1, 2, 3, 4}, Shape({2, 2}));
  SaveNDArrayMap(Uri("arrays/w.params"), {{"w", w}});
  const auto loaded = LoadNDArrayMap(Uri("arrays/w.params"));
  EXPECT_THAT(loaded.at("w").ToVector<float>(), ElementsAre(1, 2, 3, 4));

  Symbol net = Symbol::Create("FullyConnected", {Symbol::Variable("data")},
                              {{"num_hidden", 2}, {"name", "fc"}});
  const std::string prefix = Uri("run/model");
  for (int epoch : {1, 2}) {
    SaveCheckpoint(prefix, epoch, net,
                   {{"fc_weight", w}, {"fc_bias", NDArray::Zeros(Shape({2}))}},
                   {});
  }
  EXPECT_THAT(CheckpointEpochs(prefix, "params"), ElementsAre(1, 2));
  EXPECT_TRUE(FileExists(prefix + "-symbol.json"));
  EXPECT_EQ(Symbol::Load(prefix + "-symbol.json").ListArguments(),
            net.ListArguments());
  RemoveFile(prefix + "-0001.params");
  EXPECT_THAT(CheckpointEpochs(prefix, "params"), ElementsAre(2));
  EXPECT_THAT(ListFolder(Uri("run")),
              ElementsAre("model-0002.params", "model-symbol.json"));
}

TEST_F(S3Test, RangedReadsReadOnlyWhatIsAsked) {
  std::string bytes(100000, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  WriteFileAtomic(Uri("ranged.bin"), bytes);
  auto file = FileSystemFor(Uri("ranged.bin")).OpenRead(Uri("ranged.bin"));
  EXPECT_EQ(file->Size(), 100000);
  std::string part(1000, '\0');
  EXPECT_EQ(file->ReadAt(54321, 1000, part.data()), 1000);
  EXPECT_EQ(part, bytes.substr(54321, 1000));
  EXPECT_EQ(file->ReadAt(99990, 1000, part.data()), 10);  // the end
  EXPECT_EQ(part.substr(0, 10), bytes.substr(99990));
  EXPECT_EQ(file->ReadAt(100000, 10, part.data()), 0);
}

TEST_F(S3Test, MultipartUploadAppearsOnlyWhenCommitted) {
  ::setenv("MX_S3_PART_MB", "5", 1);
  std::string bytes(12 << 20, '\0');  // three parts of 5, 5 and 2 MB
  for (size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<char>(i % 251);
  {
    auto out = FileSystemFor(Uri("big.bin")).OpenWrite(Uri("big.bin"));
    out->Write(std::string_view(bytes).substr(0, 7 << 20));
    out->Write(std::string_view(bytes).substr(7 << 20));
    EXPECT_FALSE(FileExists(Uri("big.bin")));  // parts are not the object
    out->Commit();
  }
  EXPECT_EQ(ReadFile(Uri("big.bin")), bytes);
  {
    // Dropped without Commit (a killed writer): nothing appears.
    auto out = FileSystemFor(Uri("lost.bin")).OpenWrite(Uri("lost.bin"));
    out->Write(std::string_view(bytes).substr(0, 6 << 20));
  }
  EXPECT_FALSE(FileExists(Uri("lost.bin")));
  ::unsetenv("MX_S3_PART_MB");
}

TEST_F(S3Test, ErrorsNameTheUriAndTheCause) {
  EXPECT_THAT(MessageOf([] { ReadFile(Uri("missing.bin")); }),
              HasSubstr("'s3://mx-test/missing.bin': no such key "
                        "'missing.bin' in bucket 'mx-test'"));
  EXPECT_THAT(MessageOf([] { ReadFile("s3://no-such-bucket/x"); }),
              HasSubstr("'s3://no-such-bucket/x': no such bucket "
                        "'no-such-bucket'"));
  EXPECT_THAT(
      MessageOf([] { FileSystemFor(Uri("m")).OpenRead(Uri("missing.bin")); }),
      HasSubstr("no such key 'missing.bin'"));
  EXPECT_FALSE(FileExists(Uri("missing.bin")));
  EXPECT_THAT(MessageOf([] { ReadFile("s3://"); }), HasSubstr("no bucket"));
  EXPECT_THAT(MessageOf([] { ReadFile("hdfs://namenode/data.rec"); }),
              HasSubstr("hdfs:// is not supported in this build"));
  EXPECT_THAT(MessageOf([] { ReadFile("gs://b/k"); }),
              HasSubstr("unknown URI scheme 'gs://'"));

  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  EXPECT_THAT(MessageOf([] { ReadFile(Uri("x")); }),
              HasSubstr("'s3://mx-test/x': no AWS credentials: set "
                        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
  ::setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
  ::setenv("AWS_ACCESS_KEY_ID", "NOBODY", 1);
  EXPECT_THAT(MessageOf([] { ReadFile(Uri("x")); }),
              HasSubstr("'s3://mx-test/x': access denied"));
  ::setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);

  // Nobody listens: retried, then an error in bounded time.
  ::setenv("AWS_ENDPOINT_URL",
           ("http://127.0.0.1:" + std::to_string(FreePort())).c_str(), 1);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(MessageOf([] { ReadFile(Uri("x")); }),
              HasSubstr("'s3://mx-test/x': GET failed after 2 attempts: "
                        "Couldn't connect to server"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

// A store that misbehaves on 127.0.0.1: every request gets `reply`, then
// (when `trickle`) the body's bytes two a second, until the client leaves.
class MisbehavingStore {
 public:
  MisbehavingStore(std::string reply, bool trickle)
      : reply_(std::move(reply)), trickle_(trickle), port_(FreePort()) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    const int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port_);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { Serve(); });
  }
  ~MisbehavingStore() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string Endpoint() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      std::string request;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, n);
      }
      bool open = ::send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL) > 0;
      while (trickle_ && open && !stop_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        open = ::send(c, "x", 1, MSG_NOSIGNAL) == 1;
      }
      ::close(c);
    }
  }

  const std::string reply_;
  const bool trickle_;
  const int port_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// "No request waits forever": a store that trickles 2 bytes a second fails
// each attempt at its deadline; a body larger than memory is refused before
// it is read; an object without a size is an error.
TEST_F(S3Test, SlowAndLyingStoresFailWithinTheirDeadline) {
  ::setenv("MX_S3_TIMEOUT", "2", 1);
  {
    MisbehavingStore slow("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
                          true);
    ::setenv("AWS_ENDPOINT_URL", slow.Endpoint().c_str(), 1);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THAT(MessageOf([] { ReadFile(Uri("slow.params")); }),
                HasSubstr("'s3://mx-test/slow.params': GET failed after 2 "
                          "attempts: no answer within its deadline of 2 s "
                          "(MX_S3_TIMEOUT 2 s + its bytes at "
                          "MX_S3_MIN_SPEED_KB 64 KiB/s)"));
    // Two attempts of 2 s, a pause between them.
    EXPECT_LT(std::chrono::steady_clock::now() - start,
              std::chrono::seconds(8));
  }
  {
    MisbehavingStore lying(
        "HTTP/1.1 200 OK\r\nContent-Length: 1125899906842624\r\n\r\nabc", true);
    ::setenv("AWS_ENDPOINT_URL", lying.Endpoint().c_str(), 1);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THAT(MessageOf([] { ReadFile(Uri("huge.params")); }),
                HasSubstr("'s3://mx-test/huge.params': the store sends "
                          "1125899906842624 bytes, more than a whole-file "
                          "read may hold"));
    EXPECT_LT(std::chrono::steady_clock::now() - start,
              std::chrono::seconds(2));
  }
  {
    MisbehavingStore sizeless("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
                              false);
    ::setenv("AWS_ENDPOINT_URL", sizeless.Endpoint().c_str(), 1);
    EXPECT_THAT(
        MessageOf([] { FileSystemFor(Uri("x")).OpenRead(Uri("data.rec")); }),
        HasSubstr("'s3://mx-test/data.rec': the store sent no "
                  "Content-Length"));
  }
  ::setenv("AWS_ENDPOINT_URL", Endpoint().c_str(), 1);
  ::unsetenv("MX_S3_TIMEOUT");
}

// boto3 (Debian's python3-boto3, a client independent of ours) reads the
// object we wrote and writes one we read.
TEST_F(S3Test, Boto3ReadsOursAndWeReadBoto3s) {
  const std::string ours = "written by mx\n" + std::string(1000, 'x');
  WriteFileAtomic(Uri("cross/ours.txt"), ours);
  const std::string script =
      "import boto3,sys\n"
      "s3=boto3.client('s3',endpoint_url='" +
      Endpoint() +
      "',aws_access_key_id='S3RVER',aws_secret_access_key='S3RVER',"
      "region_name='us-east-1')\n"
      "body=s3.get_object(Bucket='mx-test',Key='cross/ours.txt')['Body']"
      ".read()\n"
      "sys.stdout.write('%d %s\\n'%(len(body),body[:13].decode()))\n"
      "s3.put_object(Bucket='mx-test',Key='cross/theirs.txt',"
      "Body=b'written by boto3')\n";
  const std::string path = TempPath("cross.py");
  WriteFileAtomic(path, script);
  const auto r = RunCommand("/usr/bin/python3", path);
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("1014 written by mx"));
  EXPECT_EQ(ReadFile(Uri("cross/theirs.txt")), "written by boto3");
}

// The iterators read s3:// data: RecordIO by ranged reads of small blocks
// (shuffled through its index), CSV and gzip'd IDX files.
TEST_F(S3Test, IteratorsReadTheirDataFromS3) {
  ::setenv("MX_S3_READ_BLOCK_KB", "4", 1);
  const std::string local = TempPath("pictures.rec");
  {
    RecordWriter w(local, local + ".idx");
    for (int k = 0; k < 40; ++k) {
      cv::Mat m(6, 8, CV_8UC3, cv::Scalar(k, 2 * k, 100));
      std::vector<uchar> png;
      cv::imencode(".png", m, png);
      w.Write(k, PackImageRecord({static_cast<float>(k)}, k,
                                 std::string(png.begin(), png.end())));
    }
    w.Close();
  }
  WriteFileAtomic(Uri("data/pictures.rec"), ReadFile(local));
  WriteFileAtomic(Uri("data/pictures.rec.idx"), ReadFile(local + ".idx"));
  {
    // RecordWriter writes to S3 directly (im2rec's output), the same bytes.
    RecordWriter w(Uri("data/direct.rec"), Uri("data/direct.rec.idx"));
    RecordReader in(local);
    std::string record;
    for (int k = 0; in.Next(&record); ++k) w.Write(k, record);
    w.Close();
  }
  EXPECT_EQ(ReadFile(Uri("data/direct.rec")), ReadFile(local));
  EXPECT_EQ(ReadFile(Uri("data/direct.rec.idx")), ReadFile(local + ".idx"));
  RecordReader from_s3(Uri("data/pictures.rec")), from_disk(local);
  std::string a, b;
  int records = 0;
  while (from_disk.Next(&a)) {
    ASSERT_TRUE(from_s3.Next(&b));
    ASSERT_EQ(a, b) << "record " << records;
    ++records;
  }
  EXPECT_FALSE(from_s3.Next(&b));
  EXPECT_EQ(records, 40);
  auto it =
      CreateImageRecordIter({{"path_imgrec", Uri("data/pictures.rec")},
                             {"path_imgidx", Uri("data/pictures.rec.idx")},
                             {"data_shape", "(3,6,8)"},
                             {"batch_size", "10"},
                             {"shuffle", "true"},
                             {"preprocess_threads", "2"}});
  std::vector<float> labels;
  while (it->Next()) {
    for (float l : it->Value().label[0].ToVector<float>()) labels.push_back(l);
  }
  std::sort(labels.begin(), labels.end());
  ASSERT_EQ(labels.size(), 40u);
  for (int k = 0; k < 40; ++k) EXPECT_EQ(labels[k], k);

  WriteFileAtomic(Uri("data/rows.csv"), "1,2\n3,4\n5,6\n7,8");
  auto csv = CreateCsvIter({{"data_csv", Uri("data/rows.csv")},
                            {"data_shape", "(2,)"},
                            {"batch_size", "2"}});
  ASSERT_TRUE(csv->Next());
  ASSERT_TRUE(csv->Next());
  EXPECT_THAT(csv->Value().data[0].ToVector<float>(), ElementsAre(5, 6, 7, 8));

  const std::string labels_gz =
      std::string(io::kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz";
  WriteFileAtomic(Uri("data/t10k-labels.gz"), ReadFile(labels_gz));
  EXPECT_EQ(io::ReadIdxFile(Uri("data/t10k-labels.gz"), 1).data,
            io::ReadIdxFile(labels_gz, 1).data);
  ::unsetenv("MX_S3_READ_BLOCK_KB");
}

// mxtrain keeps its checkpoints in S3 (checkpoint.prefix a URI) and resumes
// from them.
TEST_F(S3Test, MxtrainCheckpointsToS3AndResumes) {
  const std::string dir = TempPath("mxtrain_s3");
  RunCommand("mkdir -p", dir);
  const std::string data = io::kFashionMnistDir;
  const std::string iter = "    type: MNISTIter\n    image: " + data +
                           "/t10k-images-idx3-ubyte.gz\n    label: " + data +
                           "/t10k-labels-idx1-ubyte.gz\n    batch_size: 100\n"
                           "    flat: true\n";
  WriteFileAtomic(dir + "/net.yaml", "name: s3run\nepochs: 2\noutput: " + dir +
                                         "/run\ndata:\n  train:\n" + iter +
                                         R"(network:
  layers:
    - {op: FullyConnected, name: fc1, num_hidden: 16}
    - {op: Activation, name: relu1, act_type: relu}
    - {op: FullyConnected, name: fc2, num_hidden: 10}
    - {op: SoftmaxOutput, name: softmax}
checkpoint: {prefix: "s3://mx-test/runs/s3run/model"}
logging: {progress: none}
)");
  const std::string mxtrain =
      "tools/mxtrain/mxtrain --config " + dir + "/net.yaml";
  auto r = RunCommand(mxtrain, "--set epochs=1");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(FileExists("s3://mx-test/runs/s3run/model-0001.params"));
  EXPECT_TRUE(FileExists("s3://mx-test/runs/s3run/model-0001.states"));
  EXPECT_TRUE(FileExists("s3://mx-test/runs/s3run/model-symbol.json"));
  r = RunCommand(mxtrain, "--resume");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(
      r.output,
      HasSubstr("resumed from s3://mx-test/runs/s3run/model-0001.params"));
  EXPECT_THAT(CheckpointEpochs("s3://mx-test/runs/s3run/model", "params"),
              ElementsAre(1, 2));
}

}  // namespace
}  // namespace mx
