// The ONNX protobuf classes, checker and shape inference from Debian's
// libonnx-dev (built with ONNX_ML=1, namespace onnx; third_party:onnx sets
// both). Include this instead of the onnx headers directly.
#ifndef MX_INTEROP_ONNX_ONNX_PROTO_H_
#define MX_INTEROP_ONNX_ONNX_PROTO_H_

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#endif  // MX_INTEROP_ONNX_ONNX_PROTO_H_
