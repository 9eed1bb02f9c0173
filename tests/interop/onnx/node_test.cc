// The ONNX project's own node tests (Debian's libonnx-testdata: a model and
// its input and output tensors per test) run through mx's importer and
// executor. Each test is a case: it passes when mx's outputs match ONNX's
// reference outputs, is skipped (naming what is missing) when the importer
// reports the model's operator, attribute or type as unsupported, and fails
// otherwise. The summary (ONNX_NODE_REPORT=FILE) lists every skip reason.
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/executor/executor.h"
#include "interop/onnx/host_tensor.h"
#include "interop/onnx/importer.h"

namespace mx {
namespace onnx_io {
namespace {

constexpr char kNodeDir[] = "/usr/share/libonnx-testdata/data/node";

std::vector<std::string> TestNames() {
  std::vector<std::string> names;
  DIR* d = opendir(kNodeDir);
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n.rfind("test_", 0) == 0) names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

HostTensor ReadTensor(const std::string& path) {
  onnx::TensorProto t;
  const std::string bytes = ReadFile(path);
  if (!t.ParseFromString(bytes)) throw Error("cannot parse " + path);
  return FromProto(t, "", path);
}

// The outcome of one node test: "" (pass), "skip: why" or the failure.
std::string RunNodeTest(const std::string& name) {
  const std::string dir = StrCat(kNodeDir, "/", name);
  ImportedModel m;
  try {
    m = ImportModel(dir + "/model.onnx");
  } catch (const UnsupportedError& e) {
    return StrCat("skip: ", e.what());
  }
  const std::string data = dir + "/test_data_set_0";
  std::map<std::string, NDArray> args = m.args;
  for (size_t i = 0; i < m.inputs.size(); ++i) {
    const HostTensor t = ReadTensor(StrCat(data, "/input_", i, ".pb"));
    try {
      args[m.inputs[i].name] = ToNDArray(t, "input " + m.inputs[i].name);
    } catch (const Error& e) {
      return StrCat("skip: ", e.what());
    }
  }
  // Inputs the import folded away (Shape's input) are not arguments.
  std::map<std::string, GradReq> reqs;
  std::map<std::string, NDArray> bound;
  for (const auto& a : m.symbol.ListArguments()) {
    reqs[a] = GradReq::kNull;
    if (args.count(a)) bound[a] = args[a];
  }
  std::map<std::string, NDArray> aux = m.aux;
  for (const auto& a : m.symbol.ListAuxiliaryStates()) {
    if (args.count(a)) aux[a] = args[a];
  }
  args = bound;
  std::unique_ptr<Executor> exec =
      Executor::Bind(m.symbol, Context::CPU(), args, {}, reqs, aux);
  exec->Forward(false);
  const auto& outs = exec->outputs();
  if (outs.size() != m.output_names.size()) {
    return StrCat(outs.size(), " outputs, expected ", m.output_names.size());
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    const HostTensor want = ReadTensor(StrCat(data, "/output_", i, ".pb"));
    const HostTensor got = FromNDArray(outs[i]);
    // mx has no 0-d arrays: a scalar is (1,).
    const bool scalar_ok =
        want.dims.empty() && got.dims == std::vector<int64_t>{1};
    if (got.dims != want.dims && !scalar_ok) {
      return StrCat("output ", i, " has shape ", PythonTuple(got.dims),
                    ", expected ", PythonTuple(want.dims));
    }
    if (got.type != want.type) {
      return StrCat("output ", i, " has type ", TypeName(got.type),
                    ", expected ", TypeName(want.type));
    }
    for (int64_t k = 0; k < want.size(); ++k) {
      const double w = want.values[k], g = got.values[k];
      if (std::isnan(w) && std::isnan(g)) continue;
      if (w == g) continue;
      if (!(std::fabs(w - g) <= 1e-5 + 1e-3 * std::fabs(w))) {
        return StrCat("output ", i, " element ", k, " is ", g, ", expected ",
                      w);
      }
    }
  }
  return "";
}

class OnnxNodeTest : public testing::TestWithParam<std::string> {};

TEST_P(OnnxNodeTest, MatchesReference) {
  std::string outcome;
  try {
    outcome = RunNodeTest(GetParam());
  } catch (const std::exception& e) {
    outcome = e.what();
  }
  if (const char* report = std::getenv("ONNX_NODE_REPORT")) {
    std::ofstream(report, std::ios::app)
        << GetParam() << "\t"
        << (outcome.empty()                   ? "pass"
            : outcome.rfind("skip: ", 0) == 0 ? outcome
                                              : "FAIL: " + outcome)
        << "\n";
  }
  if (outcome.rfind("skip: ", 0) == 0) GTEST_SKIP() << outcome.substr(6);
  EXPECT_EQ(outcome, "") << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Node, OnnxNodeTest, testing::ValuesIn(TestNames()),
                         [](const testing::TestParamInfo<std::string>& p) {
                           return p.param;
                         });

TEST(OnnxNodeData, IsInstalled) {
  EXPECT_GT(TestNames().size(), 900u)
      << kNodeDir << " holds no node tests: apt-get install libonnx-testdata "
      << "(tools/setup.sh)";
}

}  // namespace
}  // namespace onnx_io
}  // namespace mx
