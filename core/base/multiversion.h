// MX_MULTIVERSION: compiles a hot loop for AVX-512, x86-64-v3 (AVX2 with
// FMA: "avx2" alone leaves multiply-adds unfused, half the arithmetic rate
// of an AVX2 machine) and baseline x86-64, and picks one at run time
// (binaries stay portable; see .bazelrc). Off under the sanitizers, which do
// not support target_clones.
#ifndef MX_CORE_BASE_MULTIVERSION_H_
#define MX_CORE_BASE_MULTIVERSION_H_

#if defined(__x86_64__) && !defined(MX_SANITIZER)
#define MX_MULTIVERSION \
  __attribute__((target_clones("avx512f", "arch=x86-64-v3", "default")))
#else
#define MX_MULTIVERSION
#endif

#endif  // MX_CORE_BASE_MULTIVERSION_H_
