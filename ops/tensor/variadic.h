// Parameters and input names of ops taking a variable number of inputs
// (Concat, add_n): the inputs are arg0, arg1, ... counted by num_args.
#ifndef MX_OPS_TENSOR_VARIADIC_H_
#define MX_OPS_TENSOR_VARIADIC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/op/param.h"

namespace mx {
namespace ops {

// "arg0" ... "arg{n-1}".
std::vector<std::string> VariadicInputNames(int64_t n);

struct ConcatParam {
  int64_t num_args = 0;
  int64_t dim = 1;

  static void Declare(ParamDeclarer<ConcatParam>* d) {
    d->Field("num_args", &ConcatParam::num_args)
        .Required()
        .Min(1)
        .Doc("Number of inputs (set from the inputs given).");
    d->Field("dim", &ConcatParam::dim)
        .Default(1)
        .Doc("Axis to concatenate along (negative counts from the end).");
  }
};

struct AddNParam {
  int64_t num_args = 0;

  static void Declare(ParamDeclarer<AddNParam>* d) {
    d->Field("num_args", &AddNParam::num_args)
        .Required()
        .Min(1)
        .Doc("Number of inputs (set from the inputs given).");
  }
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_TENSOR_VARIADIC_H_
