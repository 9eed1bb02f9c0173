// The ONNX protobuf classes, checker and shape inference from Debian's
// libonnx-dev (built with ONNX_ML=1, namespace onnx; third_party:onnx sets
// both). Include this instead of the onnx headers directly.
#ifndef MX_INTEROP_ONNX_ONNX_PROTO_H_
#define MX_INTEROP_ONNX_ONNX_PROTO_H_

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

namespace onnx {
namespace checker {
// Defined and exported by libonnx 1.12 (check_model(path) calls it after
// setting the model's folder) but not declared in its headers: the checker
// with a context, so that external data is looked for next to the model.
void check_model(const ModelProto& model, CheckerContext& ctx);
}  // namespace checker
}  // namespace onnx

#endif  // MX_INTEROP_ONNX_ONNX_PROTO_H_
