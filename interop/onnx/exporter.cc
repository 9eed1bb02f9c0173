// Note [ONNX export]
// The symbol is shape- and type-inferred from the data inputs' shapes and
// the parameters, then written node by node in graph order: each mx op's
// exporter adds ONNX nodes reading the ONNX tensors of its inputs (a
// variable's name, or "<node>_<output>") and writing those of its outputs.
// Parameters become initializers when a node first reads them; data inputs
// become graph inputs with a symbolic batch axis "N". Loss layers export
// their inference outputs and their labels are never read, so labels do not
// appear in the model. The model is checked by ONNX's checker before it is
// returned.
#include "interop/onnx/exporter.h"

#include <algorithm>
#include <set>

#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/op/param.h"
#include "interop/onnx/export_context.h"

namespace mx {
namespace onnx_io {

class GraphExporter {
 public:
  GraphExporter(const Symbol& symbol,
                const std::map<std::string, NDArray>& args,
                const std::map<std::string, NDArray>& aux,
                const std::map<std::string, Shape>& input_shapes)
      : symbol_(symbol),
        g_(symbol.outputs()),
        args_(args),
        aux_(aux),
        input_shapes_(input_shapes) {}

  std::string Run();

  const IndexedGraph& graph() const { return g_; }
  const Shape& EntryShape(uint32_t e) const { return shapes_.at(e); }
  DType EntryType(uint32_t e) const { return types_.at(e); }
  std::string EntryTensor(uint32_t e) const { return tensors_.at(e); }
  bool EntryRead(uint32_t e) const { return readers_.at(e) > 0; }
  int EntryReaders(uint32_t e) const { return readers_.at(e); }
  std::string UseInput(uint32_t e);
  const HostTensor* ParamValue(uint32_t e);
  std::string UniqueName(const std::string& wanted);
  onnx::NodeProto* NewNode() { return graph_->add_node(); }
  std::string AddInitializer(const HostTensor& t, const std::string& wanted);
  // An initializer under `name` exactly (a parameter's own name).
  void AddInitializerNamed(const HostTensor& t, const std::string& name) {
    *graph_->add_initializer() = ToProto(t, name);
  }

 private:
  const NDArray* FindParam(const std::string& name) const;
  // The node whose output `entry` is.
  const Node& NodeOf(uint32_t entry) const;

