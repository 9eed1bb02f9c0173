#include "tests/testing/op_harness.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/gpu/gpu.h"
#include "core/op/kernel.h"
#include "core/storage/storage.h"
#include "tests/testing/expect_close.h"

namespace mx::testing {

std::vector<OpCase>& AllOpCases() {
  static auto* const cases = new std::vector<OpCase>();
  return *cases;
}

OpCaseRegistrar::OpCaseRegistrar(std::vector<OpCase> (*fn)()) {
  for (OpCase& c : fn()) AllOpCases().push_back(std::move(c));
}

void FillIndices(std::vector<double>* values, int n, std::mt19937_64* rng) {
  std::uniform_int_distribution<int> dist(0, n - 1);
  for (double& v : *values) v = dist(*rng);
}

void FillUniform(std::vector<double>* values, double low, double high,
                 std::mt19937_64* rng) {
  std::uniform_real_distribution<double> dist(low, high);
  for (double& v : *values) v = dist(*rng);
}

namespace {

template <typename T>
using Arrays = std::vector<std::vector<T>>;

// One case resolved: attributes and every shape.
struct Prepared {
  NodeAttrs attrs;
  std::vector<std::string> in_names;
  size_t num_args = 0;
  std::vector<Shape> in_shapes, out_shapes;
  int visible = 0;
  BackwardDeps deps;
  std::vector<bool> takes_grad;   // per argument: not NoGradient
  std::vector<bool> checks_grad;  // and not skipped by the case

  // Shapes of the arguments (the inputs that get gradients).
  std::vector<Shape> ArgShapes() const {
    return {in_shapes.begin(), in_shapes.begin() + num_args};
  }
  KernelSetup Setup(DType dtype, Context ctx = Context::CPU()) const {
    KernelSetup setup;
    setup.attrs = &attrs;
    setup.in_shapes = in_shapes;
    setup.out_shapes = out_shapes;
    setup.dtype = dtype;
    setup.ctx = ctx;
    return setup;
  }
};

Prepared Prepare(const OpCase& c) {
  const OpDef& op = OpRegistry::Global().Get(c.op);
  Prepared p;
  p.attrs = MakeNodeAttrs(op, c.name, c.params);
  p.in_names = op.ListInputs(p.attrs);
  p.num_args = op.ListArguments(p.attrs).size();
  std::vector<PartialShape> in(p.in_names.size());
  std::vector<PartialShape> out(op.ListOutputs(p.attrs).size());
  for (const auto& [name, shape] : c.shapes) {
    auto it = std::find(p.in_names.begin(), p.in_names.end(), name);
    MX_CHECK(it != p.in_names.end(), "case ", c.name, ": no input '", name,
             "' (inputs: ", Join(p.in_names, ", "), ")");
    in[it - p.in_names.begin()] = shape;
  }
  for (int round = 0; round < 4; ++round) {
    InferShapeContext ctx(p.attrs, &in, &out, p.in_names);
    op.infer_shape()(&ctx);
  }
  for (const PartialShape& s : in) p.in_shapes.push_back(s.ToShape());
  for (const PartialShape& s : out) p.out_shapes.push_back(s.ToShape());
  p.visible = op.NumVisibleOutputs(p.attrs);
  if (op.has_backward()) p.deps = op.GetBackwardDeps(p.attrs);
  for (size_t k = 0; k < p.num_args; ++k) {
    const auto& none = op.no_gradient();
    const auto& skip = c.skip_gradient;
    p.takes_grad.push_back(op.has_backward() &&
                           std::find(none.begin(), none.end(), p.in_names[k]) ==
                               none.end());
    p.checks_grad.push_back(
        p.takes_grad.back() &&
        std::find(skip.begin(), skip.end(), p.in_names[k]) == skip.end());
  }
  return p;
}

// The memory of one kernel call: on the CPU, views of the host vectors
// themselves; on a GPU, device copies of them (uploaded when viewed, read
// back into the vectors by Finish) and a stream.
class Staging {
 public:
  explicit Staging(Context ctx) : ctx_(ctx) {
    if (!ctx.IsHost()) stream_ = gpu::NewStream(ctx.dev_id);
  }
  ~Staging() {
    for (const Mirror& m : mirrors_) Storage::Get()->Free(m.device);
    if (stream_ != nullptr) gpu::DeleteStream(stream_);
  }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

