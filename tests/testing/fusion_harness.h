// The shared harness's check of fused graphs (Note [Op fusion]): a network
// bound with the executor's fusion pass on and off gives the same results.
#ifndef MX_TESTS_TESTING_FUSION_HARNESS_H_
#define MX_TESTS_TESTING_FUSION_HARNESS_H_

#include <map>
#include <string>
#include <vector>

#include "core/base/shape.h"
#include "core/symbol/symbol.h"

namespace mx::testing {

struct FusionCase {
  std::string name;
  Symbol net;
  // Shapes of the inputs; inference gives the rest.
  std::map<std::string, Shape> shapes;
  // The fused ops the pass must make of `net` (sorted; empty: none).
  std::vector<std::string> fused_ops;
  double tolerance = 1e-5;
};

// The ops the fusion pass makes of `net` on the CPU that `net` does not
// have, sorted (one entry per fused node).
std::vector<std::string> FusedOps(const Symbol& net);

// Checks that the pass makes c.fused_ops of c.net, and that c.net bound on
// the CPU with fusion (MX_FUSION=1) and without (MX_FUSION=0), on the same
// random arguments and auxiliary states, gives the same outputs, argument
// gradients and auxiliary states after a training forward and backward
// (random head gradients), then the same outputs in inference.
void CheckFusionCase(const FusionCase& c);

}  // namespace mx::testing

#endif  // MX_TESTS_TESTING_FUSION_HARNESS_H_
