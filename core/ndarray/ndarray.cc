#include "core/ndarray/ndarray.h"

#include <cstring>
#include <utility>

#include "core/gpu/gpu.h"
#include "core/ndarray/blas.h"
#include "core/ndarray/cpu_kernels.h"
#include "core/ndarray/gpu_kernels.h"

namespace mx {

// Memory and engine variable shared by an array and its views. The destructor
// hands both to the engine, which frees them after every pushed operation on
// the variable has finished.
struct NDArray::Chunk {
  Chunk(size_t bytes, Context c) : ctx(c) {
    handle = Storage::Get()->Alloc(bytes, ctx);
    var = Engine::Get()->NewVar();
  }
  ~Chunk() {
    const StorageHandle h = handle;
    Engine::Get()->DeleteVar(
        var, [h](RunContext) { Storage::Get()->Free(h); }, ctx);
  }
  Chunk(const Chunk&) = delete;
  Chunk& operator=(const Chunk&) = delete;

  Context ctx;
  StorageHandle handle;
  VarHandle var = nullptr;
};

namespace {

void CheckNotNone(const NDArray& a, const char* op, const char* arg) {
  MX_CHECK(!a.is_none(), op, ": ", arg,
           " is a none NDArray (no shape, no memory)");
}

// For operations without a GPU kernel yet.
void CheckHost(const NDArray& a, const char* op) {
  MX_CHECK(a.context().IsHost(), op, ": arrays on ", a.context(),
           " are not supported yet; copy to cpu() first");
}

// Float16 arithmetic runs on the host (computed in float32, stored as half);
// the GPU's elementwise kernels have no half path yet (caught here, not
// inside the kernel).
void CheckArithmetic(const NDArray& a, const char* op) {
  MX_CHECK(a.dtype() != DType::kFloat16 || a.context().IsHost(), op,
           ": float16 arithmetic on ", a.context(),
           " is not supported yet; compute on cpu() or convert with "
           "AsType(DType::kFloat32) first");
}

// Operands of one operation must live on one device, and match in shape and
// element type.
void CheckOperands(const char* op, const NDArray& a, const NDArray& b) {
  CheckNotNone(a, op, "lhs");
  CheckNotNone(b, op, "rhs");
  MX_CHECK(a.context() == b.context(), op,
           ": operands are on different devices: lhs on ", a.context(),
           ", rhs on ", b.context(), "; copy one with CopyTo(", a.context(),
           ") first");
  MX_CHECK(a.shape() == b.shape(), op, ": shape mismatch: lhs ", a.shape(),
           " vs rhs ", b.shape());
  MX_CHECK(a.dtype() == b.dtype(), op, ": element type mismatch: lhs ",
           a.dtype(), " vs rhs ", b.dtype(), "; convert one with AsType");
  CheckArithmetic(a, op);
}

// Elementwise work on arrays up to this size is a light function: done by
// the pushing thread when its arrays are free (Note [Light functions]).
constexpr int64_t kLightElements = 4096;

FnProperty PropFor(int64_t n) {
  return n <= kLightElements ? FnProperty::kLight : FnProperty::kNormal;
}

void PushBinary(cpu::BinaryOp op, const NDArray& a, const NDArray& b,
                const NDArray& out) {
  const void* pa = a.RawData();
  const void* pb = b.RawData();
  void* po = out.RawData();
  const int64_t n = a.Size();
  const DType dtype = a.dtype();
  Engine::Get()->PushSync(
      [=](RunContext rc) {
        if (rc.stream != nullptr) {
          cuda::Binary(op, dtype, pa, pb, po, n, rc.stream);
        } else {
          cpu::Binary(op, dtype, pa, pb, po, n);
        }
      },
      out.context(), {a.var(), b.var()}, {out.var()}, 0, cpu::OpName(op),
      PropFor(n));
}

void PushScalar(cpu::ScalarOp op, const NDArray& a, double s,
                const NDArray& out) {
  CheckNotNone(a, cpu::OpName(op), "lhs");
  CheckArithmetic(a, cpu::OpName(op));
  const void* pa = a.RawData();
  void* po = out.RawData();
  const int64_t n = a.Size();
  const DType dtype = a.dtype();
  Engine::Get()->PushSync(
      [=](RunContext rc) {
        if (rc.stream != nullptr) {
          cuda::Scalar(op, dtype, pa, s, po, n, rc.stream);
        } else {
          cpu::Scalar(op, dtype, pa, s, po, n);
        }
      },
      out.context(), {a.var()}, {out.var()}, 0, cpu::OpName(op), PropFor(n));
}

NDArray NewBinary(cpu::BinaryOp op, const NDArray& a, const NDArray& b) {
  CheckOperands(cpu::OpName(op), a, b);
  NDArray out(a.shape(), a.context(), a.dtype());
  PushBinary(op, a, b, out);
  return out;
}

NDArray NewScalar(cpu::ScalarOp op, const NDArray& a, double s) {
  CheckNotNone(a, cpu::OpName(op), "lhs");
  NDArray out(a.shape(), a.context(), a.dtype());
  PushScalar(op, a, s, out);
  return out;
}

NDArray NewUnary(cpu::UnaryOp op, const NDArray& a) {
  CheckNotNone(a, cpu::OpName(op), "data");
  CheckArithmetic(a, cpu::OpName(op));
  NDArray out(a.shape(), a.context(), a.dtype());
  const void* pa = a.RawData();
  void* po = out.RawData();
  const int64_t n = a.Size();
  const DType dtype = a.dtype();
  Engine::Get()->PushSync(
      [=](RunContext rc) {
        if (rc.stream != nullptr) {
          cuda::Unary(op, dtype, pa, po, n, rc.stream);
        } else {
          cpu::Unary(op, dtype, pa, po, n);
        }
      },
      a.context(), {a.var()}, {out.var()}, 0, cpu::OpName(op), PropFor(n));
  return out;
}

NDArray NewReduce(cpu::ReduceOp op, const NDArray& a) {
  CheckNotNone(a, cpu::OpName(op), "data");
  CheckArithmetic(a, cpu::OpName(op));
  NDArray out(Shape(), a.context(), a.dtype());
  const void* pa = a.RawData();
  void* po = out.RawData();
  const int64_t n = a.Size();
  const DType dtype = a.dtype();
  Engine::Get()->PushSync(
      [=](RunContext rc) {
        if (rc.stream != nullptr) {
          cuda::Reduce(op, dtype, pa, n, po, rc.stream);
        } else {
          cpu::Reduce(op, dtype, pa, n, po);
        }
      },
      a.context(), {a.var()}, {out.var()}, 0, cpu::OpName(op), PropFor(n));
  return out;
}

}  // namespace

NDArray::NDArray(const Shape& shape, Context ctx, DType dtype)
    : shape_(shape), dtype_(dtype) {
  const int64_t n = shape.Size();
  size_t bytes;
  MX_CHECK(
      !__builtin_mul_overflow(static_cast<size_t>(n), DTypeSize(dtype), &bytes),
      "NDArray of shape ", shape, " and type ", dtype, " is too large");
  chunk_ = std::make_shared<Chunk>(bytes, ctx);
}

NDArray NDArray::Empty(const Shape& shape, Context ctx, DType dtype) {
  return NDArray(shape, ctx, dtype);
}

NDArray NDArray::Zeros(const Shape& shape, Context ctx, DType dtype) {
  return Full(shape, 0.0, ctx, dtype);
}

NDArray NDArray::Ones(const Shape& shape, Context ctx, DType dtype) {
  return Full(shape, 1.0, ctx, dtype);
}

NDArray NDArray::Full(const Shape& shape, double value, Context ctx,
                      DType dtype) {
  NDArray out(shape, ctx, dtype);
  out.Fill(value);
  return out;
}

Context NDArray::context() const {
  return chunk_ ? chunk_->ctx : Context::CPU();
}

size_t NDArray::Bytes() const {
  return is_none() ? 0 : static_cast<size_t>(Size()) * DTypeSize(dtype_);
}

VarHandle NDArray::var() const {
  MX_CHECK(!is_none(), "var() of a none NDArray");
  return chunk_->var;
}

void* NDArray::RawData() const {
  if (is_none() || chunk_->handle.dptr == nullptr) return nullptr;
  return static_cast<char*>(chunk_->handle.dptr) + byte_offset_;
}

void NDArray::WaitToRead() const {
  if (!is_none()) Engine::Get()->WaitForVar(chunk_->var, false);
}

void NDArray::WaitToWrite() const {
  if (!is_none()) Engine::Get()->WaitForVar(chunk_->var, true);
}

void NDArray::SyncCopyFromHost(const void* data, size_t bytes) const {
  CheckNotNone(*this, "SyncCopyFromHost", "destination");
  MX_CHECK(bytes == Bytes(), "SyncCopyFromHost into ", Describe(), ": got ",
           bytes, " bytes, expected ", Bytes());
  // On the calling thread once pending work on the array is done: a copy
  // pushed to the engine would queue behind unrelated operations.
  WaitToWrite();
  if (bytes == 0) return;
  if (context().IsHost()) {
    std::memcpy(RawData(), data, bytes);
  } else {
    gpu::CopySync(RawData(), data, bytes, context().dev_id);
  }
}

void NDArray::SyncCopyToHost(void* data, size_t bytes) const {
  CheckNotNone(*this, "SyncCopyToHost", "source");
  MX_CHECK(bytes == Bytes(), "SyncCopyToHost from ", Describe(), ": got ",
           bytes, " bytes, expected ", Bytes());
  WaitToRead();
  if (bytes == 0) return;
  if (context().IsHost()) {
    std::memcpy(data, RawData(), bytes);
  } else {
    gpu::CopySync(data, RawData(), bytes, context().dev_id);
  }
}

double NDArray::ToScalar() const {
  CheckNotNone(*this, "ToScalar", "data");
  MX_CHECK(Size() == 1, "ToScalar of ", Describe(),
           ": expected exactly one element");
  double value = 0;
  if (!context().IsHost()) return CopyTo(Context::CPU()).ToScalar();
  WaitToRead();
  cpu::Cast(dtype_, RawData(), DType::kFloat64, &value, 1);
  return value;
}

void NDArray::CopyTo(NDArray* dst) const {
  CheckNotNone(*this, "CopyTo", "source");
  MX_CHECK(dst != nullptr && !dst->is_none(),
           "CopyTo: destination is a none NDArray");
  MX_CHECK(shape_ == dst->shape_, "CopyTo: shape mismatch: source ", shape_,
           " vs destination ", dst->shape_);
  if (SharesMemoryWith(*dst) && byte_offset_ == dst->byte_offset_ &&
      dtype_ == dst->dtype_) {
    return;  // copying onto itself
  }
  const Context from_ctx = context();
  const Context to_ctx = dst->context();
  const void* src = RawData();
  void* out = dst->RawData();
  const int64_t n = Size();
  const DType from = dtype_;
  const DType to = dst->dtype_;
  if (from_ctx.IsHost() && to_ctx.IsHost()) {
    Engine::Get()->PushSync(
        [=](RunContext) { cpu::Cast(from, src, to, out, n); }, to_ctx, {var()},
        {dst->var()}, 0, "CopyTo", PropFor(n));
    return;
  }
  if (from_ctx == to_ctx) {  // on one GPU
    Engine::Get()->PushSync(
        [=](RunContext rc) { cuda::Cast(from, src, to, out, n, rc.stream); },
        to_ctx, {var()}, {dst->var()}, 0, "CopyTo");
    return;
  }
  if (from != to) {  // between devices: copy, then convert on the target
    NDArray moved(shape_, to_ctx, from);
    CopyTo(&moved);
    moved.CopyTo(dst);
    return;
  }
  // Note [GPU streams and events]: host<->GPU copies run on the GPU's copy
  // queue; GPU->GPU copies on the source GPU's compute queue.
  const size_t bytes = Bytes();
  const Context run_on = from_ctx.IsHost() ? to_ctx : from_ctx;
  const FnProperty prop = from_ctx.IsHost() ? FnProperty::kCopyToGPU
                          : to_ctx.IsHost() ? FnProperty::kCopyFromGPU
                                            : FnProperty::kNormal;
  Engine::Get()->PushSync(
      [=](RunContext rc) { gpu::CopyAsync(out, src, bytes, rc.stream); },
      run_on, {var()}, {dst->var()}, 0, "CopyTo", prop);
}

NDArray NDArray::CopyTo(Context ctx) const {
  CheckNotNone(*this, "CopyTo", "source");
  NDArray out(shape_, ctx, dtype_);
  CopyTo(&out);
  return out;
}

NDArray NDArray::AsType(DType dtype) const {
  CheckNotNone(*this, "AsType", "source");
  NDArray out(shape_, context(), dtype);
  CopyTo(&out);
  return out;
}

std::vector<float> NDArray::ToFloatVector() const {
  if (dtype_ == DType::kFloat32) return ToVector<float>();
  return AsType(DType::kFloat32).ToVector<float>();
}

NDArray& NDArray::Fill(double value) {
  CheckNotNone(*this, "Fill", "destination");
  void* out = RawData();
  const int64_t n = Size();
  const DType dtype = dtype_;
  Engine::Get()->PushSync(
      [=](RunContext rc) {
        if (rc.stream != nullptr) {
          cuda::Fill(dtype, value, out, n, rc.stream);
        } else {
          cpu::Fill(dtype, value, out, n);
        }
      },
      context(), {}, {var()}, 0, "fill", PropFor(n));
  return *this;
}

NDArray NDArray::Reshape(const Shape& shape) const {
  return Reshape(shape.dims());
}

NDArray NDArray::Reshape(const std::vector<int64_t>& dims) const {
  CheckNotNone(*this, "Reshape", "data");
  std::vector<int64_t> out = dims;
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      MX_CHECK(infer < 0, "Reshape of ", Describe(),
               ": more than one -1 extent");
      infer = static_cast<int>(i);
    } else {
      MX_CHECK(out[i] >= 0, "Reshape of ", Describe(), ": extent ", out[i],
               " at dimension ", i, "; expected >= 0 or -1");
      MX_CHECK(!__builtin_mul_overflow(known, out[i], &known), "Reshape of ",
               Describe(), ": target size overflows int64");
    }
  }
  if (infer >= 0) {
    MX_CHECK(known > 0 && Size() % known == 0, "Reshape of ", Describe(),
             ": cannot infer the -1 extent (", Size(),
             " elements, other extents multiply to ", known, ")");
    out[infer] = Size() / known;
  }
  Shape target(std::move(out));
  MX_CHECK(target.Size() == Size(), "Reshape of ", Describe(), " to ", target,
           ": size mismatch (", Size(), " vs ", target.Size(), " elements)");
  NDArray view = *this;
  view.shape_ = target;
  return view;
}

