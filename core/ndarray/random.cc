// Random arrays. Each device has one generator guarded by an engine variable,
// so draws happen in push order and the same seed gives the same numbers
// whatever the engine.
#include <cmath>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>

#include "core/gpu/gpu.h"
#include "core/ndarray/ndarray.h"

namespace mx {
namespace {

struct Generator {
  std::mt19937_64 engine{0};
  VarHandle var = nullptr;
};

// The generator of `ctx`; created on first use and kept for the life of the
// process.
Generator* GeneratorOf(Context ctx) {
  static std::mutex mu;
  static auto* const generators = new std::map<Context, Generator*>();
  std::lock_guard<std::mutex> lock(mu);
  Generator*& g = (*generators)[ctx];
  if (g == nullptr) {
    g = new Generator();
    g->var = Engine::Get()->NewVar();
  }
  return g;
}

// Where a generator's host work runs: the host itself for GPU contexts.
Context HostOf(Context ctx) { return ctx.IsHost() ? ctx : Context::CPU(); }

// Uniform in [0, 1) with 24 random bits: exactly representable in float.
inline float UniformUnit(std::mt19937_64& e) {
  return static_cast<float>(e() >> 40) * (1.0f / 16777216.0f);
}

// Draws from ctx's generator on the host; arrays for a GPU are drawn into
// host memory and copied there (the same seed gives the same numbers on
// every device).
NDArray Draw(const Shape& shape, Context ctx, const char* name,
             void (*fill)(std::mt19937_64&, float*, int64_t, float, float),
             float p0, float p1) {
  const Context host = HostOf(ctx);
  NDArray out(shape, host, DType::kFloat32);
  Generator* g = GeneratorOf(ctx);
  float* data = static_cast<float*>(out.RawData());
  const int64_t n = out.Size();
  Engine::Get()->PushSync([=](RunContext) { fill(g->engine, data, n, p0, p1); },
                          host, {}, {g->var, out.var()}, 0, name);
  return ctx.IsHost() ? out : out.CopyTo(ctx);
}

}  // namespace

void FillUniform(std::mt19937_64& e, float* out, int64_t n, float low,
                 float high) {
  const float range = high - low;
  for (int64_t i = 0; i < n; ++i) out[i] = low + range * UniformUnit(e);
}

// Box-Muller, two draws per pair (our own, so results do not depend on the
// standard library).
void FillNormal(std::mt19937_64& e, float* out, int64_t n, float mean,
                float stddev) {
  constexpr double kTwoPi = 6.283185307179586;
  for (int64_t i = 0; i < n; i += 2) {
    const double u1 =
        (static_cast<double>(e() >> 11) + 1.0) * 0x1.0p-53;        // (0,1]
    const double u2 = static_cast<double>(e() >> 11) * 0x1.0p-53;  // [0,1)
    const double r = std::sqrt(-2.0 * std::log(u1));
    out[i] = static_cast<float>(mean + stddev * r * std::cos(kTwoPi * u2));
    if (i + 1 < n) {
      out[i + 1] =
          static_cast<float>(mean + stddev * r * std::sin(kTwoPi * u2));
    }
  }
}

RandomResource GetRandomResource(Context ctx) {
  // A GPU's generator lives on the host too: GPU kernels draw their seeds
  // from it (Note [GPU kernels]).
  if (!ctx.IsHost()) gpu::CheckDevice(ctx);
  Generator* g = GeneratorOf(ctx);
  return {&g->engine, g->var};
}

void RandomSeed(uint64_t seed, Context ctx) {
  Generator* g = GeneratorOf(ctx);
  Engine::Get()->PushSync([g, seed](RunContext) { g->engine.seed(seed); },
                          HostOf(ctx), {}, {g->var}, 0, "random_seed");
}

std::string RandomState(Context ctx) {
  Generator* g = GeneratorOf(ctx);
  std::ostringstream out;
  Engine::Get()->PushSync([g, &out](RunContext) { out << g->engine; },
                          HostOf(ctx), {g->var}, {}, 0, "random_state");
  Engine::Get()->WaitForVar(g->var, /*for_write=*/true);
  return out.str();
}

void SetRandomState(const std::string& state, Context ctx) {
  std::mt19937_64 parsed;
  std::istringstream in(state);
  in >> parsed;
  MX_CHECK(!in.fail(),
           "random generator state: not a state written by "
           "RandomState (",
           state.size(), " characters)");
  Generator* g = GeneratorOf(ctx);
  Engine::Get()->PushSync([g, parsed](RunContext) { g->engine = parsed; },
                          HostOf(ctx), {}, {g->var}, 0, "random_set_state");
}

NDArray RandomUniform(float low, float high, const Shape& shape, Context ctx) {
  MX_CHECK(low <= high, "random_uniform: low ", low, " > high ", high);
  return Draw(shape, ctx, "random_uniform", FillUniform, low, high);
}

NDArray RandomNormal(float mean, float stddev, const Shape& shape,
                     Context ctx) {
  MX_CHECK(stddev >= 0, "random_normal: stddev ", stddev, "; expected >= 0");
  return Draw(shape, ctx, "random_normal", FillNormal, mean, stddev);
}

}  // namespace mx