  const Symbol& symbol_;
  IndexedGraph g_;
  const std::map<std::string, NDArray>& args_;
  const std::map<std::string, NDArray>& aux_;
  const std::map<std::string, Shape>& input_shapes_;
  std::vector<Shape> shapes_;
  std::vector<DType> types_;
  std::vector<std::string> tensors_;
  std::vector<int> readers_;
  std::map<uint32_t, HostTensor> param_values_;
  std::set<uint32_t> written_;    // variable entries already in the graph
  std::vector<uint32_t> inputs_;  // data variables, in first-use order
  std::set<std::string> names_;
  onnx::ModelProto model_;
  onnx::GraphProto* graph_ = nullptr;
  int64_t batch_ = -1;
};

const NDArray* GraphExporter::FindParam(const std::string& name) const {
  if (auto it = args_.find(name); it != args_.end()) return &it->second;
  if (auto it = aux_.find(name); it != aux_.end()) return &it->second;
  return nullptr;
}

std::string GraphExporter::UniqueName(const std::string& wanted) {
  std::string name = wanted;
  for (int k = 1; names_.count(name); ++k) name = StrCat(wanted, "_", k);
  names_.insert(name);
  return name;
}

std::string GraphExporter::AddInitializer(const HostTensor& t,
                                          const std::string& wanted) {
  const std::string name = UniqueName(wanted);
  *graph_->add_initializer() = ToProto(t, name);
  return name;
}

const Node& GraphExporter::NodeOf(uint32_t entry) const {
  const auto it =
      std::upper_bound(g_.entry_begin.begin(), g_.entry_begin.end(), entry);
  return *g_.nodes[it - g_.entry_begin.begin() - 1];
}

const HostTensor* GraphExporter::ParamValue(uint32_t e) {
  const Node& node = NodeOf(e);
  if (!node.is_variable()) return nullptr;
  const NDArray* p = FindParam(node.attrs.name);
  if (p == nullptr) return nullptr;
  auto it = param_values_.find(e);
  if (it == param_values_.end()) {
    it = param_values_.emplace(e, FromNDArray(*p)).first;
  }
  return &it->second;
}

std::string GraphExporter::UseInput(uint32_t e) {
  const std::string& name = tensors_.at(e);
  if (!NodeOf(e).is_variable() || written_.count(e)) return name;
  written_.insert(e);
  if (const HostTensor* t = ParamValue(e)) {
    *graph_->add_initializer() = ToProto(*t, name);
  } else {
    inputs_.push_back(e);
  }
  return name;
}

namespace {

void SetValueInfo(onnx::ValueInfoProto* v, const std::string& name,
                  const Shape& shape, DType dtype, int64_t batch) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(ToOnnxType(dtype));
  auto* s = t->mutable_shape();
  for (int i = 0; i < shape.ndim(); ++i) {
    auto* d = s->add_dim();
    if (i == 0 && batch >= 0 && shape[0] == batch) {
      d->set_dim_param("N");
    } else {
      d->set_dim_value(shape[i]);
    }
  }
}

}  // namespace

std::string GraphExporter::Run() {
  model_.set_ir_version(6);  // the IR of opset 11
  model_.set_producer_name("mx");
  model_.set_producer_version("1");
  auto* opset = model_.add_opset_import();
  opset->set_domain("");
  opset->set_version(kExportOpset);
  graph_ = model_.mutable_graph();
  graph_->set_name("mx");

  // Shapes and types of every entry.
  std::map<std::string, PartialShape> known;
  std::map<std::string, DType> known_types;
  for (const auto& [name, shape] : input_shapes_) {
    known[name] = PartialShape(shape);
    if (batch_ < 0 && shape.ndim() > 0) batch_ = shape[0];
  }
  const std::vector<std::string> inputs = symbol_.ListInputs();
  for (const std::string& name : inputs) {
    if (const NDArray* p = FindParam(name)) {
      known[name] = PartialShape(p->shape());
      known_types[name] = p->dtype();
    }
  }
  for (const auto& [name, shape] : input_shapes_) {
    MX_CHECK(std::find(inputs.begin(), inputs.end(), name) != inputs.end(),
             "input shape for '", name,
             "', which is not an input of the "
             "symbol (its inputs: ",
             Join(inputs, ", "), ")");
  }
  const std::vector<PartialShape> shapes = InferEntryShapes(g_, known);
  const std::vector<int> types = InferEntryTypes(g_, known_types);
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    for (uint32_t e = g_.entry_begin[i]; e < g_.entry_begin[i + 1]; ++e) {
      const Node& n = *g_.nodes[i];
      if (!shapes[e].IsKnown()) {
        // Labels of loss layers are never read by the exported graph.
        if (n.is_variable()) {
          shapes_.push_back(Shape());
        } else {
          MX_THROW("the shape of '",
                   EntryName({g_.nodes[i], e - g_.entry_begin[i]}),
                   "' is unknown: give the shape of every data input (got ",
                   input_shapes_.size(), ")");
        }
      } else {
        shapes_.push_back(shapes[e].ToShape());
      }
      types_.push_back(types[e] < 0 ? DType::kFloat32
                                    : DTypeFromCode(types[e]));
      tensors_.push_back(EntryName({g_.nodes[i], e - g_.entry_begin[i]}));
      names_.insert(tensors_.back());
    }
  }
  readers_ = g_.CountReaders();