NDArray NDArray::Slice(int64_t begin, int64_t end) const {
  CheckNotNone(*this, "Slice", "data");
  MX_CHECK(shape_.ndim() >= 1, "Slice of 0-d ", Describe(),
           ": expected at least one dimension");
  MX_CHECK(0 <= begin && begin <= end && end <= shape_[0], "Slice [", begin,
           ", ", end, ") of ", Describe(),
           ": expected 0 <= begin <= end <= ", shape_[0]);
  std::vector<int64_t> dims = shape_.dims();
  dims[0] = end - begin;
  NDArray view = *this;
  view.shape_ = Shape(std::move(dims));
  view.byte_offset_ +=
      static_cast<size_t>(begin * shape_.ProdRange(1, shape_.ndim())) *
      DTypeSize(dtype_);
  return view;
}

NDArray NDArray::ViewAs(const Shape& shape, DType dtype) const {
  CheckNotNone(*this, "ViewAs", "data");
  const size_t bytes = static_cast<size_t>(shape.Size()) * DTypeSize(dtype);
  MX_CHECK(bytes <= Bytes(), "ViewAs ", shape, " ", dtype, " of ", Describe(),
           ": needs ", bytes, " bytes, the array has ", Bytes());
  NDArray view = *this;
  view.shape_ = shape;
  view.dtype_ = dtype;
  return view;
}

