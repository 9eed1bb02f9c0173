#include "interop/onnx/host_tensor.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"

namespace mx {
namespace onnx_io {
namespace {

using onnx::TensorProto;

// Bytes per element of the types read from raw_data.
int64_t ElementBytes(int type) {
  switch (type) {
    case TensorProto::FLOAT:
    case TensorProto::INT32:
    case TensorProto::UINT32:
      return 4;
    case TensorProto::DOUBLE:
    case TensorProto::INT64:
    case TensorProto::UINT64:
      return 8;
    case TensorProto::FLOAT16:
    case TensorProto::INT16:
    case TensorProto::UINT16:
    case TensorProto::BFLOAT16:
      return 2;
    case TensorProto::UINT8:
    case TensorProto::INT8:
    case TensorProto::BOOL:
      return 1;
    default:
      return 0;
  }
}

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

double BFloat16ToDouble(uint16_t bits) {
  const uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &wide, 4);
  return f;
}

double HalfBitsToDouble(uint16_t bits) {
  Half h;
  h.bits = bits;
  return HalfToFloat(h);
}

// Element i of little-endian raw bytes of `type`.
double RawElement(const char* p, int type) {
  switch (type) {
    case TensorProto::FLOAT:
      return Load<float>(p);
    case TensorProto::DOUBLE:
      return Load<double>(p);
    case TensorProto::INT32:
      return Load<int32_t>(p);
    case TensorProto::UINT32:
      return Load<uint32_t>(p);
    case TensorProto::INT64:
      return static_cast<double>(Load<int64_t>(p));
    case TensorProto::UINT64:
      return static_cast<double>(Load<uint64_t>(p));
    case TensorProto::INT16:
      return Load<int16_t>(p);
    case TensorProto::UINT16:
      return Load<uint16_t>(p);
    case TensorProto::FLOAT16:
      return HalfBitsToDouble(Load<uint16_t>(p));
    case TensorProto::BFLOAT16:
      return BFloat16ToDouble(Load<uint16_t>(p));
    case TensorProto::INT8:
      return Load<int8_t>(p);
    case TensorProto::UINT8:
      return Load<uint8_t>(p);
    case TensorProto::BOOL:
      return Load<uint8_t>(p) != 0 ? 1 : 0;
  }
  return 0;
}

// The bytes of an external-data tensor: `location` (relative to the model's
// folder, never leaving it), `offset`, `length`.
std::string ReadExternal(const TensorProto& t, const std::string& base_dir,
                         int64_t want, const std::string& what) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : t.external_data()) {
    try {
      if (kv.key() == "location") {
        location = kv.value();
      } else if (kv.key() == "offset") {
        offset = std::stoll(kv.value());
      } else if (kv.key() == "length") {
        length = std::stoll(kv.value());
      }
    } catch (const std::exception&) {
      MX_THROW(what, ": external data '", kv.key(), "' is '", kv.value(),
               "', expected a number");
    }
  }
  MX_CHECK(!location.empty(), what,
           ": external data without a 'location' entry");
  MX_CHECK(location[0] != '/' && location.find("..") == std::string::npos, what,
           ": external data location '", location,
           "' must be a relative path inside the model's folder");
  MX_CHECK(offset >= 0 && length >= -1, what, ": external data offset ", offset,
           " / length ", length, " must not be negative");
  if (length < 0) length = want;
  MX_CHECK(length == want, what, ": external data length ", length,
           " bytes, but the tensor's dims need ", want);
  const std::string path =
      base_dir.empty() ? location : base_dir + "/" + location;
  MX_CHECK(FileExists(path), what, ": its external data file '", path,
           "' does not exist");
  const std::string bytes = ReadFile(path, offset + length);
  MX_CHECK(static_cast<int64_t>(bytes.size()) >= offset + length, what,
           ": external data file '", path, "' has ", bytes.size(),
           " bytes, the tensor needs bytes ", offset, "..", offset + length);
  return bytes.substr(offset, length);
}

// Element i of `t` as a T (int64 saturating, float16 rounded).
template <typename T>
T Narrow(const HostTensor& t, int64_t i) {
  return static_cast<T>(t.values[i]);
}
template <>
int64_t Narrow<int64_t>(const HostTensor& t, int64_t i) {
  return t.AsInt64(i);
}
template <>
Half Narrow<Half>(const HostTensor& t, int64_t i) {
  return FloatToHalf(static_cast<float>(t.values[i]));
}

