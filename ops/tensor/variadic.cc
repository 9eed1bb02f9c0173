#include "ops/tensor/variadic.h"

namespace mx {
namespace ops {

std::vector<std::string> VariadicInputNames(int64_t n) {
  std::vector<std::string> names;
  for (int64_t i = 0; i < n; ++i) names.push_back("arg" + std::to_string(i));
  return names;
}

}  // namespace ops
}  // namespace mx