NDArray NDArray::At(int64_t index) const {
  CheckNotNone(*this, "At", "data");
  MX_CHECK(shape_.ndim() >= 1 && index >= 0 && index < shape_[0], "At(", index,
           ") of ", Describe(), ": index out of range");
  std::vector<int64_t> dims(shape_.dims().begin() + 1, shape_.dims().end());
  return Slice(index, index + 1).Reshape(Shape(std::move(dims)));
}

NDArray& NDArray::operator+=(const NDArray& rhs) {
  CheckOperands("add", *this, rhs);
  PushBinary(cpu::BinaryOp::kAdd, *this, rhs, *this);
  return *this;
}
NDArray& NDArray::operator-=(const NDArray& rhs) {
  CheckOperands("sub", *this, rhs);
  PushBinary(cpu::BinaryOp::kSub, *this, rhs, *this);
  return *this;
}
NDArray& NDArray::operator*=(const NDArray& rhs) {
  CheckOperands("mul", *this, rhs);
  PushBinary(cpu::BinaryOp::kMul, *this, rhs, *this);
  return *this;
}
NDArray& NDArray::operator/=(const NDArray& rhs) {
  CheckOperands("div", *this, rhs);
  PushBinary(cpu::BinaryOp::kDiv, *this, rhs, *this);
  return *this;
}
NDArray& NDArray::operator+=(double s) {
  PushScalar(cpu::ScalarOp::kAdd, *this, s, *this);
  return *this;
}
NDArray& NDArray::operator-=(double s) {
  PushScalar(cpu::ScalarOp::kSub, *this, s, *this);
  return *this;
}
NDArray& NDArray::operator*=(double s) {
  PushScalar(cpu::ScalarOp::kMul, *this, s, *this);
  return *this;
}
NDArray& NDArray::operator/=(double s) {
  PushScalar(cpu::ScalarOp::kDiv, *this, s, *this);
  return *this;
}

