// Optimizers with MXNet's update rules and parameter names: sgd (momentum),
// nag, adam, adagrad, rmsprop. Every update of one parameter is one engine
// function reading the gradient and writing the weight and its state, so
// updates overlap with the rest of the step and need no wait.
#ifndef MX_CORE_TRAIN_OPTIMIZER_H_
#define MX_CORE_TRAIN_OPTIMIZER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/ndarray/ndarray.h"
#include "core/op/param.h"
#include "core/train/update_rules.h"

namespace mx {

// What every optimizer takes (MXNet's Optimizer arguments).
struct OptimizerCommon {
  double learning_rate = 0.01;
  double wd = 0;
  // Gradients are multiplied by this first (typically 1 / batch size).
  double rescale_grad = 1;
  // Clip rescaled gradients to [-c, c]; <= 0: no clipping.
  double clip_gradient = -1;
  // Scale all rescaled gradients of a step together so that their global L2
  // norm is at most this; <= 0: no clipping. Applied by the Trainer (it
  // needs every gradient: UpdateStep::grad_scale), before clip_gradient.
  double clip_global_norm = 0;
};

// One parameter's update: the rate and decay already include its
// multipliers; `t` counts this parameter's updates, from 1.
struct UpdateStep {
  float lr = 0, wd = 0;
  int64_t t = 1;
  // Multiplies the rescaled gradient (global-norm clipping), before
  // clip_gradient.
  float grad_scale = 1;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // "sgd", "nag", "adam", "adagrad", "rmsprop" with their parameters
  // (learning_rate, wd, rescale_grad, clip_gradient and each one's own, e.g.
  // momentum, beta1); mx::Error naming the optimizer and the parameter.
  static std::unique_ptr<Optimizer> Create(const std::string& name,
                                           const AttrDict& params);
  // The names Create knows.
  static std::vector<std::string> Names();
  // The parameters of optimizer `name` (any case), as Create parses them;
  // mx::Error for an unknown name.
  static const ParamSchema& Schema(const std::string& name);

  const std::string& name() const { return name_; }
  const OptimizerCommon& common() const { return common_; }
  // The state arrays one parameter needs (zeros, the weight's shape), e.g.
  // the momentum; empty for plain SGD.
  virtual int NumStates() const = 0;
  std::vector<NDArray> CreateState(const NDArray& weight) const;
  // Pushes weight <- update(weight, grad, state): float32, on the CPU or in
  // one fused CUDA kernel on the weight's GPU; mx::Error naming the
  // parameter for other types, mismatched shapes or devices. The
  // optimizer must outlive the pushed update (wait before destroying it).
  void Update(const std::string& param, const UpdateStep& step,
              const NDArray& weight, const NDArray& grad,
              const std::vector<NDArray>& state) const;

 protected:
  explicit Optimizer(const OptimizerCommon& common) : common_(common) {}

  // The element-wise rule of one update (core/train/update_rules.h).
  virtual UpdateRule Rule(const UpdateStep& step) const = 0;
  std::string name_;
  OptimizerCommon common_;
};

}  // namespace mx

#endif  // MX_CORE_TRAIN_OPTIMIZER_H_
