// What the ops' fusion declarations share (OpDef::FusesWith, Note [Op
// fusion] in docs/design_notes.md).
#ifndef MX_OPS_COMMON_FUSION_H_
#define MX_OPS_COMMON_FUSION_H_

#include "core/op/op.h"

namespace mx {
namespace ops {

// Whether an Activation node is a ReLU (act_type is required and parsed, so
// its text is one of the enum's values).
inline bool IsReluActivation(const NodeAttrs& activation) {
  const auto it = activation.dict.find("act_type");
  return it != activation.dict.end() && it->second == "relu";
}

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_COMMON_FUSION_H_