template <typename T>
double Widen(T v) {
  return static_cast<double>(v);
}
double Widen(Half v) { return HalfToFloat(v); }

}  // namespace

int64_t HostTensor::AsInt64(int64_t i) const {
  const double v = values.at(i);
  if (std::isnan(v)) return 0;
  if (v >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
  if (v <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

std::vector<int64_t> HostTensor::Int64s() const {
  std::vector<int64_t> out(values.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = AsInt64(i);
  return out;
}

bool HostTensor::IsInteger() const {
  return type != TensorProto::FLOAT && type != TensorProto::DOUBLE &&
         type != TensorProto::FLOAT16 && type != TensorProto::BFLOAT16;
}

std::string TypeName(int t) {
  switch (t) {
    case TensorProto::FLOAT:
      return "float32";
    case TensorProto::DOUBLE:
      return "float64";
    case TensorProto::FLOAT16:
      return "float16";
    case TensorProto::BFLOAT16:
      return "bfloat16";
    case TensorProto::INT8:
      return "int8";
    case TensorProto::UINT8:
      return "uint8";
    case TensorProto::INT16:
      return "int16";
    case TensorProto::UINT16:
      return "uint16";
    case TensorProto::INT32:
      return "int32";
    case TensorProto::UINT32:
      return "uint32";
    case TensorProto::INT64:
      return "int64";
    case TensorProto::UINT64:
      return "uint64";
    case TensorProto::BOOL:
      return "bool";
    case TensorProto::STRING:
      return "string";
  }
  if (TensorProto::DataType_IsValid(t)) {
    return ToLower(
        TensorProto::DataType_Name(static_cast<TensorProto::DataType>(t)));
  }
  return StrCat("type ", t);
}

// ONNX's element types and mx's DTypes, one to one.
constexpr std::pair<int, DType> kTypePairs[] = {
    {TensorProto::FLOAT, DType::kFloat32},
    {TensorProto::DOUBLE, DType::kFloat64},
    {TensorProto::FLOAT16, DType::kFloat16},
    {TensorProto::UINT8, DType::kUint8},
    {TensorProto::INT8, DType::kInt8},
    {TensorProto::INT32, DType::kInt32},
    {TensorProto::INT64, DType::kInt64}};

DType ToMxType(int t, const std::string& what) {
  for (const auto& [onnx_type, dtype] : kTypePairs) {
    if (onnx_type == t) return dtype;
  }
  MX_THROW(what, ": element type ", TypeName(t),
           " is not supported (mx holds float32, float64, float16, uint8, "
           "int8, int32 and int64)");
}

int ToOnnxType(DType d) {
  for (const auto& [onnx_type, dtype] : kTypePairs) {
    if (dtype == d) return onnx_type;
  }
  return TensorProto::UNDEFINED;
}

HostTensor Transposed2D(const HostTensor& t) {
  HostTensor out = t;
  const int64_t r = t.dims.at(0), k = t.dims.at(1);
  out.dims = {k, r};
  for (int64_t i = 0; i < r; ++i) {
    for (int64_t j = 0; j < k; ++j) out.values[j * r + i] = t.values[i * k + j];
  }
  return out;
}

std::string FirstLine(const std::string& s) {
  const size_t nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

int64_t CheckedCount(const std::vector<int64_t>& dims,
                     const std::string& what) {
  int64_t n = 1;
  for (int64_t d : dims) {
    MX_CHECK(d >= 0, what, ": negative extent ", d, " in dims ",
             PythonTuple(dims));
    MX_CHECK(d == 0 || n <= std::numeric_limits<int64_t>::max() / d, what,
             ": dims ", PythonTuple(dims), " hold more than 2^63 elements");
    n *= d;
  }
  return n;
}

HostTensor FromProto(const TensorProto& t, const std::string& base_dir,
                     const std::string& what) {
  HostTensor out;
  out.type = t.data_type();
  out.dims.assign(t.dims().begin(), t.dims().end());
  const int64_t n = CheckedCount(out.dims, what);
  const int64_t bytes_per = ElementBytes(out.type);
  MX_CHECK(bytes_per > 0, what, ": element type ", TypeName(out.type),
           " is not supported");
  // Every path below reads n elements from data whose size is checked first,
  // so a huge n in the dims fails here instead of allocating.
  auto expect = [&](int64_t have, const char* field) {
    MX_CHECK(have == n, what, ": ", field, " holds ", have,
             " values, but dims ", PythonTuple(out.dims), " need ", n);
  };
  if (t.data_location() == TensorProto::EXTERNAL) {
    MX_CHECK(n <= std::numeric_limits<int64_t>::max() / bytes_per, what,
             ": too large");
    const std::string raw = ReadExternal(t, base_dir, n * bytes_per, what);
    out.values.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      out.values[i] = RawElement(raw.data() + i * bytes_per, out.type);
    }
    return out;
  }
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    MX_CHECK(static_cast<int64_t>(raw.size()) % bytes_per == 0, what,
             ": raw_data has ", raw.size(), " bytes, not a multiple of ",
             bytes_per, " (", TypeName(out.type), ")");
    expect(static_cast<int64_t>(raw.size()) / bytes_per, "raw_data");
    out.values.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      out.values[i] = RawElement(raw.data() + i * bytes_per, out.type);
    }
    return out;
  }
  switch (out.type) {
    case TensorProto::FLOAT:
      expect(t.float_data_size(), "float_data");
      out.values.assign(t.float_data().begin(), t.float_data().end());
      break;
    case TensorProto::DOUBLE:
      expect(t.double_data_size(), "double_data");
      out.values.assign(t.double_data().begin(), t.double_data().end());
      break;
    case TensorProto::INT64:
      expect(t.int64_data_size(), "int64_data");
      for (int64_t v : t.int64_data()) {
        out.values.push_back(static_cast<double>(v));
      }
      break;
    case TensorProto::UINT32:
    case TensorProto::UINT64:
      expect(t.uint64_data_size(), "uint64_data");
      for (uint64_t v : t.uint64_data()) {
        out.values.push_back(static_cast<double>(v));
      }
      break;
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16:
      expect(t.int32_data_size(), "int32_data");
      for (int32_t v : t.int32_data()) {
        const auto bits = static_cast<uint16_t>(v);
        out.values.push_back(out.type == TensorProto::FLOAT16
                                 ? HalfBitsToDouble(bits)
                                 : BFloat16ToDouble(bits));
      }
      break;
    default:  // int32, int16, int8, uint16, uint8, bool
      expect(t.int32_data_size(), "int32_data");
      for (int32_t v : t.int32_data()) {
        out.values.push_back(out.type == TensorProto::BOOL ? (v != 0) : v);
      }
  }
  return out;
}

TensorProto ToProto(const HostTensor& t, const std::string& name) {
  TensorProto p;
  p.set_name(name);
  p.set_data_type(t.type);
  for (int64_t d : t.dims) p.add_dims(d);
  std::string raw;
  const int64_t n = t.size();
  auto put = [&](auto v) {
    const char* b = reinterpret_cast<const char*>(&v);
    raw.append(b, sizeof(v));
  };
  for (int64_t i = 0; i < n; ++i) {
    const double v = t.values[i];
    switch (t.type) {
      case TensorProto::FLOAT:
        put(static_cast<float>(v));
        break;
      case TensorProto::DOUBLE:
        put(v);
        break;
      case TensorProto::FLOAT16:
        put(FloatToHalf(static_cast<float>(v)));
        break;
      case TensorProto::INT64:
        put(t.AsInt64(i));
        break;
      case TensorProto::INT32:
        put(static_cast<int32_t>(v));
        break;
      case TensorProto::INT8:
        put(static_cast<int8_t>(v));
        break;
      case TensorProto::UINT8:
      case TensorProto::BOOL:
        put(static_cast<uint8_t>(v));
        break;
      default:
        MX_THROW("tensor '", name, "': cannot write element type ",
                 TypeName(t.type));
    }
  }
  p.set_raw_data(raw);
  return p;
}

NDArray ToNDArray(const HostTensor& t, const std::string& what) {
  const DType d = ToMxType(t.type, what);
  std::vector<int64_t> dims = t.dims;
  // mx has no 0-d arrays: a scalar becomes (1,), as MXNet's.
  if (dims.empty()) dims = {1};
  NDArray out;
  MX_DTYPE_SWITCH(d, T, {
    std::vector<T> v(t.values.size());
    for (size_t i = 0; i < v.size(); ++i) v[i] = Narrow<T>(t, i);
    out = NDArray::FromVector(v, Shape(dims));
  });
  return out;
}

HostTensor FromNDArray(const NDArray& a) {
  HostTensor t;
  t.type = ToOnnxType(a.dtype());
  t.dims = a.shape().dims();
  MX_DTYPE_SWITCH(a.dtype(), T, {
    for (const T& v : a.ToVector<T>()) t.values.push_back(Widen(v));
  });
  return t;
}

}  // namespace onnx_io
}  // namespace mx
