// Tensors held on the host while a model is converted: ONNX initializers and
// constants, and the values folded from them at import time (shapes, indices,
// scalars). Conversion to and from ONNX's TensorProto and mx's NDArray.
#ifndef MX_INTEROP_ONNX_HOST_TENSOR_H_
#define MX_INTEROP_ONNX_HOST_TENSOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/dtype.h"
#include "core/ndarray/ndarray.h"
#include "interop/onnx/onnx_proto.h"

namespace mx {
namespace onnx_io {

// Where an element of a folded shape vector came from: extent `axis` of the
// tensor named `tensor` (empty when the element is a plain number). Lets a
// Reshape of Shape(x)-derived sizes keep x's batch extent instead of the
// value the exporter happened to see.
struct DimSource {
  std::string tensor;
  int64_t axis = -1;
};

// A dense row-major tensor of any ONNX numeric type, values widened to double
// (exact for every int32 and for int64 up to 2^53; larger int64 values
// saturate when read back with AsInt64).
struct HostTensor {
  int type = onnx::TensorProto::FLOAT;  // ONNX TensorProto data type
  std::vector<int64_t> dims;
  std::vector<double> values;
  std::vector<DimSource> sources;  // empty, or one per value

  int64_t size() const { return static_cast<int64_t>(values.size()); }
  // Element i as an int64 (saturating at the int64 range).
  int64_t AsInt64(int64_t i) const;
  // All elements as int64.
  std::vector<int64_t> Int64s() const;
  bool IsInteger() const;
};

// "float32", "int64", ... for an ONNX data type (its enum name otherwise).
std::string TypeName(int onnx_type);
// mx's DType for an ONNX data type; mx::Error (from `what`) for types mx
// cannot hold in an NDArray (bool, string, complex, unsigned > 8 bits, ...).
DType ToMxType(int onnx_type, const std::string& what);
// ONNX's data type for an mx DType.
int ToOnnxType(DType dtype);

// The tensor's values. `base_dir` resolves external data (location relative
// to the model's folder); `what` names the tensor in errors. mx::Error for
// negative or overflowing dims, data whose size does not match the dims,
// unsupported types (string, complex), and external data that is missing,
// escapes the model's folder, or is shorter than the tensor.
HostTensor FromProto(const onnx::TensorProto& t, const std::string& base_dir,
                     const std::string& what);
// A TensorProto named `name` holding `t` (raw little-endian data).
onnx::TensorProto ToProto(const HostTensor& t, const std::string& name);

// An NDArray of the tensor's type (mx::Error for types mx lacks).
NDArray ToNDArray(const HostTensor& t, const std::string& what);
// The array's values on the host.
HostTensor FromNDArray(const NDArray& a);

// A 2-D tensor transposed.
HostTensor Transposed2D(const HostTensor& t);

// The first line of `s` (ONNX's checker writes several).
std::string FirstLine(const std::string& s);

// The number of elements of `dims`; mx::Error naming `what` for a negative
// extent or a product beyond int64.
int64_t CheckedCount(const std::vector<int64_t>& dims, const std::string& what);

}  // namespace onnx_io
}  // namespace mx

#endif  // MX_INTEROP_ONNX_HOST_TENSOR_H_