  const auto& table = Exporters();
  for (size_t i = 0; i < g_.nodes.size(); ++i) {
    const Node& n = *g_.nodes[i];
    if (n.is_variable()) continue;
    const auto it = table.find(n.attrs.op->name());
    if (it == table.end()) {
      MX_THROW(n.attrs.Where(), ": the op ", n.attrs.op->name(),
               " does not export to ONNX (mx exports ",
               Join(SupportedExportOps(), ", "), ")");
    }
    ExportContext c(this, static_cast<uint32_t>(i));
    it->second(c);
  }
  for (uint32_t e : inputs_) {
    SetValueInfo(graph_->add_input(), tensors_[e], shapes_[e], types_[e],
                 batch_);
  }
  for (uint32_t e : g_.head_entries) {
    SetValueInfo(graph_->add_output(), tensors_[e], shapes_[e], types_[e],
                 batch_);
  }
  try {
    onnx::checker::check_model(model_);
  } catch (const std::exception& e) {
    throw InternalError(
        StrCat("internal error: the exported model fails "
               "ONNX's checker: ",
               FirstLine(e.what())));
  }
  return model_.SerializeAsString();
}

// ---- ExportContext ----

OnnxAttr IntAttr(const std::string& name, int64_t v) {
  OnnxAttr a;
  a.name = name;
  a.kind = OnnxAttr::kInt;
  a.i = v;
  return a;
}
OnnxAttr IntsAttr(const std::string& name, std::vector<int64_t> v) {
  OnnxAttr a;
  a.name = name;
  a.kind = OnnxAttr::kInts;
  a.ints = std::move(v);
  return a;
}
OnnxAttr FloatAttr(const std::string& name, double v) {
  OnnxAttr a;
  a.name = name;
  a.kind = OnnxAttr::kFloat;
  a.f = v;
  return a;
}
OnnxAttr StringAttr(const std::string& name, std::string v) {
  OnnxAttr a;
  a.name = name;
  a.kind = OnnxAttr::kString;
  a.s = std::move(v);
  return a;
}

ExportContext::ExportContext(GraphExporter* g, uint32_t node_id)
    : g_(g), id_(node_id), node_(*g->graph().nodes[node_id]) {
  params_ = node_.attrs.op->schema().Print(node_.attrs.parsed);
}

std::string ExportContext::Param(const std::string& p) const {
  const auto it = params_.find(p);
  MX_INTERNAL_CHECK(it != params_.end(), Where(), ": no parameter ", p);
  return it->second;
}

// Parameters are the op schema's own printout, so they parse with the same
// traits; a failure is a bug.
template <typename T>
T ParseParam(const ExportContext& c, const std::string& p) {
  T v{};
  const std::string problem = ParamTraits<T>::Parse(c.Param(p), &v);
  MX_INTERNAL_CHECK(problem.empty(), c.Where(), ": parameter ", p, " '",
                    c.Param(p), "': ", problem);
  return v;
}

int64_t ExportContext::Int(const std::string& p) const {
  return ParseParam<int64_t>(*this, p);
}

double ExportContext::Float(const std::string& p) const {
  return ParseParam<double>(*this, p);
}

bool ExportContext::Bool(const std::string& p) const {
  return ParseParam<bool>(*this, p);
}

bool ExportContext::IsNone(const std::string& p) const {
  const std::string v = Trim(Param(p));
  return v.empty() || v == "None";
}

std::vector<int64_t> ExportContext::Ints(const std::string& p) const {
  return ParseParam<std::optional<std::vector<int64_t>>>(*this, p).value_or(
      std::vector<int64_t>{});
}

int ExportContext::NumInputs() const {
  return static_cast<int>(g_->graph().input_entries[id_].size());
}

std::string ExportContext::In(int i) {
  return g_->UseInput(g_->graph().input_entries[id_].at(i));
}

const Shape& ExportContext::InShape(int i) const {
  return g_->EntryShape(g_->graph().input_entries[id_].at(i));
}

DType ExportContext::InType(int i) const {
  return g_->EntryType(g_->graph().input_entries[id_].at(i));
}

const HostTensor* ExportContext::ParamValue(int i) const {
  return g_->ParamValue(g_->graph().input_entries[id_].at(i));
}

std::string ExportContext::Out(int i) const {
  return g_->EntryTensor(g_->graph().entry_begin[id_] + i);
}

const Shape& ExportContext::OutShape(int i) const {
  return g_->EntryShape(g_->graph().entry_begin[id_] + i);
}

