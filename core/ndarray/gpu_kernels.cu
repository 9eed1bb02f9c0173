// CUDA kernels of gpu_kernels.h: grid-stride elementwise loops and a
// one-block reduction, every element type as on the CPU.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/base/error.h"
#include "core/gpu/grid_loop.cuh"
#include "core/ndarray/gpu_kernels.h"

namespace mx::cuda {
namespace {

constexpr int kThreads = 256;

cudaStream_t AsCuda(gpu::Stream s) { return static_cast<cudaStream_t>(s); }

// Runs f(i) for i in [0, n) on `stream`.
template <typename F>
void ForEach(int64_t n, gpu::Stream stream, F f) {
  gpu::LaunchGridLoop(n, stream, f);
}

// Conversions through double, saturating for integers (NaN becomes 0), as
// cpu_kernels.cc does.
template <typename T>
struct Conv {
  __host__ __device__ static double To(T v) { return static_cast<double>(v); }
  __host__ __device__ static T From(double v) {
    if constexpr (std::is_integral_v<T>) {
      if (v != v) return 0;
      if (v <= static_cast<double>(std::numeric_limits<T>::min())) {
        return std::numeric_limits<T>::min();
      }
      if (v >= static_cast<double>(std::numeric_limits<T>::max())) {
        return std::numeric_limits<T>::max();
      }
    }
    return static_cast<T>(v);
  }
};

template <>
struct Conv<Half> {
  __host__ __device__ static double To(Half h) {
    return __half2float(__ushort_as_half(h.bits));
  }
  __host__ __device__ static Half From(double v) {
    Half h;
    h.bits = __half_as_ushort(__float2half_rn(static_cast<float>(v)));
    return h;
  }
};

template <typename T>
__device__ T ApplyBinary(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::kAdd:
      return a + b;
    case BinaryOp::kSub:
      return a - b;
    case BinaryOp::kMul:
      return a * b;
    case BinaryOp::kDiv:
      return b == T(0) && std::is_integral_v<T> ? T(0) : a / b;
  }
  return a;
}

// op(x) in R (float or double: CUDA's math overloads pick the precision).
template <typename R>
__device__ R ApplyUnary(UnaryOp op, R x) {
  switch (op) {
    case UnaryOp::kNegate:
      return -x;
    case UnaryOp::kAbs:
      return fabs(x);
    case UnaryOp::kSqrt:
      return sqrt(x);
    case UnaryOp::kSquare:
      return x * x;
    case UnaryOp::kExp:
      return exp(x);
    case UnaryOp::kLog:
      return log(x);
  }
  return x;
}

void Check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    MX_THROW(what, ": CUDA error ", cudaGetErrorName(status), ": ",
             cudaGetErrorString(status));
  }
}

// The first index where an integer divisor is zero, found on the device and
// read back after a wait on the stream; -1 when there is none.
class ZeroDivisorProbe {
 public:
  ZeroDivisorProbe() {
    Check(
        cudaHostAlloc(&host_, sizeof(unsigned long long), cudaHostAllocMapped),
        "allocating a division check");
    *host_ = std::numeric_limits<unsigned long long>::max();
    Check(cudaHostGetDevicePointer(&device_, host_, 0),
          "mapping a division check");
  }
  ~ZeroDivisorProbe() { cudaFreeHost(host_); }
  unsigned long long* device() const { return device_; }
  int64_t FirstIndex(gpu::Stream stream) const {
    Check(cudaStreamSynchronize(AsCuda(stream)), "integer division on a GPU");
    return *host_ == std::numeric_limits<unsigned long long>::max()
               ? -1
               : static_cast<int64_t>(*host_);
  }

 private:
  unsigned long long* host_ = nullptr;
  unsigned long long* device_ = nullptr;
};

template <typename T>
void CheckedIntegerDivide(const T* divisors, int64_t n, gpu::Stream stream) {
  ZeroDivisorProbe probe;
  unsigned long long* first = probe.device();
  ForEach(n, stream, [=] __device__(int64_t i) {
    if (divisors[i] == T(0)) {
      atomicMin(first, static_cast<unsigned long long>(i));
    }
  });
  const int64_t at = probe.FirstIndex(stream);
  MX_CHECK(at < 0, "integer division by zero at element ", at);
}

template <typename T, typename Acc>
__global__ void ReduceKernel(ReduceOp op, const T* in, int64_t n, T* out) {
  __shared__ Acc partial[1024];
  const bool is_max = op == ReduceOp::kMax;
  Acc acc = is_max ? static_cast<Acc>(in[0]) : Acc(0);
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    const Acc x = static_cast<Acc>(in[i]);
    if (!is_max) {
      acc += x;
    } else if (x > acc || x != x) {
      acc = x;
    }
    if (is_max && acc != acc) break;  // NaN propagates
  }
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) {
      const Acc other = partial[threadIdx.x + half];
      Acc& mine = partial[threadIdx.x];
      if (!is_max) {
        mine += other;
      } else if (other > mine || other != other) {
        if (mine == mine) mine = other;
      }
    }
    __syncthreads();
  }
  if (threadIdx.x != 0) return;
  Acc r = partial[0];
  if (op == ReduceOp::kMean) {
    if constexpr (std::is_integral_v<T>) {
      r = n > 0 ? r / n : Acc(0);
    } else {
      r = n > 0 ? r / static_cast<Acc>(n) : Acc(NAN);
    }
  }
  *out = static_cast<T>(r);
}

}  // namespace

