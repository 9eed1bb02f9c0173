// Kernels: the per-device code of an op, registered next to the op from the
// op's own files (Note [One op, one place]):
//
//   MX_REGISTER_KERNEL(FullyConnected, kCPU, kReference)
//       .Types({DType::kFloat32, DType::kFloat64})
//       .Factory(TypedFactory<FullyConnectedRef>());
//
// The executor creates one kernel object per node at bind (Note [Kernels are
// planned at bind]), from the node's attributes and inferred shapes; the
// object then runs Forward / Backward many times on plain tensor views.
#ifndef MX_CORE_OP_KERNEL_H_
#define MX_CORE_OP_KERNEL_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/base/context.h"
#include "core/base/dtype.h"
#include "core/base/error.h"
#include "core/base/shape.h"
#include "core/op/op.h"

namespace mx {

// How a kernel stores into one output (MXNet's OpReqType, same order).
enum class OpReq {
  kNull = 0,     // not needed: write nothing
  kWrite = 1,    // overwrite
  kInplace = 2,  // overwrite; the output shares memory with a declared input
  kAdd = 3,      // accumulate: out += value
};

// "null", "write", "inplace", "add".
const char* OpReqName(OpReq req);

// A plain view of an array: pointer, shape, element type, device. Empty
// (data == nullptr) for arrays a kernel was not given.
struct TensorView {
  void* data = nullptr;
  Shape shape;
  DType dtype = DType::kFloat32;
  Context ctx;

  bool empty() const { return data == nullptr; }
  int64_t Size() const { return shape.Size(); }
  // The data typed as T; internal error when the view is empty (an array
  // the op did not declare it reads) or T is not dtype.
  template <typename T>
  T* ptr() const {
    MX_INTERNAL_CHECK(data != nullptr,
                      "kernel reads an array it did not declare");
    MX_INTERNAL_CHECK(dtype == DTypeOf<T>::kValue, "TensorView of ", dtype,
                      " read as ", DTypeOf<T>::kValue);
    return static_cast<T*>(data);
  }
  // Like ptr, but null for an empty view.
  template <typename T>
  T* ptr_or_null() const {
    return empty() ? nullptr : ptr<T>();
  }
};

// Stores f(i) into out[0..n) as `req` says, with the branch outside the loop
// so each case vectorizes; the one place kernels handle write modes.
template <typename T, typename F>
inline void StoreEach(OpReq req, T* out, int64_t n, F f) {
  switch (req) {
    case OpReq::kNull:
      return;
    case OpReq::kAdd:
      for (int64_t i = 0; i < n; ++i) out[i] += f(i);
      return;
    case OpReq::kWrite:
    case OpReq::kInplace:
      for (int64_t i = 0; i < n; ++i) out[i] = f(i);
      return;
  }
}

// Stores `src` into `out` as `req` says (src and out may be the same memory).
template <typename T>
inline void StoreArray(OpReq req, T* out, const T* src, int64_t n) {
  if (req == OpReq::kNull || (out == src && req != OpReq::kAdd)) return;
  StoreEach(req, out, n, [src](int64_t i) { return src[i]; });
}

// `out` (n elements) ready for a kernel to add its results into as `req`
// says: zeroed unless req adds; nullptr when req is kNull or out is null
// (scatters: each output element receives several contributions).
template <typename T>
inline T* AccumulateInto(OpReq req, T* out, int64_t n) {
  if (out == nullptr || req == OpReq::kNull) return nullptr;
  if (req != OpReq::kAdd) std::fill(out, out + n, T(0));
  return out;
}

// What a kernel gets besides its arrays, per call.
struct KernelContext {
  bool is_train = false;
  Context ctx;
  // Scratch memory of the size the kernel asked for at bind (planned with
  // the other buffers; contents undefined).
  void* workspace = nullptr;
  size_t workspace_bytes = 0;
  // The device's random generator, for kernels that declared NeedsRandom()
  // (the executor orders every user of it).
  std::mt19937_64* rng = nullptr;
  // The engine worker's CUDA stream (cudaStream_t) for kernels on a GPU: every
  // GPU kernel queues its work here and does not wait for it (Note [GPU
  // streams and events]); null on the CPU.
  void* stream = nullptr;
};

// Arrays of one forward call: inputs are the op's arguments then its
// auxiliary states (ListInputs order); req has one entry per output.
struct ForwardArgs {
  std::vector<TensorView> inputs;
  std::vector<TensorView> outputs;
  std::vector<OpReq> req;
};

// Arrays of one backward call. Only what the op's BackwardDeps declares is
// filled in; the rest are empty views. in_grads has one entry per argument
// (not per auxiliary state), with its req (kNull for inputs whose gradient
// nobody needs, and for NoGradient inputs).
struct BackwardArgs {
  std::vector<TensorView> out_grads;
  std::vector<TensorView> inputs;
  std::vector<TensorView> outputs;
  std::vector<TensorView> in_grads;
  std::vector<OpReq> req;
};

// What a kernel is created for: one node, its shapes, element type, device.
struct KernelSetup {
  const NodeAttrs* attrs = nullptr;
  std::vector<Shape> in_shapes;   // arguments then auxiliary states
  std::vector<Shape> out_shapes;  // all outputs, hidden ones included
  DType dtype = DType::kFloat32;
  Context ctx;

