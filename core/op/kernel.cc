#include "core/op/kernel.h"

#include <algorithm>
#include <tuple>

#include "core/base/strings.h"
#include "core/op/half_kernel.h"

namespace mx {

const char* OpReqName(OpReq req) {
  switch (req) {
    case OpReq::kNull:
      return "null";
    case OpReq::kWrite:
      return "write";
    case OpReq::kInplace:
      return "inplace";
    case OpReq::kAdd:
      return "add";
  }
  return "?";
}

const char* KernelVariantName(KernelVariant v) {
  return v == KernelVariant::kReference ? "reference" : "optimized";
}

void OpKernel::Backward(const KernelContext&, const BackwardArgs&) {
  MX_INTERNAL_CHECK(false, "Backward called on a kernel without one");
}

KernelDef::KernelDef(std::string op, DeviceType device, KernelVariant variant)
    : op_(std::move(op)), device_(device), variant_(variant) {}

KernelDef& KernelDef::Types(std::vector<DType> types) {
  types_ = std::move(types);
  return *this;
}

KernelDef& KernelDef::Supports(std::function<bool(const KernelSetup&)> fn) {
  supports_ = std::move(fn);
  return *this;
}

KernelDef& KernelDef::Factory(KernelFactory factory) {
  factory_ = std::move(factory);
  return *this;
}

bool KernelDef::CanRun(const KernelSetup& setup) const {
  bool type_ok = false;
  for (DType t : types_) type_ok |= (t == setup.dtype);
  return type_ok && (!supports_ || supports_(setup));
}

std::unique_ptr<OpKernel> KernelDef::Create(const KernelSetup& setup) const {
  MX_INTERNAL_CHECK(factory_ != nullptr, "kernel ", op_, " (",
                    KernelVariantName(variant_), ") has no factory");
  return factory_(setup);
}

KernelRegistry& KernelRegistry::Global() {
  static auto* const registry = new KernelRegistry();
  return *registry;
}

KernelDef& KernelRegistry::Register(const std::string& op, DeviceType device,
                                    KernelVariant variant) {
  auto key = std::make_tuple(op, device, variant);
  MX_INTERNAL_CHECK(kernels_.count(key) == 0, "kernel ", op, " (",
                    KernelVariantName(variant), ") registered twice");
  auto& slot = kernels_[key];
  slot = std::make_unique<KernelDef>(op, device, variant);
  return *slot;
}

const KernelDef* KernelRegistry::Find(const std::string& op, DeviceType device,
                                      KernelVariant variant) const {
  auto it = kernels_.find(std::make_tuple(op, device, variant));
  return it == kernels_.end() ? nullptr : it->second.get();
}

std::vector<const KernelDef*> KernelRegistry::Variants(
    const std::string& op, DeviceType device) const {
  std::vector<const KernelDef*> out;
  for (KernelVariant v :
       {KernelVariant::kReference, KernelVariant::kOptimized}) {
    if (const KernelDef* k = Find(op, device, v)) out.push_back(k);
  }
  return out;
}

std::unique_ptr<OpKernel> KernelRegistry::Create(
    const KernelSetup& setup) const {
  const std::string& op = setup.attrs->op->name();
  const DeviceType device =
      setup.ctx.IsHost() ? DeviceType::kCPU : setup.ctx.dev_type;
  const std::vector<const KernelDef*> variants = Variants(op, device);
  for (auto it = variants.rbegin(); it != variants.rend(); ++it) {
    if ((*it)->CanRun(setup)) return (*it)->Create(setup);
  }
  // Float16 on the host: the float32 kernel on converted copies (Note
  // [Float16 arithmetic]).
  if (setup.dtype == DType::kFloat16 && device == DeviceType::kCPU) {
    KernelSetup f32 = setup;
    f32.dtype = DType::kFloat32;
    for (auto it = variants.rbegin(); it != variants.rend(); ++it) {
      if ((*it)->CanRun(f32)) {
        return MakeHalfKernel(
            (*it)->Create(f32),
            setup.attrs->op->ListArguments(*setup.attrs).size());
      }
    }
  }
  MX_CHECK(!variants.empty(), setup.attrs->Where(), ": no kernel on ",
           setup.ctx, " (the op has none for this device)");
  std::vector<std::string> types;
  for (const KernelDef* k : variants) {
    for (DType t : k->types()) {
      if (std::find(types.begin(), types.end(), DTypeName(t)) == types.end()) {
        types.push_back(DTypeName(t));
      }
    }
  }
  MX_THROW(setup.attrs->Where(), ": no kernel for ", setup.dtype, " on ",
           setup.ctx, "; supported: ", Join(types, ", "));
}

}  // namespace mx
