// Parameter initializers as MXNet's: the array's name picks what it gets
// (weights: the initializer's rule; bias, beta, moving_mean: 0; gamma,
// moving_var: 1), and a variable's __init__ attribute overrides it.
#ifndef MX_CORE_TRAIN_INITIALIZER_H_
#define MX_CORE_TRAIN_INITIALIZER_H_

#include <memory>
#include <string>
#include <vector>

#include "core/ndarray/ndarray.h"
#include "core/op/param.h"

namespace mx {

class Initializer {
 public:
  virtual ~Initializer() = default;

  // "xavier" (rnd_type uniform|gaussian, factor_type avg|in|out,
  // magnitude), "msra" (factor_type, slope), "uniform" (scale), "normal"
  // (sigma), "constant" (value), "zero", "one"; mx::Error naming the
  // initializer and the parameter.
  static std::unique_ptr<Initializer> Create(const std::string& name,
                                             const AttrDict& params = {});
  // The names Create knows.
  static std::vector<std::string> Names();
  // The parameters of initializer `name`, as Create parses them; mx::Error
  // for an unknown name.
  static const ParamSchema& Schema(const std::string& name);

  // Fills `array`, named `name` (e.g. "fc1_weight"), by its suffix; a
  // non-empty `init_attr` (MXNet's __init__, e.g. '["constant", {"value":
  // 0.5}]' or "zero") decides instead. Random draws use the engine's
  // generator (RandomSeed makes them reproducible). mx::Error naming the
  // array for a name no rule matches.
  void Init(const std::string& name, NDArray* array,
            const std::string& init_attr = "") const;

 protected:
  // Fills a weight (any array the suffix rules send to the initializer).
  virtual void InitWeight(const std::string& name, NDArray* array) const = 0;
};

}  // namespace mx

#endif  // MX_CORE_TRAIN_INITIALIZER_H_