  template <typename T>
  TensorView View(std::vector<T>& v, const Shape& shape) {
    void* data = v.data();
    if (!ctx_.IsHost()) data = Upload(v.data(), v.size() * sizeof(T));
    return TensorView{data, shape, DTypeOf<T>::kValue, ctx_};
  }
  // Uninitialized scratch memory of `bytes` on the device.
  void* Scratch(size_t bytes) {
    if (ctx_.IsHost()) {
      host_scratch_.emplace_back(bytes);
      return host_scratch_.back().data();
    }
    mirrors_.push_back({nullptr, Storage::Get()->Alloc(bytes, ctx_), 0});
    return mirrors_.back().device.dptr;
  }
  KernelContext MakeKernelContext(bool is_train, size_t workspace_bytes) {
    KernelContext kc;
    kc.is_train = is_train;
    kc.ctx = ctx_;
    kc.workspace = Scratch(workspace_bytes);
    kc.workspace_bytes = workspace_bytes;
    kc.stream = stream_;
    return kc;
  }
  // Waits for the kernel and copies every device array back to its vector.
  void Finish() {
    if (ctx_.IsHost()) return;
    gpu::SyncStream(stream_);
    for (const Mirror& m : mirrors_) {
      if (m.host != nullptr && m.bytes > 0) {
        gpu::CopySync(m.host, m.device.dptr, m.bytes, ctx_.dev_id);
      }
    }
  }

 private:
  struct Mirror {
    void* host;
    StorageHandle device;
    size_t bytes;
  };
  void* Upload(void* host, size_t bytes) {
    mirrors_.push_back({host, Storage::Get()->Alloc(bytes, ctx_), bytes});
    if (bytes > 0) {
      gpu::CopySync(mirrors_.back().device.dptr, host, bytes, ctx_.dev_id);
    }
    return mirrors_.back().device.dptr;
  }

