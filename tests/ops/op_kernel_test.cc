// Runs the shared harness (tests/testing/op_harness.h) on every registered op
// case, one gtest per case, and checks that every op has kernels and cases.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "core/op/kernel.h"
#include "core/op/op.h"
#include "tests/testing/op_harness.h"

namespace mx::testing {
namespace {

class OpCaseTest : public ::testing::Test {
 public:
  explicit OpCaseTest(const OpCase* c) : case_(c) {}
  void TestBody() override { CheckOpCase(*case_); }

 private:
  const OpCase* case_;
};

TEST(OpCoverage, EveryOpHasAReferenceKernelAndCases) {
  std::set<std::string> covered;
  for (const OpCase& c : AllOpCases()) {
    covered.insert(OpRegistry::Global().Get(c.op).name());
  }
  for (const std::string& op : OpRegistry::Global().Names()) {
    EXPECT_NE(KernelRegistry::Global().Find(op, DeviceType::kCPU,
                                            KernelVariant::kReference),
              nullptr)
        << op << " has no CPU reference kernel";
    EXPECT_TRUE(covered.count(op)) << op << " has no harness case";
  }
}

TEST(OpCoverage, CaseNamesAreUnique) {
  std::set<std::string> names;
  for (const OpCase& c : AllOpCases()) {
    EXPECT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
  }
}

}  // namespace
}  // namespace mx::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // The ops that have GPU kernels head the report of GPU checks, so that
  // kernels no case reached show up (tools/gpu/device_check.sh).
  if (const char* report = std::getenv("MX_OP_GPU_REPORT")) {
    std::ofstream out(report, std::ios::app);
    for (const std::string& op : mx::OpRegistry::Global().Names()) {
      if (!mx::KernelRegistry::Global()
               .Variants(op, mx::DeviceType::kGPU)
               .empty()) {
        out << op << "\t*\tgpu-kernel\t-\n";
      }
    }
  }
  for (const mx::testing::OpCase& c : mx::testing::AllOpCases()) {
    ::testing::RegisterTest(
        "OpCase", c.name.c_str(), nullptr, c.op.c_str(), __FILE__, __LINE__,
        [&c]() -> ::testing::Test* { return new mx::testing::OpCaseTest(&c); });
  }
  return RUN_ALL_TESTS();
}
