// Note [ONNX import]
// An ONNX graph is converted node by node, in the graph's order (ONNX's
// checker has already refused cycles and uses before definitions). Each
// ONNX tensor is a Value: a symbol computed by mx ops, or a constant known at
// import time (initializers, Constant nodes, and what converters fold from
// constants: Shape, Gather, Concat, arithmetic on shapes, ...). Constants
// stay on the host until an op needs them as a tensor; then they become
// variables with their values in ImportedModel::args (or aux, for BatchNorm's
// moving statistics). An initializer read by one node in a known role gets
// mx's name for it ("conv1_weight"), so weight decay and initializers treat it
// as mx's own layers; Constant-node values are fixed (lr_mult 0).
// Converters read every attribute they handle; an attribute left unread is an
// UnsupportedError, so nothing the importer does not understand is dropped.
#include "interop/onnx/graph_importer.h"

#include <algorithm>
#include <cctype>

#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/op/kernel.h"
#include "interop/onnx/import_context.h"

namespace mx {
namespace onnx_io {
namespace {

std::vector<int64_t> DimsOf(const onnx::TypeProto_Tensor& t) {
  std::vector<int64_t> dims;
  for (const auto& d : t.shape().dim()) {
    dims.push_back(d.has_dim_value() && d.dim_value() >= 0 ? d.dim_value()
                                                           : -1);
  }
  return dims;
}

}  // namespace

std::string SanitizeName(const std::string& name) {
  std::string out;
  for (char ch : name) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.';
    if (ok) {
      out += ch;
    } else if (out.empty() || out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && (out.front() == '_' || out.front() == '.')) {
    out.erase(out.begin());
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

GraphImporter::GraphImporter(const onnx::ModelProto& model,
                             std::string base_dir)
    : model_(model), base_dir_(std::move(base_dir)) {}

const Value* GraphImporter::Find(const std::string& tensor) const {
  const auto it = values_.find(tensor);
  return it == values_.end() ? nullptr : &it->second;
}

int GraphImporter::Uses(const std::string& tensor) const {
  const auto it = uses_.find(tensor);
  return it == uses_.end() ? 0 : it->second;
}

std::string GraphImporter::UniqueName(const std::string& wanted) {
  std::string name = wanted.empty() ? "node" : wanted;
  for (int k = 1; names_.count(name); ++k) name = StrCat(wanted, "_", k);
  names_.insert(name);
  return name;
}

Symbol GraphImporter::NewVariable(const std::string& name, const HostTensor& t,
                                  bool aux, bool fixed) {
  VariableOptions options;
  std::vector<int64_t> dims = t.dims.empty() ? std::vector<int64_t>{1} : t.dims;
  options.shape = PartialShape(dims);
  const DType dtype = ToMxType(t.type, StrCat("tensor '", name, "'"));
  if (dtype != DType::kFloat32) options.dtype = dtype;
  if (fixed) {
    options.lr_mult = 0;
    options.wd_mult = 0;
  }
  Symbol v = Symbol::Variable(name, options);
  (aux ? out_.aux : out_.args)[name] =
      ToNDArray(t, StrCat("tensor '", name, "'"));
  return v;
}

Symbol GraphImporter::Materialize(const std::string& tensor,
                                  const std::string& role_name, bool aux) {
  auto it = values_.find(tensor);
  MX_INTERNAL_CHECK(it != values_.end(), "no value '", tensor, "'");
  Value& v = it->second;
  if (v.symbol) return *v.symbol;
  MX_INTERNAL_CHECK(v.constant.has_value(), "value '", tensor, "' is empty");
  const bool role = !role_name.empty() && v.initializer && Uses(tensor) == 1;
  std::string name = role ? role_name : SanitizeName(tensor);
  if (name.empty()) name = "const";
  name = UniqueName(name);
  v.symbol = NewVariable(name, *v.constant, aux, !v.initializer);
  return *v.symbol;
}

void GraphImporter::SetSymbol(const std::string& tensor, const Symbol& s) {
  if (tensor.empty()) return;
  values_[tensor] = Value{s, std::nullopt, false};
}

void GraphImporter::SetConstant(const std::string& tensor, HostTensor t) {
  if (tensor.empty()) return;
  dims_[tensor] = t.dims;
  types_[tensor] = t.type;
  values_[tensor] = Value{std::nullopt, std::move(t), false};
}

std::optional<std::vector<int64_t>> GraphImporter::Dims(
    const std::string& tensor) const {
  const Value* v = Find(tensor);
  if (v != nullptr && v->constant) return v->constant->dims;
  const auto it = dims_.find(tensor);
  if (it == dims_.end()) return std::nullopt;
  return it->second;
}

int GraphImporter::Type(const std::string& tensor) const {
  const Value* v = Find(tensor);
  if (v != nullptr && v->constant) return v->constant->type;
  const auto it = types_.find(tensor);
  return it == types_.end() ? 0 : it->second;
}

void GraphImporter::ReadTypes(const onnx::ValueInfoProto& v) {
  if (!v.type().has_tensor_type()) return;
  const auto& t = v.type().tensor_type();
  if (t.elem_type() != 0) types_[v.name()] = t.elem_type();
  if (t.has_shape()) dims_[v.name()] = DimsOf(t);
}

std::string GraphImporter::NodeName(const onnx::NodeProto& node) {
  std::string wanted = SanitizeName(node.name());
  if (wanted.empty()) {
    const int k = op_counts_[node.op_type()]++;
    wanted = StrCat(ToLower(node.op_type()), k);
  }
  return UniqueName(wanted);
}

void GraphImporter::ConvertNode(const onnx::NodeProto& node) {
  const std::string name = NodeName(node);
  if (!node.domain().empty() && node.domain() != "ai.onnx") {
    throw NodeContext(this, node, opset_, name)
        .Unsupported(StrCat("operators of domain '", node.domain(),
                            "' are not supported (only the default "
                            "domain ai.onnx)"));
  }
  // Before opset 7, an op is converted when its definition is the one it
  // has at opset 7 (Softplus, Relu, ...); the converters know 7 onwards.
  int64_t opset = opset_;
  if (opset_ < kMinImportOpset) {
    const auto* reg = onnx::OpSchemaRegistry::Instance();
    const onnx::OpSchema* then = reg->GetSchema(node.op_type(), opset_, "");
    const onnx::OpSchema* at7 =
        reg->GetSchema(node.op_type(), kMinImportOpset, "");
    if (then == nullptr || at7 == nullptr ||
        then->since_version() != at7->since_version()) {
      throw NodeContext(this, node, opset_, name)
          .Unsupported(StrCat("the model's opset is ", opset_,
                              " and this operator changed at opset ",
                              at7 ? at7->since_version() : 0,
                              "; mx imports opsets ", kMinImportOpset, " to ",
                              kMaxImportOpset));
    }
    opset = kMinImportOpset;
  }
  NodeContext c(this, node, opset, name);
  const auto& table = Converters();
  const auto it = table.find(node.op_type());
  if (it == table.end()) {
    throw c.Unsupported("the operator is not supported by mx's importer");
  }
  try {
    it->second(c);
    c.CheckAttrsHandled();
  } catch (const UnsupportedError&) {
    throw;
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(c.Where(), 0) == 0) throw;
    throw Error(StrCat(c.Where(), ": ", what));
  } catch (const std::exception& e) {
    // protobuf, the standard library (at(), stoll): a malformed node.
    throw Error(StrCat(c.Where(), ": malformed node (", e.what(), ")"));
  }
  for (int i = 0; i < node.output_size(); ++i) {
    if (node.output(i).empty()) continue;
    MX_INTERNAL_CHECK(Find(node.output(i)) != nullptr, c.Where(),
                      ": the converter left output ", i, " unset");
  }
}

ImportedModel GraphImporter::Run() {
  for (const auto& o : model_.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") opset_ = o.version();
  }
  out_.opset = opset_;
  out_.producer =
      Trim(model_.producer_name() + " " + model_.producer_version());
  if (opset_ < 1 || opset_ > kMaxImportOpset) {
    throw UnsupportedError(StrCat("the model's opset is ", opset_,
                                  "; mx imports opsets ", kMinImportOpset,
                                  " to ", kMaxImportOpset));
  }
  const onnx::GraphProto& g = model_.graph();
  if (g.sparse_initializer_size() > 0) {
    throw UnsupportedError(StrCat("sparse initializer '",
                                  g.sparse_initializer(0).values().name(),
                                  "': sparse tensors are not supported"));
  }
  for (const auto& init : g.initializer()) {
    Value v;
    v.constant =
        FromProto(init, base_dir_, StrCat("initializer '", init.name(), "'"));
    v.initializer = true;
    values_[init.name()] = std::move(v);
  }
  for (const auto& vi : g.value_info()) ReadTypes(vi);
  for (const auto& vi : g.output()) ReadTypes(vi);
  for (const auto& in : g.input()) {
    ReadTypes(in);
    if (values_.count(in.name())) continue;  // an initializer listed as input
    if (!in.type().has_tensor_type()) {
      throw UnsupportedError(StrCat("graph input '", in.name(),
                                    "' is not a tensor (sequences, maps and "
                                    "optionals are not supported)"));
    }
    GraphInput gi;
    gi.name = in.name();
    gi.onnx_type = in.type().tensor_type().elem_type();
    if (in.type().tensor_type().has_shape()) {
      gi.dims = DimsOf(in.type().tensor_type());
    }
    DType dtype;
    try {
      dtype = ToMxType(gi.onnx_type, StrCat("graph input '", gi.name, "'"));
    } catch (const Error& e) {
      throw UnsupportedError(e.what());
    }
    VariableOptions options;
    if (dtype != DType::kFloat32) options.dtype = dtype;
    names_.insert(gi.name);
    values_[gi.name] =
        Value{Symbol::Variable(gi.name, options), std::nullopt, false};
    out_.inputs.push_back(gi);
  }
  for (const auto& node : g.node()) {
    for (const auto& i : node.input()) {
      if (!i.empty()) ++uses_[i];
    }
  }
  for (const auto& o : g.output()) ++uses_[o.name()];
  for (const auto& node : g.node()) ConvertNode(node);

  std::vector<Symbol> heads;
  for (const auto& o : g.output()) {
    MX_CHECK(Find(o.name()) != nullptr, "graph output '", o.name(),
             "' is computed by no node");
    Symbol s = Materialize(o.name(), "", false);
    // An output that is a variable (a graph input or a constant) is copied,
    // so that every output is computed by the executor; Cast to its own type
    // copies any element type.
    if (s.outputs().size() == 1 && s.outputs()[0].node->is_variable()) {
      const int type = Type(o.name());
      s = Symbol::Create(
          "Cast", {s},
          {{"dtype", DTypeName(ToMxType(type == 0 ? 1 : type, o.name()))},
           {"name", UniqueName(SanitizeName(o.name()) + "_copy")}});
    }
    heads.push_back(s);
    out_.output_names.push_back(o.name());
  }
  MX_CHECK(!heads.empty(), "the graph has no outputs");
  out_.symbol = heads.size() == 1 ? heads[0] : Symbol::Group(heads);
  CheckKernelTypes();
  return std::move(out_);
}

void GraphImporter::NoteOrigin(const std::string& mx_node,
                               const std::string& where) {
  origins_[mx_node] = where;
}

// Most mx kernels compute in float32 / float64 only: an op reached by
// integer tensors (ONNX's integer Add, Max, MaxPool, ...) is reported here,
// at import, naming the ONNX node, rather than when the model is bound.
void GraphImporter::CheckKernelTypes() const {
  const IndexedGraph g(out_.symbol.outputs());
  std::map<std::string, DType> known;
  const std::vector<std::string> read = out_.symbol.ListInputs();
  for (const GraphInput& in : out_.inputs) {
    if (std::find(read.begin(), read.end(), in.name) == read.end()) continue;
    known[in.name] = ToMxType(in.onnx_type, in.name);
  }
  const std::vector<int> types = InferEntryTypes(g, known);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = *g.nodes[i];
    if (n.is_variable() || g.entry_begin[i] == g.entry_begin[i + 1]) continue;
    const int code = types[g.entry_begin[i]];
    if (code < 0) continue;
    const DType dtype = DTypeFromCode(code);
    const auto variants =
        KernelRegistry::Global().Variants(n.attrs.op->name(), DeviceType::kCPU);
    bool found = variants.empty();  // no kernel at all: the bind says so
    std::vector<std::string> names;
    for (const KernelDef* k : variants) {
      for (DType t : k->types()) {
        found |=
            t == dtype || (dtype == DType::kFloat16 && t == DType::kFloat32);
        names.push_back(DTypeName(t));
      }
    }
    if (!found) {
      const auto it = origins_.find(n.attrs.name);
      throw UnsupportedError(
          StrCat(it == origins_.end() ? StrCat("mx node '", n.attrs.name, "'")
                                      : it->second,
                 ": mx's ", n.attrs.op->name(), " has no kernel for ",
                 DTypeName(dtype), " (only ", Join(names, ", "), ")"));
    }
  }
}

ImportedModel ImportModelFromBytes(const std::string& bytes,
                                   const std::string& source,
                                   const std::string& base_dir) {
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes)) {
    MX_THROW("'", source,
             "': not an ONNX model (the protobuf does not parse: a truncated "
             "or damaged file, or not an .onnx file)");
  }
  MX_CHECK(model.has_graph() && model.ir_version() > 0, "'", source,
           "': not an ONNX model (no ir_version or no graph)");
  try {
    // External data is looked for next to the model (our reader checks it
    // again, with the sizes).
    onnx::checker::CheckerContext context;
    context.set_model_dir(base_dir.empty() ? "." : base_dir);
    onnx::checker::check_model(model, context);
  } catch (const std::exception& e) {
    MX_THROW("'", source,
             "': ONNX's checker rejects the model: ", FirstLine(e.what()));
  }
  try {
    onnx::ShapeInferenceOptions options;
    options.check_type = false;
    options.error_mode = 0;
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    MX_THROW("'", source,
             "': ONNX's shape inference fails: ", FirstLine(e.what()));
  }
  try {
    return GraphImporter(model, base_dir).Run();
  } catch (const UnsupportedError& e) {
    throw UnsupportedError(StrCat("'", source, "': ", e.what()));
  } catch (const InternalError&) {
    throw;
  } catch (const Error& e) {
    throw Error(StrCat("'", source, "': ", e.what()));
  }
}

ImportedModel ImportModel(const std::string& path) {
  // protobuf parses at most 2 GiB; larger models keep weights as external
  // data.
  const std::string bytes = ReadFile(path, int64_t{2} << 30);
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash);
  return ImportModelFromBytes(bytes, path, dir);
}

Symbol SingleInputAs(const ImportedModel& m, const std::string& data_name) {
  std::vector<std::string> names;
  for (const GraphInput& in : m.inputs) names.push_back(in.name);
  MX_CHECK(names.size() == 1 && m.output_names.size() == 1, "the model has ",
           names.size(), " data inputs (", Join(names, ", "), ") and ",
           m.output_names.size(), " outputs; one of each is expected");
  if (names[0] == data_name) return m.symbol;
  return m.symbol({}, {{names[0], Symbol::Variable(data_name)}});
}

std::vector<std::string> SupportedImportOps() {
  std::vector<std::string> ops;
  for (const auto& [name, converter] : Converters()) ops.push_back(name);
  return ops;
}

}  // namespace onnx_io
}  // namespace mx