  const Context ctx_;
  gpu::Stream stream_ = nullptr;
  std::vector<Mirror> mirrors_;
  std::vector<std::vector<char>> host_scratch_;
};

template <typename T, typename U>
Arrays<T> Cast(const Arrays<U>& a) {
  Arrays<T> out;
  for (const auto& v : a) out.emplace_back(v.begin(), v.end());
  return out;
}

template <typename T>
Arrays<T> Sized(const std::vector<Shape>& shapes, T value = T(0)) {
  Arrays<T> out;
  for (const Shape& s : shapes) out.emplace_back(s.Size(), value);
  return out;
}

constexpr uint64_t kKernelSeed = 1234;

// Forward on copies of `in` (auxiliary states may be updated); returns all
// outputs. `alias` lists (input, output) pairs to run in place.
template <typename T>
Arrays<T> RunForward(OpKernel& k, const Prepared& p, Arrays<T> in,
                     bool is_train,
                     const std::vector<std::pair<int, int>>& alias = {},
                     Context device = Context::CPU()) {
  Arrays<T> out = Sized<T>(p.out_shapes);
  Staging staging(device);
  ForwardArgs a;
  for (size_t i = 0; i < in.size(); ++i) {
    a.inputs.push_back(staging.View(in[i], p.in_shapes[i]));
  }
  for (size_t o = 0; o < out.size(); ++o) {
    a.outputs.push_back(staging.View(out[o], p.out_shapes[o]));
    a.req.push_back(OpReq::kWrite);
  }
  for (const auto& [i, o] : alias) {
    a.outputs[o].data = a.inputs[i].data;
    a.req[o] = OpReq::kInplace;
  }
  std::mt19937_64 rng(kKernelSeed);
  KernelContext ctx = staging.MakeKernelContext(is_train, k.ForwardWorkspace());
  ctx.rng = &rng;
  k.Forward(ctx, a);
  staging.Finish();
  for (const auto& [i, o] : alias) out[o] = in[i];
  return out;
}

// Backward with only the declared arrays; in_grads hold the starting values
// (used by add) and receive the result.
template <typename T>
void RunBackward(OpKernel& k, const Prepared& p, Arrays<T> in, Arrays<T> out,
                 Arrays<T> out_grad, Arrays<T>* in_grad, OpReq req,
                 const std::vector<std::pair<int, int>>& alias = {},
                 Context device = Context::CPU()) {
  Staging staging(device);
  BackwardArgs a;
  a.out_grads.resize(out.size());
  a.inputs.resize(in.size());
  a.outputs.resize(out.size());
  for (int o : p.deps.out_grads) {
    a.out_grads[o] = staging.View(out_grad[o], p.out_shapes[o]);
  }
  for (int i : p.deps.inputs) {
    a.inputs[i] = staging.View(in[i], p.in_shapes[i]);
  }
  for (int o : p.deps.outputs) {
    a.outputs[o] = staging.View(out[o], p.out_shapes[o]);
  }
  for (size_t k2 = 0; k2 < p.num_args; ++k2) {
    a.in_grads.push_back(staging.View((*in_grad)[k2], p.in_shapes[k2]));
    a.req.push_back(p.takes_grad[k2] ? req : OpReq::kNull);
    if (a.req.back() == OpReq::kNull) a.in_grads.back() = TensorView();
  }
  for (const auto& [o, i] : alias) {
    if (a.req[i] == OpReq::kNull || a.out_grads[o].empty()) continue;
    a.in_grads[i].data = a.out_grads[o].data;
    a.req[i] = OpReq::kInplace;
  }
  k.Backward(staging.MakeKernelContext(true, k.BackwardWorkspace()), a);
  staging.Finish();
  for (const auto& [o, i] : alias) {
    if (a.req[i] == OpReq::kInplace) (*in_grad)[i] = out_grad[o];
  }
}

double ProjectionLoss(const Arrays<double>& out, const Arrays<double>& weights,
                      int visible) {
  double loss = 0;
  for (int o = 0; o < visible; ++o) {
    for (size_t i = 0; i < out[o].size(); ++i)
      loss += out[o][i] * weights[o][i];
  }
  return loss;
}

void CheckNumericGradient(const OpCase& c, const Prepared& p, OpKernel& ref,
                          const Arrays<double>& in,
                          const Arrays<double>& weights,
                          const Arrays<double>& analytic,
                          std::mt19937_64* rng) {
  const bool is_loss = p.attrs.op->IsLoss(p.attrs);
  ASSERT_TRUE(!is_loss || c.loss)
      << "case " << c.name << ": a loss op's case needs a loss";
  const auto loss = [&](const Arrays<double>& x) {
    const Arrays<double> out = RunForward(ref, p, x, c.is_train);
    return is_loss ? c.loss(x, out) : ProjectionLoss(out, weights, p.visible);
  };
  constexpr double kEps = 1e-5;
  constexpr size_t kSamples = 24;
  for (size_t k = 0; k < p.num_args; ++k) {
    if (!p.checks_grad[k]) continue;
    std::vector<size_t> positions(in[k].size());
    for (size_t i = 0; i < positions.size(); ++i) positions[i] = i;
    std::shuffle(positions.begin(), positions.end(), *rng);
    positions.resize(std::min(positions.size(), kSamples));
    for (size_t i : positions) {
      Arrays<double> x = in;
      x[k][i] = in[k][i] + kEps;
      const double plus = loss(x);
      x[k][i] = in[k][i] - kEps;
      const double minus = loss(x);
      const double numeric = (plus - minus) / (2 * kEps);
      const double got = analytic[k][i];
      EXPECT_LE(std::fabs(got - numeric),
                c.grad_tolerance * std::max(1.0, std::fabs(numeric)))
          << "case " << c.name << ": gradient of " << p.in_names[k] << "[" << i
          << "]: backward " << got << ", central differences " << numeric;
    }
  }
}

// Forward and backward of one variant in float32, against the float64
// reference results; then add accumulation and in-place runs.
void CheckVariant(const OpCase& c, const Prepared& p, const KernelDef& def,
                  const Arrays<double>& in, const Arrays<double>& out_grad,
                  OpKernel& ref, Arrays<double> ref_out,
                  Arrays<double> ref_grad, Context device) {
  const std::string tag =
      StrCat("case ", c.name, ", ", KernelVariantName(def.variant()), " ",
             device.IsHost() ? "" : StrCat(device, " "), "float32");
  std::unique_ptr<OpKernel> k = def.Create(p.Setup(DType::kFloat32, device));
  const Arrays<float> in32 = Cast<float>(in);
  const Arrays<float> out = RunForward(*k, p, in32, c.is_train, {}, device);
  if (k->NeedsRandom() && !device.IsHost()) {
    // Another device draws other random numbers: the outputs must pass the
    // case's own check, and backward is compared with the reference's
    // backward given these outputs.
    ASSERT_TRUE(c.check_random_outputs != nullptr)
        << tag << ": a random op's case needs check_random_outputs";
    ref_out = Cast<double>(out);
    const std::string problem = c.check_random_outputs(in, ref_out);
    EXPECT_TRUE(problem.empty()) << tag << ": " << problem;
    if (p.attrs.op->has_backward()) {
      ref_grad = Sized<double>(p.ArgShapes());
      RunBackward(ref, p, in, ref_out, out_grad, &ref_grad, OpReq::kWrite);
    }
  }
  for (size_t o = 0; o < out.size(); ++o) {
    ExpectClose(out[o], ref_out[o], c.variant_tolerance,
                StrCat(tag, ": output ", o));
  }
  const OpDef& op = *p.attrs.op;
  if (!op.inplace_forward().empty()) {
    const Arrays<float> inplace =
        RunForward(*k, p, in32, c.is_train, op.inplace_forward(), device);
    for (size_t o = 0; o < out.size(); ++o) {
      ExpectClose(inplace[o], out[o], 1e-6,
                  StrCat(tag, ": in-place output ", o));
    }
  }
  if (!op.has_backward()) return;
  const Arrays<float> og = Cast<float>(out_grad);
  Arrays<float> grad = Sized<float>(p.ArgShapes());
  RunBackward(*k, p, in32, out, og, &grad, OpReq::kWrite, {}, device);
  Arrays<float> added = grad;
  for (auto& v : added) std::fill(v.begin(), v.end(), 0.5f);
  RunBackward(*k, p, in32, out, og, &added, OpReq::kAdd, {}, device);
  for (size_t i = 0; i < p.num_args; ++i) {
    if (!p.checks_grad[i]) continue;
    ExpectClose(grad[i], ref_grad[i], c.variant_tolerance,
                StrCat(tag, ": gradient of ", p.in_names[i]));
    std::vector<float> expected = grad[i];
    for (float& v : expected) v += 0.5f;
    ExpectClose(added[i], expected, 1e-5,
                StrCat(tag, ": gradient of ", p.in_names[i], " with req add"));
  }
  if (!op.inplace_backward().empty()) {
    Arrays<float> inplace = Sized<float>(p.ArgShapes());
    RunBackward(*k, p, in32, out, og, &inplace, OpReq::kWrite,
                op.inplace_backward(), device);
    for (size_t i = 0; i < p.num_args; ++i) {
      if (!p.checks_grad[i]) continue;
      ExpectClose(inplace[i], grad[i], 1e-6,
                  StrCat(tag, ": in-place gradient of ", p.in_names[i]));
    }
  }
}

// Forward of every variant must throw mx::Error containing c.expect_error.
void CheckExpectedError(const OpCase& c, const Prepared& p,
                        const std::vector<const KernelDef*>& variants,
                        const Arrays<double>& in) {
  for (const KernelDef* def : variants) {
    for (DType dtype : {DType::kFloat64, DType::kFloat32}) {
      const KernelSetup setup = p.Setup(dtype);
      if (!def->CanRun(setup)) continue;
      const std::string tag =
          StrCat("case ", c.name, ", ", KernelVariantName(def->variant()), " ",
                 DTypeName(dtype));
      std::unique_ptr<OpKernel> k = def->Create(setup);
      std::string message;
      try {
        if (dtype == DType::kFloat64) {
          RunForward(*k, p, in, c.is_train);
        } else {
          RunForward(*k, p, Cast<float>(in), c.is_train);
        }
      } catch (const InternalError& e) {
        ADD_FAILURE() << tag << ": a user error was expected, got " << e.what();
        continue;
      } catch (const Error& e) {
        message = e.what();
      }
      EXPECT_NE(message.find(c.expect_error), std::string::npos)
          << tag << ": expected an error containing \"" << c.expect_error
          << "\", got " << (message.empty() ? "none" : "\"" + message + "\"");
    }
  }
}

// Appends "op<TAB>case<TAB>variant<TAB>ok|FAILED" to the file named by
// MX_OP_GPU_REPORT, if set: the list of GPU kernels checked (docs/gpu.md).
void ReportGpuCheck(const OpCase& c, const Prepared& p, const KernelDef& def,
                    bool failed) {
  const char* path = std::getenv("MX_OP_GPU_REPORT");
  if (path == nullptr) return;
  std::ofstream(path, std::ios::app)
      << p.attrs.op->name() << '\t' << c.name << '\t'
      << KernelVariantName(def.variant()) << '\t' << (failed ? "FAILED" : "ok")
      << '\n';
}

}  // namespace

void CheckOpCase(const OpCase& c) {
  const Prepared p = Prepare(c);
  // Inferred vs expected output shapes.
  ASSERT_FALSE(c.outputs.empty()) << "case " << c.name << ": no outputs given";
  ASSERT_EQ(static_cast<int>(c.outputs.size()), p.visible) << c.name;
  for (size_t o = 0; o < c.outputs.size(); ++o) {
    EXPECT_EQ(p.out_shapes[o], c.outputs[o])
        << "case " << c.name << ": output " << o;
  }
  const std::vector<const KernelDef*> variants =
      KernelRegistry::Global().Variants(p.attrs.op->name(), DeviceType::kCPU);
  ASSERT_FALSE(variants.empty()) << c.op << " has no CPU kernel";
  const KernelDef& ref_def = *variants[0];
  ASSERT_EQ(ref_def.variant(), KernelVariant::kReference)
      << c.op << " has no reference kernel";

  std::mt19937_64 rng(std::hash<std::string>()(c.name));
  Arrays<double> in;
  for (size_t i = 0; i < p.in_shapes.size(); ++i) {
    std::vector<double> v(p.in_shapes[i].Size());
    if (c.init) {
      FillUniform(&v, -1, 1, &rng);
      c.init(p.in_names[i], &v, &rng);
    } else {
      FillUniform(&v, -1, 1, &rng);
    }
    in.push_back(std::move(v));
  }
  if (!c.expect_error.empty()) return CheckExpectedError(c, p, variants, in);
  Arrays<double> weights = Sized<double>(p.out_shapes);
  for (int o = 0; o < p.visible; ++o) FillUniform(&weights[o], -1, 1, &rng);

  std::unique_ptr<OpKernel> ref = ref_def.Create(p.Setup(DType::kFloat64));
  const Arrays<double> ref_out = RunForward(*ref, p, in, c.is_train);
  Arrays<double> ref_grad = Sized<double>(p.ArgShapes());
  if (p.attrs.op->has_backward()) {
    RunBackward(*ref, p, in, ref_out, weights, &ref_grad, OpReq::kWrite);
    if (c.check_gradient) {
      CheckNumericGradient(c, p, *ref, in, weights, ref_grad, &rng);
    }
  }
  for (const KernelDef* def : variants) {
    if (!def->CanRun(p.Setup(DType::kFloat32))) continue;
    CheckVariant(c, p, *def, in, weights, *ref, ref_out, ref_grad,
                 Context::CPU());
  }
  // GPU kernels against the same reference, where a GPU is usable.
  if (gpu::DeviceCount() == 0) return;
  const Context gpu0 = Context::GPU(0);
  for (const KernelDef* def : KernelRegistry::Global().Variants(
           p.attrs.op->name(), DeviceType::kGPU)) {
    if (!def->CanRun(p.Setup(DType::kFloat32, gpu0))) continue;
    const ::testing::TestResult& result =
        *::testing::UnitTest::GetInstance()->current_test_info()->result();
    const int parts_before = result.total_part_count();
    CheckVariant(c, p, *def, in, weights, *ref, ref_out, ref_grad, gpu0);
    ReportGpuCheck(c, p, *def, result.total_part_count() > parts_before);
  }
}

}  // namespace mx::testing
