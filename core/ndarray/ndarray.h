// NDArray: an n-dimensional array on a device. Every operation is pushed to the
// engine and returns at once; reading from the host (ToVector, SyncCopyToHost,
// Wait*) waits for the operations it depends on. Copies of an NDArray share
// memory (a handle, as in MXNet); views (Reshape, Slice) share it too.
#ifndef MX_CORE_NDARRAY_NDARRAY_H_
#define MX_CORE_NDARRAY_NDARRAY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/base/context.h"
#include "core/base/dtype.h"
#include "core/base/error.h"
#include "core/base/shape.h"
#include "core/engine/engine.h"
#include "core/storage/storage.h"

namespace mx {

class NDArray {
 public:
  // A "none" array: no shape, no memory (what an absent gradient or a saved
  // empty record is).
  NDArray() = default;
  // An uninitialized array of `shape` on `ctx`.
  explicit NDArray(const Shape& shape, Context ctx = Context::CPU(),
                   DType dtype = DType::kFloat32);

  // Uninitialized / all zeros / all ones / all `value`.
  static NDArray Empty(const Shape& shape, Context ctx = Context::CPU(),
                       DType dtype = DType::kFloat32);
  static NDArray Zeros(const Shape& shape, Context ctx = Context::CPU(),
                       DType dtype = DType::kFloat32);
  static NDArray Ones(const Shape& shape, Context ctx = Context::CPU(),
                      DType dtype = DType::kFloat32);
  static NDArray Full(const Shape& shape, double value,
                      Context ctx = Context::CPU(),
                      DType dtype = DType::kFloat32);
  // An array holding a copy of `values` (C order); mx::Error if the sizes
  // differ.
  template <typename T>
  static NDArray FromVector(const std::vector<T>& values, const Shape& shape,
                            Context ctx = Context::CPU());

  // True for the "none" array.
  bool is_none() const { return chunk_ == nullptr; }
  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  Context context() const;
  // Element count.
  int64_t Size() const { return shape_.Size(); }
  // Bytes of the elements.
  size_t Bytes() const;
  // The engine variable guarding this array's memory (shared by its views).
  VarHandle var() const;
  // Address of the first element. Valid to dereference only inside an engine
  // function that lists var(), or after the matching wait.
  void* RawData() const;
  // Typed address of the first element; mx::Error when T does not match
  // dtype().
  template <typename T>
  T* Data() const;
  // True when both share memory (same storage chunk).
  bool SharesMemoryWith(const NDArray& other) const {
    return chunk_ != nullptr && chunk_ == other.chunk_;
  }

  // Waits until every pushed write to this array finished; re-throws an error
  // raised by one.
  void WaitToRead() const;
  // Waits until every pushed read and write finished (the host may then write
  // it).
  void WaitToWrite() const;
  // Same as WaitToRead.
  void Wait() const { WaitToRead(); }

  // Blocking copies between this array and host memory; `bytes` must equal
  // Bytes().
  void SyncCopyFromHost(const void* data, size_t bytes) const;
  void SyncCopyToHost(void* data, size_t bytes) const;
  // The elements as a host vector (waits); mx::Error when T does not match
  // dtype().
  template <typename T>
  std::vector<T> ToVector() const;
  // The elements converted to float32, as a host vector (waits); no
  // intermediate array when they already are float32.
  std::vector<float> ToFloatVector() const;
  // The single element of a one-element array, converted to double (waits).
  double ToScalar() const;

  // Pushes a copy into `dst` (same shape; converts the element type if they
  // differ).
  void CopyTo(NDArray* dst) const;
  // A new array on `ctx` holding a copy.
  NDArray CopyTo(Context ctx) const;
  // A new array of element type `dtype` holding converted values.
  NDArray AsType(DType dtype) const;
  // Sets every element to `value` (pushed).
  NDArray& Fill(double value);

  // A view with another shape of the same size; one extent may be -1
  // (inferred).
  NDArray Reshape(const Shape& shape) const;
  NDArray Reshape(const std::vector<int64_t>& dims) const;
  // A view of rows [begin, end) along axis 0.
  NDArray Slice(int64_t begin, int64_t end) const;
  // A view of row `index` along axis 0, with one dimension less.
  NDArray At(int64_t index) const;
  // A view of this array's leading bytes as `shape` of `dtype` (how the
  // executor carves planned memory blocks); mx::Error when it does not fit.
  NDArray ViewAs(const Shape& shape, DType dtype) const;

  // In-place arithmetic (pushed); shapes must match exactly.
  NDArray& operator+=(const NDArray& rhs);
  NDArray& operator-=(const NDArray& rhs);
  NDArray& operator*=(const NDArray& rhs);
  NDArray& operator/=(const NDArray& rhs);
  NDArray& operator+=(double s);
  NDArray& operator-=(double s);
  NDArray& operator*=(double s);
  NDArray& operator/=(double s);