std::string NDArray::Describe() const {
  if (is_none()) return "NDArray(none)";
  return StrCat("NDArray", shape_, " ", dtype_, " @", context());
}

NDArray operator+(const NDArray& a, const NDArray& b) {
  return NewBinary(cpu::BinaryOp::kAdd, a, b);
}
NDArray operator-(const NDArray& a, const NDArray& b) {
  return NewBinary(cpu::BinaryOp::kSub, a, b);
}
NDArray operator*(const NDArray& a, const NDArray& b) {
  return NewBinary(cpu::BinaryOp::kMul, a, b);
}
NDArray operator/(const NDArray& a, const NDArray& b) {
  return NewBinary(cpu::BinaryOp::kDiv, a, b);
}
NDArray operator+(const NDArray& a, double s) {
  return NewScalar(cpu::ScalarOp::kAdd, a, s);
}
NDArray operator-(const NDArray& a, double s) {
  return NewScalar(cpu::ScalarOp::kSub, a, s);
}
NDArray operator*(const NDArray& a, double s) {
  return NewScalar(cpu::ScalarOp::kMul, a, s);
}
NDArray operator/(const NDArray& a, double s) {
  return NewScalar(cpu::ScalarOp::kDiv, a, s);
}
NDArray operator+(double s, const NDArray& a) {
  return NewScalar(cpu::ScalarOp::kAdd, a, s);
}
NDArray operator-(double s, const NDArray& a) {
  return NewScalar(cpu::ScalarOp::kRSub, a, s);
}
NDArray operator*(double s, const NDArray& a) {
  return NewScalar(cpu::ScalarOp::kMul, a, s);
}
NDArray operator/(double s, const NDArray& a) {
  return NewScalar(cpu::ScalarOp::kRDiv, a, s);
}
NDArray operator-(const NDArray& a) { return Negate(a); }

