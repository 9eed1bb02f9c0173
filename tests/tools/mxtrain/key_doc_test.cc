// docs/mxtrain.md's key tables are what the keys' declarations generate
// (regenerate with `bazel run //tools/mxtrain:keydoc` after changing a key).
#include <gtest/gtest.h>

#include "core/base/file_util.h"
#include "tools/mxtrain/run_keys.h"

namespace mx {
namespace {

TEST(KeyDocTest, DocsMatchTheDeclarations) {
  const std::string doc = ReadFile("docs/mxtrain.md");
  EXPECT_EQ(ReplaceKeyTables(doc), doc)
      << "docs/mxtrain.md is stale: run bazel run //tools/mxtrain:keydoc";
}

TEST(KeyDocTest, EveryTableIsMarked) {
  EXPECT_THROW(ReplaceKeyTables("no tables here\n"), Error);
}

}  // namespace
}  // namespace mx
