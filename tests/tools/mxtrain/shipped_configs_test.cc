// The configs users start from: each one builds (`mxtrain summary` infers every
// shape) and has the parameter count of its PyTorch twin in
// tools/bench/torch_zoo.py, so the zoo benchmark compares the same networks;
// a config added to configs/ without an entry here fails.
#include <dirent.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "tests/testing/command.h"

namespace {

using ::mx::testing::RunCommand;

// Config name -> parameters (PyTorch's sum of numel over the twin's
// parameters, frozen BatchNorm gammas included).
const std::map<std::string, long long>& Expected() {
  static const auto* expected = new std::map<std::string, long long>{
      {"fashion_mlp", 109386},       {"fashion_lenet", 431080},
      {"fashion_resnet", 28410},     {"fashion_vgg", 870634},
      {"fashion_mobilenet", 136202}, {"fashion_inception", 32682},
      {"fashion_resnet20", 272186},  {"fashion_transformer", 71370},
      {"fashion_lstm", 82186},
  };
  return *expected;
}

TEST(ShippedConfigs, EachBuildsWithItsTwinsParameterCount) {
  for (const auto& [name, params] : Expected()) {
    SCOPED_TRACE(name);
    const auto r = RunCommand("tools/mxtrain/mxtrain",
                              "summary --config configs/" + name + ".yaml");
    ASSERT_EQ(r.code, 0) << r.output;
    EXPECT_NE(r.output.find("parameters: " + std::to_string(params) + " "),
              std::string::npos)
        << r.output;
  }
}

TEST(ShippedConfigs, EveryConfigIsChecked) {
  DIR* dir = ::opendir("configs");
  ASSERT_NE(dir, nullptr);
  std::set<std::string> found;
  while (const dirent* e = ::readdir(dir)) {
    const std::string file = e->d_name;
    const std::string suffix = ".yaml";
    if (file.size() > suffix.size() &&
        file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0) {
      found.insert(file.substr(0, file.size() - suffix.size()));
    }
  }
  ::closedir(dir);
  for (const std::string& name : found) {
    EXPECT_EQ(Expected().count(name), 1u)
        << "configs/" << name << ".yaml has no entry in this test";
  }
  EXPECT_EQ(found.size(), Expected().size());
}

}  // namespace
