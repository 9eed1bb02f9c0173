// docs/ops.md is what the registry generates (regenerate with
// `bazel run //tools/opdoc > docs/ops.md` after changing an op).
#include "ops/op_doc.h"

#include <gtest/gtest.h>

#include "core/base/file_util.h"

namespace mx {
namespace {

TEST(OpDoc, DocsMatchTheRegistry) {
  const std::string generated = ops::OpsMarkdown();
  EXPECT_NE(generated.find("## FullyConnected"), std::string::npos);
  EXPECT_NE(generated.find("| num_hidden | int | required | value >= 1 |"),
            std::string::npos);
  EXPECT_EQ(ReadFile("docs/ops.md"), generated)
      << "docs/ops.md is stale: run bazel run //tools/opdoc > docs/ops.md";
}

}  // namespace
}  // namespace mx