void Binary(BinaryOp op, DType dtype, const void* a, const void* b, void* out,
            int64_t n, gpu::Stream stream) {
  MX_ARITH_DTYPE_SWITCH(dtype, cpu::OpName(op), T, {
    const T* pa = static_cast<const T*>(a);
    const T* pb = static_cast<const T*>(b);
    T* po = static_cast<T*>(out);
    if constexpr (std::is_integral_v<T>) {
      if (op == BinaryOp::kDiv) CheckedIntegerDivide(pb, n, stream);
    }
    ForEach(n, stream, [=] __device__(int64_t i) {
      po[i] = ApplyBinary(op, pa[i], pb[i]);
    });
  });
}

void Scalar(ScalarOp op, DType dtype, const void* a, double s, void* out,
            int64_t n, gpu::Stream stream) {
  const bool reverse = op == ScalarOp::kRSub || op == ScalarOp::kRDiv;
  BinaryOp bop = BinaryOp::kAdd;
  switch (op) {
    case ScalarOp::kAdd:
      bop = BinaryOp::kAdd;
      break;
    case ScalarOp::kSub:
    case ScalarOp::kRSub:
      bop = BinaryOp::kSub;
      break;
    case ScalarOp::kMul:
      bop = BinaryOp::kMul;
      break;
    case ScalarOp::kDiv:
    case ScalarOp::kRDiv:
      bop = BinaryOp::kDiv;
      break;
  }
  MX_ARITH_DTYPE_SWITCH(dtype, cpu::OpName(op), T, {
    const T sv = Conv<T>::From(s);
    const T* pa = static_cast<const T*>(a);
    T* po = static_cast<T*>(out);
    if constexpr (std::is_integral_v<T>) {
      if (bop == BinaryOp::kDiv) {
        if (!reverse) MX_CHECK(sv != 0, "integer division by zero scalar");
        if (reverse) CheckedIntegerDivide(pa, n, stream);
      }
    }
    ForEach(n, stream, [=] __device__(int64_t i) {
      po[i] =
          reverse ? ApplyBinary(bop, sv, pa[i]) : ApplyBinary(bop, pa[i], sv);
    });
  });
}

void Unary(UnaryOp op, DType dtype, const void* a, void* out, int64_t n,
           gpu::Stream stream) {
  if (dtype == DType::kFloat32) {
    const float* pa = static_cast<const float*>(a);
    float* po = static_cast<float*>(out);
    ForEach(n, stream, [=] __device__(int64_t i) {
      po[i] = ApplyUnary<float>(op, pa[i]);
    });
    return;
  }
  MX_ARITH_DTYPE_SWITCH(dtype, cpu::OpName(op), T, {
    const T* pa = static_cast<const T*>(a);
    T* po = static_cast<T*>(out);
    ForEach(n, stream, [=] __device__(int64_t i) {
      po[i] = Conv<T>::From(ApplyUnary<double>(op, Conv<T>::To(pa[i])));
    });
  });
}

void Reduce(ReduceOp op, DType dtype, const void* a, int64_t n, void* out,
            gpu::Stream stream) {
  MX_ARITH_DTYPE_SWITCH(dtype, cpu::OpName(op), T, {
    if (op == ReduceOp::kMax) {
      MX_CHECK(n > 0, "max of an empty array (0 elements)");
      ReduceKernel<T, T><<<1, 1024, 0, AsCuda(stream)>>>(
          op, static_cast<const T*>(a), n, static_cast<T*>(out));
    } else {
      using Acc = std::conditional_t<std::is_integral_v<T>, int64_t, double>;
      ReduceKernel<T, Acc><<<1, 1024, 0, AsCuda(stream)>>>(
          op, static_cast<const T*>(a), n, static_cast<T*>(out));
    }
  });
}

void Fill(DType dtype, double value, void* out, int64_t n, gpu::Stream stream) {
  MX_DTYPE_SWITCH(dtype, T, {
    const T v = Conv<T>::From(value);
    T* po = static_cast<T*>(out);
    ForEach(n, stream, [=] __device__(int64_t i) { po[i] = v; });
  });
}

void Cast(DType from, const void* a, DType to, void* out, int64_t n,
          gpu::Stream stream) {
  if (from == to) {
    if (a != out && n > 0) {
      Check(cudaMemcpyAsync(out, a, static_cast<size_t>(n) * DTypeSize(to),
                            cudaMemcpyDeviceToDevice, AsCuda(stream)),
            "copying on a GPU");
    }
    return;
  }
  MX_DTYPE_SWITCH(from, S, {
    const S* in = static_cast<const S*>(a);
    MX_DTYPE_SWITCH(to, D, {
      D* po = static_cast<D*>(out);
      ForEach(n, stream, [=] __device__(int64_t i) {
        po[i] = Conv<D>::From(Conv<S>::To(in[i]));
      });
    });
  });
}

}  // namespace mx::cuda