  // "NDArray(2,3) float32 @cpu(0)" or "NDArray(none)".
  std::string Describe() const;

 private:
  struct Chunk;
  friend struct NDArrayAccess;

  std::shared_ptr<Chunk> chunk_;
  Shape shape_;
  DType dtype_ = DType::kFloat32;
  size_t byte_offset_ = 0;
};

// New arrays from elementwise arithmetic (same shape required; both on one
// device).
NDArray operator+(const NDArray& a, const NDArray& b);
NDArray operator-(const NDArray& a, const NDArray& b);
NDArray operator*(const NDArray& a, const NDArray& b);
NDArray operator/(const NDArray& a, const NDArray& b);
NDArray operator+(const NDArray& a, double s);
NDArray operator-(const NDArray& a, double s);
NDArray operator*(const NDArray& a, double s);
NDArray operator/(const NDArray& a, double s);
NDArray operator+(double s, const NDArray& a);
NDArray operator-(double s, const NDArray& a);
NDArray operator*(double s, const NDArray& a);
NDArray operator/(double s, const NDArray& a);
NDArray operator-(const NDArray& a);

// Elementwise functions, as new arrays.
NDArray Negate(const NDArray& a);
NDArray Abs(const NDArray& a);
NDArray Sqrt(const NDArray& a);
NDArray Square(const NDArray& a);
NDArray Exp(const NDArray& a);
NDArray Log(const NDArray& a);

// Reductions over all elements, as 0-d arrays of the same element type.
NDArray Sum(const NDArray& a);
NDArray Mean(const NDArray& a);
NDArray Max(const NDArray& a);

// Matrix product of 2-D arrays (m,k)x(k,n) -> (m,n) through BLAS gemm (float32
// and float64); the transpose flags use a's / b's transpose.
NDArray Dot(const NDArray& a, const NDArray& b, bool transpose_a = false,
            bool transpose_b = false);

// Seeds the random generator of `ctx` (pushed, so it orders with random draws
// already pushed).
void RandomSeed(uint64_t seed, Context ctx = Context::CPU());
// The full state of `ctx`'s generator as text, after pending draws (for
// checkpoints that resume exactly), and its restoration (pushed); mx::Error
// for text that is not such a state.
std::string RandomState(Context ctx = Context::CPU());
void SetRandomState(const std::string& state, Context ctx = Context::CPU());
// The generator of `ctx` and the engine variable that orders its users: a
// pushed function that draws from `engine` must list `var` as written.
struct RandomResource {
  std::mt19937_64* engine = nullptr;
  VarHandle var = nullptr;
};
RandomResource GetRandomResource(Context ctx = Context::CPU());
// Float32 arrays of uniform [low, high) / normal(mean, stddev) draws; the same
// seed gives the same numbers.
NDArray RandomUniform(float low, float high, const Shape& shape,
                      Context ctx = Context::CPU());
NDArray RandomNormal(float mean, float stddev, const Shape& shape,
                     Context ctx = Context::CPU());
// The draws behind them: n values into out from `e` (random sampling ops
// use them too, so an op and an array function give the same numbers).
void FillUniform(std::mt19937_64& e, float* out, int64_t n, float low,
                 float high);
void FillNormal(std::mt19937_64& e, float* out, int64_t n, float mean,
                float stddev);

// ----- templates -----

template <typename T>
NDArray NDArray::FromVector(const std::vector<T>& values, const Shape& shape,
                            Context ctx) {
  NDArray out(shape, ctx, DTypeOf<T>::kValue);
  MX_CHECK(static_cast<int64_t>(values.size()) == out.Size(),
           "FromVector: ", values.size(), " values for shape ", shape, " (",
           out.Size(), " elements)");
  out.SyncCopyFromHost(values.data(), values.size() * sizeof(T));
  return out;
}

template <typename T>
T* NDArray::Data() const {
  MX_CHECK(!is_none() && dtype_ == DTypeOf<T>::kValue, "NDArray ", Describe(),
           ": element type ", DTypeOf<T>::kValue, " requested");
  return static_cast<T*>(RawData());
}

template <typename T>
std::vector<T> NDArray::ToVector() const {
  MX_CHECK(!is_none(), "ToVector of a none NDArray");
  MX_CHECK(dtype_ == DTypeOf<T>::kValue, "ToVector<", DTypeOf<T>::kValue,
           "> of NDArray ", Describe(), "; use AsType first");
  std::vector<T> out(static_cast<size_t>(Size()));
  SyncCopyToHost(out.data(), out.size() * sizeof(T));
  return out;
}

}  // namespace mx

#endif  // MX_CORE_NDARRAY_NDARRAY_H_
