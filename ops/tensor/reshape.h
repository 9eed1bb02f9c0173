// Reshape with MXNet's special values in `shape`: 0 copies a dimension, -1
// infers one, -2 copies the rest, -3 merges two, -4 splits one (MXNet's
// Reshape, alias reshape).
#ifndef MX_OPS_TENSOR_RESHAPE_H_
#define MX_OPS_TENSOR_RESHAPE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/op/param.h"
#include "core/op/partial_shape.h"

namespace mx {
namespace ops {

struct ReshapeParam {
  std::vector<int64_t> shape;
  bool reverse = false;
  std::vector<int64_t> target_shape;
  bool keep_highest = false;

  static void Declare(ParamDeclarer<ReshapeParam>* d) {
    d->Field("shape", &ReshapeParam::shape)
        .Default({})
        .Min(-4)
        .Doc(
            "Target shape; 0 copies an input dim, -1 infers one dim, -2 "
            "copies the remaining dims, -3 merges two dims, -4 a b splits "
            "one dim into a x b (one of them may be -1).");
    d->Field("reverse", &ReshapeParam::reverse)
        .Default(false)
        .Doc("Apply the special values from right to left.");
    d->Field("target_shape", &ReshapeParam::target_shape)
        .Default({})
        .Min(0)
        .Doc("Deprecated: target shape where one 0 is inferred; use shape.");
    d->Field("keep_highest", &ReshapeParam::keep_highest)
        .Default(false)
        .Doc("Deprecated (with target_shape): keep the first dimension.");
    d->Check([](const ReshapeParam& p) -> std::string {
      if (p.shape.empty() && p.target_shape.empty()) {
        return "shape is required (e.g. shape=(0, -1))";
      }
      return "";
    });
  }
};

// The output shape of reshaping `in` by `p`; "" in *problem when fine.
// Unknown input extents give unknown output extents where they matter.
PartialShape ReshapeOutput(const ReshapeParam& p, const PartialShape& in,
                           std::string* problem);

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_TENSOR_RESHAPE_H_
