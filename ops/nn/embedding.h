// Embedding: looks up rows of a weight table by integer index (MXNet's
// Embedding).
#ifndef MX_OPS_NN_EMBEDDING_H_
#define MX_OPS_NN_EMBEDDING_H_

#include <cstdint>
#include <string>

#include "core/op/param.h"

namespace mx {
namespace ops {

struct EmbeddingParam {
  int64_t input_dim = 0;
  int64_t output_dim = 0;
  std::string dtype = "float32";
  bool sparse_grad = false;

  static void Declare(ParamDeclarer<EmbeddingParam>* d) {
    d->Field("input_dim", &EmbeddingParam::input_dim)
        .Required()
        .Min(1)
        .Doc("Number of rows: indices are in [0, input_dim).");
    d->Field("output_dim", &EmbeddingParam::output_dim)
        .Required()
        .Min(1)
        .Doc("Length of each embedding vector.");
    d->Field("dtype", &EmbeddingParam::dtype)
        .Default("float32")
        .Enum({"float32", "float64", "float16", "uint8", "int32", "int8",
               "int64"})
        .Doc("Type of the weight and the output.");
    d->Field("sparse_grad", &EmbeddingParam::sparse_grad)
        .Default(false)
        .Doc("Accepted for compatibility; gradients are dense.");
  }
};

}  // namespace ops
}  // namespace mx

#endif  // MX_OPS_NN_EMBEDDING_H_
