#include "core/executor/imperative.h"

#include <memory>
#include <utility>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/engine/engine.h"
#include "core/op/kernel.h"
#include "core/op/op.h"

namespace mx {
namespace {

// Runs the op's shape inference until nothing changes; the outputs must
// then be known.
std::vector<Shape> InferOutputShapes(const NodeAttrs& attrs,
                                     const std::vector<NDArray>& inputs,
                                     int num_outputs) {
  std::vector<PartialShape> in, out(num_outputs);
  for (const NDArray& a : inputs) in.push_back(a.shape());
  const std::vector<std::string> names = attrs.op->ListInputs(attrs);
  for (int pass = 0; pass < 2; ++pass) {
    InferShapeContext ctx(attrs, &in, &out, names);
    attrs.op->infer_shape()(&ctx);
  }
  for (size_t i = 0; i < in.size(); ++i) {
    MX_CHECK(in[i] == PartialShape(inputs[i].shape()), attrs.Where(), ": ",
             names[i], " has shape ", inputs[i].shape(), " but the op expects ",
             in[i]);
  }
  std::vector<Shape> shapes;
  for (int o = 0; o < num_outputs; ++o) {
    MX_CHECK(out[o].IsKnown(), attrs.Where(),
             ": cannot infer the shape of output ", o, " (got ", out[o],
             "); give the op a shape parameter");
    shapes.push_back(out[o].ToShape());
  }
  return shapes;
}

std::vector<DType> InferOutputTypes(const NodeAttrs& attrs,
                                    const std::vector<NDArray>& inputs,
                                    int num_outputs) {
  std::vector<int> in, out(num_outputs, kUnknownType);
  for (const NDArray& a : inputs) in.push_back(static_cast<int>(a.dtype()));
  InferTypeContext ctx(attrs, &in, &out, attrs.op->ListInputs(attrs));
  attrs.op->infer_type()(&ctx);
  std::vector<DType> types;
  for (int t : out) {
    types.push_back(t == kUnknownType ? DType::kFloat32 : DTypeFromCode(t));
  }
  return types;
}

TensorView ViewOf(const NDArray& a) {
  TensorView v;
  v.data = a.RawData();
  v.shape = a.shape();
  v.dtype = a.dtype();
  v.ctx = a.context();
  return v;
}

}  // namespace

std::vector<NDArray> InvokeOp(const std::string& op_name,
                              const std::vector<NDArray>& inputs,
                              const AttrDict& params,
                              const InvokeOptions& options) {
  const OpDef& op = OpRegistry::Global().Get(op_name);
  AttrDict dict = params;
  op.CountInputs(inputs.size(), &dict);
  auto attrs = std::make_shared<NodeAttrs>(MakeNodeAttrs(
      op, options.name.empty() ? op.name() : options.name, std::move(dict)));
  const std::vector<std::string> names = op.ListInputs(*attrs);
  MX_CHECK(inputs.size() == names.size(), attrs->Where(), ": takes ",
           names.size(), " inputs (", Join(names, ", "), "), got ",
           inputs.size());
  Context ctx = options.ctx;
  for (size_t i = 0; i < inputs.size(); ++i) {
    MX_CHECK(!inputs[i].is_none(), attrs->Where(), ": input ", names[i],
             " is a none array");
    if (i == 0) ctx = inputs[0].context();
    MX_CHECK(inputs[i].context() == ctx, attrs->Where(), ": input ", names[i],
             " is on ", inputs[i].context(), ", ", names[0], " on ", ctx,
             "; expected one device (copy with as_in_context)");
  }
  const int num_outputs = static_cast<int>(op.ListOutputs(*attrs).size());
  const int visible = op.NumVisibleOutputs(*attrs);
  KernelSetup setup;
  setup.attrs = attrs.get();
  for (const NDArray& a : inputs) setup.in_shapes.push_back(a.shape());
  setup.out_shapes = InferOutputShapes(*attrs, inputs, num_outputs);
  const std::vector<DType> types =
      InferOutputTypes(*attrs, inputs, num_outputs);
  setup.dtype = types.empty() ? DType::kFloat32 : types[0];
  setup.ctx = ctx;

  std::vector<NDArray> outputs;
  for (int o = 0; o < num_outputs; ++o) {
    if (o < static_cast<int>(options.out.size())) {
      const NDArray& given = options.out[o];
      MX_CHECK(given.shape() == setup.out_shapes[o] &&
                   given.dtype() == types[o] && given.context() == ctx,
               attrs->Where(), ": out[", o, "] is ", given.Describe(),
               "; expected shape ", setup.out_shapes[o], " ", types[o], " on ",
               ctx);
      outputs.push_back(given);
    } else {
      outputs.push_back(NDArray::Empty(setup.out_shapes[o], ctx, types[o]));
    }
  }
  MX_CHECK(options.out.size() <= static_cast<size_t>(visible), attrs->Where(),
           ": ", options.out.size(), " out arrays for ", visible, " outputs");

  std::shared_ptr<OpKernel> kernel = KernelRegistry::Global().Create(setup);
  std::vector<VarHandle> reads, writes;
  const size_t num_args = op.ListArguments(*attrs).size();
  for (size_t i = 0; i < inputs.size(); ++i) {
    // Auxiliary states are updated by forward (BatchNorm).
    (i < num_args ? reads : writes).push_back(inputs[i].var());
  }
  for (const NDArray& o : outputs) writes.push_back(o.var());
  NDArray workspace;
  const size_t bytes = kernel->ForwardWorkspace();
  if (bytes > 0) {
    workspace =
        NDArray::Empty(Shape{static_cast<int64_t>(bytes)}, ctx, DType::kUint8);
    writes.push_back(workspace.var());
  }
  std::mt19937_64* rng = nullptr;
  if (kernel->NeedsRandom()) {
    const RandomResource r = GetRandomResource(ctx);
    rng = r.engine;
    writes.push_back(r.var);
  }
  ForwardArgs args;
  for (const NDArray& a : inputs) args.inputs.push_back(ViewOf(a));
  for (const NDArray& a : outputs) args.outputs.push_back(ViewOf(a));
  args.req.assign(outputs.size(), OpReq::kWrite);
  // The closure keeps the arrays (and the attributes) alive until it runs.
  std::vector<NDArray> keep = inputs;
  keep.insert(keep.end(), outputs.begin(), outputs.end());
  if (!workspace.is_none()) keep.push_back(workspace);
  const bool is_train = options.is_train;
  Engine::Get()->PushSync(
      [kernel, args = std::move(args), keep = std::move(keep), attrs, rng,
       workspace_ptr = workspace.is_none() ? nullptr : workspace.RawData(),
       bytes, is_train, ctx](RunContext rc) {
        KernelContext kc;
        kc.is_train = is_train;
        kc.ctx = ctx;
        kc.workspace = workspace_ptr;
        kc.workspace_bytes = bytes;
        kc.rng = rng;
        kc.stream = rc.stream;
        kernel->Forward(kc, args);
      },
      ctx, reads, writes, 0, attrs->name);
  outputs.resize(visible);
  return outputs;
}

}  // namespace mx