NDArray Negate(const NDArray& a) { return NewUnary(cpu::UnaryOp::kNegate, a); }
NDArray Abs(const NDArray& a) { return NewUnary(cpu::UnaryOp::kAbs, a); }
NDArray Sqrt(const NDArray& a) { return NewUnary(cpu::UnaryOp::kSqrt, a); }
NDArray Square(const NDArray& a) { return NewUnary(cpu::UnaryOp::kSquare, a); }
NDArray Exp(const NDArray& a) { return NewUnary(cpu::UnaryOp::kExp, a); }
NDArray Log(const NDArray& a) { return NewUnary(cpu::UnaryOp::kLog, a); }

NDArray Sum(const NDArray& a) { return NewReduce(cpu::ReduceOp::kSum, a); }
NDArray Mean(const NDArray& a) { return NewReduce(cpu::ReduceOp::kMean, a); }
NDArray Max(const NDArray& a) { return NewReduce(cpu::ReduceOp::kMax, a); }

NDArray Dot(const NDArray& a, const NDArray& b, bool transpose_a,
            bool transpose_b) {
  CheckNotNone(a, "dot", "lhs");
  CheckNotNone(b, "dot", "rhs");
  MX_CHECK(a.context() == b.context(),
           "dot: operands are on different devices: lhs on ", a.context(),
           ", rhs on ", b.context(), "; copy one with CopyTo(", a.context(),
           ") first");
  MX_CHECK(a.shape().ndim() == 2 && b.shape().ndim() == 2,
           "dot: expected 2-D operands; got lhs ", a.shape(), ", rhs ",
           b.shape());
  MX_CHECK(a.dtype() == b.dtype(), "dot: element type mismatch: lhs ",
           a.dtype(), " vs rhs ", b.dtype());
  MX_CHECK(a.dtype() == DType::kFloat32 || a.dtype() == DType::kFloat64,
           "dot: element type ", a.dtype(), "; expected float32 or float64");
  CheckHost(a, "dot");
  const int64_t m = transpose_a ? a.shape()[1] : a.shape()[0];
  const int64_t k = transpose_a ? a.shape()[0] : a.shape()[1];
  const int64_t kb = transpose_b ? b.shape()[1] : b.shape()[0];
  const int64_t n = transpose_b ? b.shape()[0] : b.shape()[1];
  MX_CHECK(k == kb, "dot: inner dimensions differ: lhs ", a.shape(),
           transpose_a ? "^T" : "", " vs rhs ", b.shape(),
           transpose_b ? "^T" : "", " (", k, " vs ", kb, ")");
  NDArray out(Shape{m, n}, a.context(), a.dtype());
  GemmArgs g;
  g.dtype = a.dtype();
  g.transpose_a = transpose_a;
  g.transpose_b = transpose_b;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a.RawData();
  g.lda = a.shape()[1];
  g.b = b.RawData();
  g.ldb = b.shape()[1];
  g.c = out.RawData();
  g.ldc = n;
  Engine::Get()->PushSync([g](RunContext) { Gemm(g); }, a.context(),
                          {a.var(), b.var()}, {out.var()}, 0, "dot");
  return out;
}

}  // namespace mx
