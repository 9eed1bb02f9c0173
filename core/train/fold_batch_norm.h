// Inference graphs with BatchNorm folded into the convolutions before it
// (Note [BatchNorm folding] in docs/design_notes.md).
#ifndef MX_CORE_TRAIN_FOLD_BATCH_NORM_H_
#define MX_CORE_TRAIN_FOLD_BATCH_NORM_H_

#include "core/symbol/symbol.h"
#include "core/train/checkpoint.h"

namespace mx {

// For inference: every BatchNorm over channels (axis 1) whose data is a
// Convolution (NCHW) read by nothing else, with float32 parameters in
// `model`, becomes part of that convolution: its weights scaled by gamma /
// sqrt(moving_var + eps) per filter, its bias (added when it had none,
// "<conv>_bias") set to (bias - moving_mean) * that scale + beta, the
// BatchNorm removed. Other layers are kept as they are. Replaces
// model->symbol and the changed arguments; returns how many BatchNorms were
// folded. Outputs equal the unfolded model's in inference, up to rounding.
int FoldBatchNorm(Checkpoint* model);

}  // namespace mx

#endif  // MX_CORE_TRAIN_FOLD_BATCH_NORM_H_