bool ExportContext::OutputUsed(int i) const {
  return g_->EntryRead(g_->graph().entry_begin[id_] + i);
}

std::string ExportContext::Add(const std::string& op_type,
                               const std::vector<std::string>& inputs,
                               std::vector<OnnxAttr> attrs,
                               std::vector<std::string> outputs) {
  onnx::NodeProto* n = g_->NewNode();
  n->set_op_type(op_type);
  // The node writing the op's output is named as the op (an import gives
  // back mx's names: "fc1" and its "fc1_weight"); helper nodes "fc1/Flatten".
  const bool main =
      std::find(outputs.begin(), outputs.end(), Out(0)) != outputs.end();
  n->set_name(g_->UniqueName(main ? name() : StrCat(name(), "/", op_type)));
  for (const std::string& in : inputs) n->add_input(in);
  for (std::string& out : outputs) {
    if (out.empty()) out = g_->UniqueName(StrCat(name(), "_", op_type));
    n->add_output(out);
  }
  for (const OnnxAttr& a : attrs) {
    auto* p = n->add_attribute();
    p->set_name(a.name);
    switch (a.kind) {
      case OnnxAttr::kInt:
        p->set_type(onnx::AttributeProto::INT);
        p->set_i(a.i);
        break;
      case OnnxAttr::kInts:
        p->set_type(onnx::AttributeProto::INTS);
        for (int64_t v : a.ints) p->add_ints(v);
        break;
      case OnnxAttr::kFloat:
        p->set_type(onnx::AttributeProto::FLOAT);
        p->set_f(static_cast<float>(a.f));
        break;
      case OnnxAttr::kString:
        p->set_type(onnx::AttributeProto::STRING);
        p->set_s(a.s);
        break;
    }
  }
  return outputs[0];
}

std::string ExportContext::Constant(const HostTensor& t,
                                    const std::string& suffix) {
  return g_->AddInitializer(t, name() + "_" + suffix);
}

std::string ExportContext::Int64s(const std::vector<int64_t>& v,
                                  const std::string& suffix) {
  HostTensor t;
  t.type = onnx::TensorProto::INT64;
  t.dims = {static_cast<int64_t>(v.size())};
  t.values.assign(v.begin(), v.end());
  return Constant(t, suffix);
}

std::string ExportContext::Scalar(double v, int like_input,
                                  const std::string& suffix) {
  HostTensor t;
  t.type = ToOnnxType(InType(like_input));
  t.values = {v};
  return Constant(t, suffix);
}

std::string ExportContext::ReplaceParam(int i, const HostTensor& t) {
  const uint32_t e = g_->graph().input_entries[id_].at(i);
  // A parameter only this node reads keeps its name (the original is never
  // written); a shared one gets this node's suffix.
  if (g_->EntryReaders(e) == 1) {
    g_->AddInitializerNamed(t, g_->EntryTensor(e));
    return g_->EntryTensor(e);
  }
  return g_->AddInitializer(t, g_->EntryTensor(e) + "_" + name());
}

Error ExportContext::Unsupported(const std::string& what) const {
  return Error(StrCat(Where(), ": ", what, " does not export to ONNX"));
}

// ---- entry points ----

std::string ExportModelBytes(const Symbol& symbol,
                             const std::map<std::string, NDArray>& args,
                             const std::map<std::string, NDArray>& aux,
                             const std::map<std::string, Shape>& input_shapes) {
  return GraphExporter(symbol, args, aux, input_shapes).Run();
}

void ExportModel(const Symbol& symbol,
                 const std::map<std::string, NDArray>& args,
                 const std::map<std::string, NDArray>& aux,
                 const std::map<std::string, Shape>& input_shapes,
                 const std::string& path) {
  WriteFileAtomic(path, ExportModelBytes(symbol, args, aux, input_shapes));
}

std::vector<std::string> SupportedExportOps() {
  std::vector<std::string> ops;
  for (const auto& [name, fn] : Exporters()) ops.push_back(name);
  return ops;
}

}  // namespace onnx_io
}  // namespace mx
