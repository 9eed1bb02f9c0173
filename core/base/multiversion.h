// MX_MULTIVERSION: compiles a hot loop for AVX-512, AVX2 and baseline x86-64
// and picks one at run time (binaries stay portable; see .bazelrc). Off under
// the sanitizers, which do not support target_clones.
#ifndef MX_CORE_BASE_MULTIVERSION_H_
#define MX_CORE_BASE_MULTIVERSION_H_

#if defined(__x86_64__) && !defined(MX_SANITIZER)
#define MX_MULTIVERSION \
  __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MX_MULTIVERSION
#endif

#endif  // MX_CORE_BASE_MULTIVERSION_H_