  template <typename P>
  const P& params() const {
    return attrs->params<P>();
  }
};

// One node's kernel. Created once at bind; Forward and Backward may then run
// many times, never concurrently on the same object.
class OpKernel {
 public:
  virtual ~OpKernel() = default;
  // Scratch bytes Forward / Backward need; asked once, at bind.
  virtual size_t ForwardWorkspace() const { return 0; }
  virtual size_t BackwardWorkspace() const { return 0; }
  // True when the kernel draws random numbers (KernelContext::rng).
  virtual bool NeedsRandom() const { return false; }
  virtual void Forward(const KernelContext& ctx, const ForwardArgs& args) = 0;
  // The default is an internal error: ops declaring a gradient override it.
  virtual void Backward(const KernelContext& ctx, const BackwardArgs& args);
};

using KernelFactory =
    std::function<std::unique_ptr<OpKernel>(const KernelSetup&)>;

// Reference kernels are plain and obviously right; optimized ones are
// checked against them by the op tests (Note [Reference kernels]).
enum class KernelVariant { kReference, kOptimized };

// "reference", "optimized".
const char* KernelVariantName(KernelVariant v);

// One registered kernel.
class KernelDef {
 public:
  KernelDef(std::string op, DeviceType device, KernelVariant variant);

  // Element types the kernel runs (default float32).
  KernelDef& Types(std::vector<DType> types);
  // Narrower support than the types (e.g. only 2-D convolution); the
  // registry falls back to another variant when it says no.
  KernelDef& Supports(std::function<bool(const KernelSetup&)> fn);
  KernelDef& Factory(KernelFactory factory);

  const std::string& op() const { return op_; }
  DeviceType device() const { return device_; }
  KernelVariant variant() const { return variant_; }
  const std::vector<DType>& types() const { return types_; }
  // True when this kernel can run `setup`.
  bool CanRun(const KernelSetup& setup) const;
  std::unique_ptr<OpKernel> Create(const KernelSetup& setup) const;

 private:
  std::string op_;
  DeviceType device_;
  KernelVariant variant_;
  std::vector<DType> types_{DType::kFloat32};
  std::function<bool(const KernelSetup&)> supports_;
  KernelFactory factory_;
};

// All kernels, by op name (canonical), device and variant.
class KernelRegistry {
 public:
  static KernelRegistry& Global();

  // Adds a kernel; internal error when (op, device, variant) is taken.
  KernelDef& Register(const std::string& op, DeviceType device,
                      KernelVariant variant);
  // The kernel `variant` of `op` on `device`, or nullptr.
  const KernelDef* Find(const std::string& op, DeviceType device,
                        KernelVariant variant) const;
  // The kernel to run `setup`: the optimized variant when it can, else the
  // reference; mx::Error naming the op, node, device and type otherwise.
  std::unique_ptr<OpKernel> Create(const KernelSetup& setup) const;
  // Every kernel of `op` on `device`, reference first.
  std::vector<const KernelDef*> Variants(const std::string& op,
                                         DeviceType device) const;

 private:
  std::map<std::tuple<std::string, DeviceType, KernelVariant>,
           std::unique_ptr<KernelDef>>
      kernels_;
};

// A factory making K<float> or K<double> from the setup's element type.
template <template <typename> class K>
KernelFactory TypedFactory() {
  return [](const KernelSetup& s) -> std::unique_ptr<OpKernel> {
    switch (s.dtype) {
      case DType::kFloat32:
        return std::make_unique<K<float>>(s);
      case DType::kFloat64:
        return std::make_unique<K<double>>(s);
      default:
        MX_INTERNAL_CHECK(false, "TypedFactory for ", s.dtype);
    }
    return nullptr;
  };
}

// A factory for a kernel class with one element type.
template <typename K>
KernelFactory SimpleFactory() {
  return [](const KernelSetup& s) -> std::unique_ptr<OpKernel> {
    return std::make_unique<K>(s);
  };
}

}  // namespace mx

// Registers a kernel at static initialization; chain Types/Supports/Factory.
#define MX_REGISTER_KERNEL(Op, Device, Variant)                              \
  [[maybe_unused]] static ::mx::KernelDef& MX_OP_CONCAT(mx_kernel_,          \
                                                        __COUNTER__) =       \
      ::mx::KernelRegistry::Global().Register(#Op, ::mx::DeviceType::Device, \
                                              ::mx::KernelVariant::Variant)

#endif  // MX_CORE_OP_KERNEL_H_
