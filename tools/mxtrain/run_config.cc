#include "tools/mxtrain/run_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include "core/base/env.h"
#include "core/base/file_system.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/dist/communicator.h"
#include "core/gpu/gpu.h"
#include "core/op/op.h"
#include "core/symbol/node.h"
#include "core/train/initializer.h"
#include "core/train/loss_heads.h"
#include "core/train/lr_scheduler.h"
#include "core/train/metric.h"
#include "core/train/model_info.h"
#include "core/train/optimizer.h"
#include "io/iter_registry.h"
#include "tools/mxtrain/config_compose.h"
#include "tools/mxtrain/config_schema.h"
#include "tools/mxtrain/run_keys.h"

namespace mx {
namespace {

// Devices of one process's data parallelism.
constexpr size_t kMaxDevices = 64;

std::string Dirname(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

std::string Stem(const std::string& path) {
  const size_t slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

// Whether `loc` is a --set flag (its paths are the working directory's).
bool FromFlag(const SourceLocation& loc) {
  return StartsWith(loc.file, "--set");
}

// A path as absolute: a relative one against the folder of the config file
// that wrote it (`loc`), else (--set, defaults) against the working
// directory. URIs and "" stay as they are. The run folder's config.yaml
// then repeats the run from anywhere.
std::string ResolvePath(const std::string& path, const SourceLocation& loc) {
  if (path.empty() || !UriScheme(path).empty()) return path;
  std::filesystem::path p(path);
  if (p.is_relative() && !FromFlag(loc) && loc.line > 0) {
    p = std::filesystem::path(Dirname(loc.file)) / p;
  }
  std::error_code ec;
  const std::filesystem::path abs = std::filesystem::absolute(p, ec);
  return (ec ? p : abs).lexically_normal().string();
}

// The section `key` of the top level (an empty mapping when missing).
ConfigNode* SectionNode(ConfigNode* root, const std::string& key) {
  if (root->Find(key) == nullptr) {
    root->Set(key, ConfigNode::Map(root->loc()), root->loc());
  }
  return root->Find(key);
}

// The members of a mapping other than `type`, as op-style parameter text.
AttrDict ParamsOf(const ConfigNode& node, const std::string& path,
                  Diagnostics* diag) {
  AttrDict out;
  for (const auto& m : node.members()) {
    if (m.key == "type") continue;
    if (m.value.IsScalar()) {
      out[m.key] = m.value.text();
    } else if (m.value.IsList()) {
      std::vector<std::string> parts;
      for (const ConfigNode& item : m.value.items())
        parts.push_back(item.text());
      out[m.key] = PythonTupleOf(parts);
    } else {
      diag->Add(m.value.loc(), KeyPath(path, m.key),
                StrCat("expected a value, got ", m.value.KindName()));
    }
  }
  return out;
}

// Runs `make` (a factory parsing `params`); its problems are reported at the
// keys they name, others at `type`.
void Located(const ConfigNode& node, const std::string& path,
             const std::function<void()>& make, Diagnostics* diag) {
  try {
    make();
  } catch (const ParamError& e) {
    diag->AddParamError(e, node, path, "");
  } catch (const mx::Error& e) {
    const ConfigNode* type = node.Find("type");
    diag->Add(type != nullptr ? type->loc() : node.loc(),
              type != nullptr ? KeyPath(path, "type") : path, e.what());
  }
}

// Checks the parameters of a {type: NAME, ...} section (`node` at `path`)
// against `schema_of(type)` (problems at their keys, an unknown type at
// `type`) and writes their defaults into it, but `skip`'s.
void CheckTyped(
    ConfigNode* node, const std::string& path, const std::string& type,
    const AttrDict& params,
    const std::function<const ParamSchema&(const std::string&)>& schema_of,
    const std::vector<std::string>& skip, Diagnostics* diag) {
  Located(
      *node, path,
      [&] {
        const ParamSchema& schema = schema_of(type);
        WriteDefaults(node, schema, schema.Parse(params, path), skip);
      },
      diag);
}

// Writes the parameter defaults of each op layer of network.layers into it:
// not the layers of blocks (templates), nor the input count of a variadic
// op (its inputs give it, here as in the builder).
void WriteLayerDefaults(ConfigNode* network) {
  ConfigNode* layers = network->IsMap() ? network->Find("layers") : nullptr;
  if (layers == nullptr || !layers->IsList()) return;
  for (ConfigNode& layer : layers->items()) {
    const ConfigNode* op_node = layer.IsMap() ? layer.Find("op") : nullptr;
    const OpDef* op = op_node != nullptr && op_node->IsScalar()
                          ? OpRegistry::Global().Find(op_node->text())
                          : nullptr;
    if (op == nullptr) continue;
    ConfigNode params = ConfigNode::Map();
    for (const ConfigMember& m : layer.members()) {
      const auto& keys = LayerKeys();
      if (std::find(keys.begin(), keys.end(), m.key) == keys.end()) {
        params.Set(m.key, m.value);
      }
    }
    Diagnostics unused;  // the layer was checked when the network was built
    AttrDict attrs = ParamsOf(params, "", &unused);
    // A variadic op counts its inputs, as the network builder does.
    const std::string& count = op->variadic_key();
    const ConfigNode* inputs = layer.Find("inputs");
    op->CountInputs(
        inputs != nullptr && inputs->IsList() ? inputs->items().size() : 1,
        &attrs);
    try {
      WriteDefaults(&layer, op->schema(), op->schema().Parse(attrs, ""),
                    {count});
    } catch (const ParamError&) {
      // Values the builder read otherwise (a nested list): left as written.
    }
  }
}

// A {type: NAME, ...params} section: the type (default `def`) and params.
std::pair<std::string, AttrDict> TypedSection(ConfigNode* root,
                                              const std::string& key,
                                              const std::string& def,
                                              Diagnostics* diag) {
  ConfigNode* node = root->Find(key);
  if (node == nullptr) {
    root->Set(key, ConfigNode::Map(root->loc()));
    node = root->Find(key);
  }
  if (node->IsScalar()) {  // "optimizer: adam" is short for {type: adam}
    ConfigNode map = ConfigNode::Map(node->loc());
    map.Set("type", *node, node->loc());
    *node = map;
  }
  if (!node->IsMap()) {
    diag->Add(node->loc(), key,
              StrCat("expected a mapping {type: ..., parameters}, got ",
                     node->KindName()));
    return {def, {}};
  }
  if (node->Find("type") == nullptr) {
    node->Set("type", ConfigNode::Scalar(def, node->loc()), node->loc());
  }
  const ConfigNode* type = node->Find("type");
  if (!type->IsScalar()) {
    diag->Add(type->loc(), key + ".type", "expected a name");
    return {def, {}};
  }
  return {type->text(), ParamsOf(*node, key, diag)};
}

// data.val must measure the same samples every epoch, or epochs (and the
// best checkpoint) are compared on different data: unless the config says
// otherwise it reads in order, padding its last batch (the padding is not
// measured); a last batch completed from the next pass (round_batch) or a
// shuffled pass that drops its tail (discard) is refused.
void SetValidationOrder(const io::IterKind& kind, ConfigNode* node,
                        const std::string& path, AttrDict* params,
                        Diagnostics* diag) {
  const auto given = [&](const char* key) -> const ConfigNode* {
    return kind.schema->Find(key) != nullptr ? node->Find(key) : nullptr;
  };
  const auto truthy = [](const std::string& v) {
    bool b = false;
    return ParamTraits<bool>::Parse(v, &b).empty() && b;
  };
  const auto set_default = [&](const char* key, const char* value) {
    if (kind.schema->Find(key) == nullptr || node->Find(key) != nullptr) return;
    (*params)[key] = value;
    node->Set(key, ConfigNode::Scalar(value, node->loc()), node->loc());
  };
  if (const ConfigNode* v = given("round_batch"); v && truthy(v->text())) {
    diag->Add(v->loc(), KeyPath(path, "round_batch"),
              "round_batch: true would start each validation pass where the "
              "last one ended, so epochs would be measured on different "
              "samples; remove it (data.val pads its last batch instead)");
  }
  if (const ConfigNode* v = given("last_batch")) {
    const ConfigNode* shuffle = given("shuffle");
    const bool shuffled =
        shuffle != nullptr
            ? truthy(shuffle->text())
            : kind.schema->Find("shuffle") != nullptr &&
                  truthy(kind.schema->Find("shuffle")->default_text);
    if (v->text() == "round_batch" || (v->text() == "discard" && shuffled)) {
      diag->Add(v->loc(), KeyPath(path, "last_batch"),
                StrCat("last_batch: ", v->text(),
                       v->text() == "discard" ? " with shuffle" : "",
                       " would measure different samples each epoch; use "
                       "pad (the default for data.val)"));
    }
  }
  set_default("round_batch", "False");
  set_default("last_batch", "pad");
  set_default("shuffle", "False");
}

IterConfig ReadIter(ConfigNode* node, const std::string& path, bool validation,
                    Diagnostics* diag) {
  IterConfig it;
  it.path = path;
  it.loc = node->loc();
  if (!node->IsMap()) {
    diag->Add(node->loc(), path,
              StrCat("expected a mapping {type: MNISTIter, ...}, got ",
                     node->KindName()));
    return it;
  }
  const ConfigNode* type = node->Find("type");
  if (type == nullptr || !type->IsScalar()) {
    diag->Add(type ? type->loc() : node->loc(), KeyPath(path, "type"),
              StrCat("missing the iterator type (one of ",
                     param_detail::QuoteList(io::IterKindNames()), ")"));
    return it;
  }
  const io::IterKind* kind = io::FindIterKind(type->text());
  if (kind == nullptr) {
    diag->Add(type->loc(), KeyPath(path, "type"),
              StrCat("unknown iterator '", type->text(), "'",
                     DidYouMean(type->text(), io::IterKindNames()),
                     "; iterators: ", Join(io::IterKindNames(), ", ")));
    return it;
  }
  it.type = kind->name;
  // YAML reads MXNet's "NULL" (label_csv: NULL) as null: for a parameter
  // whose default is MXNet's NULL, null is that default.
  for (ConfigMember& m : node->members()) {
    const ParamField* field = kind->schema->Find(m.key);
    if (m.value.IsNull() && field != nullptr &&
        (field->default_text == "NULL" || field->default_text == "None")) {
      m.value = ConfigNode::Scalar(field->default_text, m.value.loc());
    }
  }
  it.params = ParamsOf(*node, path, diag);
  for (const std::string& p : kind->path_params) {
    auto found = it.params.find(p);
    ConfigNode* written = node->Find(p);
    if (found == it.params.end() || found->second == "NULL" ||
        written == nullptr || !written->IsScalar()) {
      continue;
    }
    found->second = ResolvePath(found->second, written->loc());
    *written = ConfigNode::Scalar(found->second, written->loc());
  }
  if (validation) SetValidationOrder(*kind, node, path, &it.params, diag);
  const size_t before = diag->size();
  Located(
      *node, path,
      [&] {
        const std::any parsed = kind->schema->Parse(it.params, it.type);
        // Defaults become visible in the resolved config.
        for (const auto& [k, v] : kind->schema->Print(parsed)) {
          if (node->Find(k) == nullptr) {
            node->Set(k, ConfigNode::Scalar(v, node->loc()), node->loc());
          }
        }
      },
      diag);
  it.present = diag->size() == before;
  return it;
}

// The contexts of `names`, the devices key written at `node`.
std::vector<Context> ReadDevices(const std::vector<std::string>& names,
                                 const ConfigNode* node, Diagnostics* diag) {
  std::vector<Context> out;
  if (names.size() > kMaxDevices) {
    diag->Add(
        node->loc(), "devices",
        StrCat(names.size(), " devices; a run may use at most ", kMaxDevices));
    return {Context::CPU()};
  }
  for (const std::string& name : names) {
    Context ctx;
    try {
      ctx = Context::Parse(name);
    } catch (const Error& e) {
      diag->Add(node->loc(), "devices", e.what());
      continue;
    }
    try {
      if (!ctx.IsHost()) gpu::CheckDevice(ctx);
      out.push_back(ctx);
    } catch (const Error& e) {
      diag->Add(node->loc(), "devices",
                StrCat("device '", name, "': ", e.what()));
    }
  }
  return out;
}

// A checkpoint prefix that names files in the run folder and nothing else:
// no '/', no "." or "..", no hidden or option-like names.
bool IsFileNamePrefix(const std::string& prefix) {
  if (prefix.empty() || prefix[0] == '.' || prefix[0] == '-') return false;
  for (char ch : prefix) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

// The top level's own keys into `c` (Note [Config keys]).
TopKeys ReadTop(RunConfig* config, Diagnostics* diag) {
  RunConfig& c = *config;
  const TopKeys top =
      ReadSection<TopKeys>(&c.resolved, "", TopSections(), diag);
  const auto node_of = [&](const char* key) {
    ConfigNode* node = c.resolved.Find(key);
    MX_INTERNAL_CHECK(node != nullptr, "key ", key, " has a default");
    return node;
  };
  c.name = top.name.value_or(Stem(c.file));
  if (!top.name) c.resolved.Set("name", ConfigNode::Scalar(c.name));
  c.epochs = top.epochs;
  c.seed = static_cast<uint64_t>(top.seed);
  c.devices = ReadDevices(top.devices, node_of("devices"), diag);
  c.kvstore = top.kvstore;
  if (StartsWith(c.kvstore, "dist") && !dist::LaunchedByMpi()) {
    diag->Add(
        node_of("kvstore")->loc(), "kvstore",
        StrCat("kvstore '", c.kvstore,
               "' sums gradients over the processes of an MPI job, but "
               "no MPI launcher started this one: run it as mpirun -np N "
               "mxtrain ... (docs/distributed.md), or use kvstore local"));
  }
  {
    // The default and --set values are the working directory's, a value
    // written in the file is the file's folder's (as every path there).
    // (A None default is not written: a present key is the user's.)
    const ConfigNode* written = c.resolved.Find("output");
    const SourceLocation loc =
        written != nullptr ? written->loc() : c.resolved.loc();
    c.output = ResolvePath(top.output.value_or("runs/" + c.name),
                           written != nullptr ? loc : SourceLocation{});
    c.resolved.Set("output", ConfigNode::Scalar(c.output, loc));
  }
  return top;
}

// data.classes: a list of names, or a file of them (its path made
// absolute in the resolved config).
std::vector<std::string> ReadClasses(ConfigNode* node, Diagnostics* diag) {
  const std::string path = "data.classes";
  if (node->IsScalar()) {
    const std::string file = ResolvePath(node->text(), node->loc());
    *node = ConfigNode::Scalar(file, node->loc());
    try {
      return ReadClassNames(file);
    } catch (const mx::Error& e) {
      diag->Add(node->loc(), path, e.what());
      return {};
    }
  }
  if (!node->IsList() || node->items().empty()) {
    diag->Add(node->loc(), path,
              "expected a list of class names, or the path of a text file "
              "with one per line");
    return {};
  }
  std::vector<std::string> names;
  std::set<std::string> seen;  // (a long list: no quadratic search)
  for (size_t i = 0; i < node->items().size(); ++i) {
    const ConfigNode& item = node->items()[i];
    const std::string at = StrCat(path, "[", i, "]");
    if (!item.IsScalar() || Trim(item.text()).empty()) {
      diag->Add(item.loc(), at, "expected a class name");
      continue;
    }
    if (!seen.insert(item.text()).second) {
      diag->Add(item.loc(), at,
                StrCat("class '", item.text(), "' is named twice"));
    }
    names.push_back(item.text());
  }
  return names;
}

// data.labels: {NAME: COLUMN or [COLUMNS]} (columns in range are checked
// when the iterators open: their label width is not known here).
std::vector<io::LabelColumns> ReadLabels(const ConfigNode& node,
                                         Diagnostics* diag) {
  const std::string path = "data.labels";
  constexpr int64_t kMaxColumn = 1 << 20;
  if (!node.IsMap() || node.members().empty()) {
    diag->Add(node.loc(), path,
              "expected a mapping of label names to columns of the "
              "iterators' label (e.g. {softmax_label: 0, box_label: [1, 2, 3, "
              "4]})");
    return {};
  }
  std::vector<io::LabelColumns> out;
  for (const ConfigMember& m : node.members()) {
    const std::string at = KeyPath(path, m.key);
    if (m.key == "data") {
      diag->Add(m.value.loc(), at,
                "'data' names the iterators' data, not a label (name it "
                "after the loss layer that reads it: softmax_label)");
      continue;
    }
    io::LabelColumns l;
    l.name = m.key;
    const std::vector<const ConfigNode*> items = ScalarOrItems(m.value);
    if (items.empty()) {
      diag->Add(m.value.loc(), at,
                "expected a column of the iterators' label (from 0) or a "
                "list of them");
      continue;
    }
    for (const ConfigNode* item : items) {
      int64_t column = -1;
      if (!item->IsScalar() ||
          !ParamTraits<int64_t>::Parse(item->text(), &column).empty() ||
          column < 0 || column > kMaxColumn) {
        diag->Add(
            item->loc(), at,
            StrCat("expected a column number from 0 to ", kMaxColumn, ", got ",
                   item->IsScalar() ? StrCat("'", item->text(), "'")
                                    : item->KindName()));
        continue;
      }
      l.columns.push_back(column);
    }
    out.push_back(std::move(l));
  }
  return out;
}

// data.train, data.val, data.labels and data.classes.
void ReadData(RunConfig* config, Diagnostics* diag) {
  RunConfig& c = *config;
  ConfigNode* data = SectionNode(&c.resolved, "data");
  ReadSection<DataKeys>(data, "data", DataSections(), diag);
  ConfigNode* train = data->IsMap() ? data->Find("train") : nullptr;
  if (train == nullptr) {
    // (data that is not a mapping is reported as such)
    if (data->IsMap()) {
      diag->Add(data->loc(), "data.train",
                "missing the training iterator (e.g. {type: MNISTIter, "
                "image: ..., label: ...})");
    }
  } else {
    c.train = ReadIter(train, "data.train", false, diag);
  }
  if (ConfigNode* val = data->IsMap() ? data->Find("val") : nullptr) {
    c.val = ReadIter(val, "data.val", true, diag);
  }
  if (ConfigNode* classes = data->IsMap() ? data->Find("classes") : nullptr) {
    c.classes = ReadClasses(classes, diag);
  }
  ConfigNode* labels = data->IsMap() ? data->Find("labels") : nullptr;
  if (labels != nullptr && !labels->IsNull()) {
    c.labels = ReadLabels(*labels, diag);
  }
}

// The network section, built; its layers' defaults written.
void ReadNetwork(RunConfig* config, const std::string& base_dir,
                 Diagnostics* diag) {
  RunConfig& c = *config;
  if (ConfigNode* network = c.resolved.Find("network")) {
    ConfigNode* symbol = network->IsMap() ? network->Find("symbol") : nullptr;
    if (symbol != nullptr && symbol->IsScalar()) {
      *symbol = ConfigNode::Scalar(ResolvePath(symbol->text(), symbol->loc()),
                                   symbol->loc());
    }
    ConfigNode* onnx = network->IsMap() ? network->Find("onnx") : nullptr;
    if (onnx != nullptr && onnx->IsScalar() && !onnx->text().empty()) {
      *onnx = ConfigNode::Scalar(ResolvePath(onnx->text(), onnx->loc()),
                                 onnx->loc());
    }
    const size_t problems = diag->size();
    c.network = BuildNetwork(*network, "network", base_dir, diag);
    if (diag->size() == problems) WriteLayerDefaults(network);
  } else {
    diag->Add(c.resolved.loc(), "network",
              "missing the network (network: {layers: [...]} or {symbol: "
              "FILE})");
  }
}

// One list of metrics (`node` at `path`): names, or {type: top_k_accuracy,
// top_k: 5}, or one of them alone; each checked by making it.
std::vector<std::pair<std::string, AttrDict>> ReadMetricList(
    ConfigNode* node, const std::string& path, Diagnostics* diag) {
  std::vector<std::pair<std::string, AttrDict>> out;
  std::vector<ConfigNode*> items;
  if (node->IsScalar() || node->IsMap()) {
    items.push_back(node);
  } else if (node->IsList()) {
    for (ConfigNode& m : node->items()) items.push_back(&m);
  }
  if (items.empty()) {
    diag->Add(node->loc(), path, "expected a list of metric names");
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string mpath = node->IsList() ? StrCat(path, "[", i, "]") : path;
    std::string name;
    AttrDict params;
    if (items[i]->IsScalar()) {
      name = items[i]->text();
    } else if (items[i]->IsMap() && items[i]->Find("type") != nullptr) {
      name = items[i]->Find("type")->text();
      params = ParamsOf(*items[i], mpath, diag);
    } else {
      diag->Add(items[i]->loc(), mpath,
                "expected a metric name or {type: NAME, ...}");
      continue;
    }
    try {
      EvalMetric::Create(name, params);
      out.emplace_back(name, params);
    } catch (const ParamError& e) {
      // Parameters come from a {type: ...} mapping: each at its key.
      diag->AddParamError(e, *items[i], mpath, "");
    } catch (const mx::Error& e) {
      diag->Add(items[i]->loc(), mpath, e.what());
    }
  }
  return out;
}

// The metrics a head of `task` is measured by when the config names none.
std::vector<std::string> DefaultMetrics(const std::string& task) {
  if (task == "regression") return {"mse", "mae"};
  return {"accuracy", "ce"};
}

// metrics: a list for every head that reads a label, or {HEAD: list} per
// head, into the trainer options; the default by each head's task is
// written into the config. Returns the metrics of the heads (what
// checkpoint.best_metric and early_stopping.metric may name).
std::vector<HeadMetricSpec> ReadMetrics(RunConfig* config, Diagnostics* diag) {
  RunConfig& c = *config;
  TrainerOptions& t = c.trainer;
  t.metrics.clear();
  t.head_metrics.clear();
  ConfigNode* root = &c.resolved;
  ConfigNode* node = root->Find("metrics");
  if (node == nullptr) {
    // Each head that reads a label by its task's defaults: one list when
    // they agree, else a list per head.
    std::vector<std::pair<std::string, std::vector<std::string>>> defaults;
    for (const LossHead& h : c.heads) {
      if (!h.label.empty())
        defaults.emplace_back(h.name, DefaultMetrics(h.task));
    }
    const auto list_of = [](const std::vector<std::string>& names) {
      ConfigNode list = ConfigNode::List();
      for (const std::string& n : names) list.Append(ConfigNode::Scalar(n));
      return list;
    };
    const bool agree = std::all_of(
        defaults.begin(), defaults.end(),
        [&](const auto& d) { return d.second == defaults[0].second; });
    ConfigNode def =
        list_of(defaults.empty() ? DefaultMetrics("") : defaults[0].second);
    if (!agree) {
      def = ConfigNode::Map();
      for (const auto& [head, names] : defaults) def.Set(head, list_of(names));
    }
    root->Set("metrics", def);
    node = root->Find("metrics");
    node->Relocate(root->loc());
  }
  if (node->IsMap() && node->Find("type") == nullptr) {
    std::vector<std::string> names;
    for (const LossHead& h : c.heads) names.push_back(h.name);
    for (ConfigMember& m : node->members()) {
      const std::string path = KeyPath("metrics", m.key);
      const auto head =
          std::find_if(c.heads.begin(), c.heads.end(),
                       [&](const LossHead& h) { return h.name == m.key; });
      if (head == c.heads.end()) {
        if (!c.heads.empty()) {
          diag->Add(m.value.loc(), path,
                    StrCat("'", m.key,
                           "' is not an output layer of the "
                           "network",
                           DidYouMean(m.key, names),
                           " (its heads: ", Join(names, ", "), ")"));
        }
        continue;
      }
      if (head->label.empty()) {
        diag->Add(
            m.value.loc(), path,
            StrCat("head '", m.key, "' reads no label to measure it against"));
        continue;
      }
      t.head_metrics[m.key] = ReadMetricList(&m.value, path, diag);
    }
  } else {
    t.metrics = ReadMetricList(node, "metrics", diag);
  }
  if (c.heads.empty()) {
    // (the network's own problem is reported): the metrics as one head's.
    std::vector<HeadMetricSpec> out;
    for (const auto& [name, params] : t.metrics) {
      out.push_back(
          {0, name, params, EvalMetric::Create(name, params)->name()});
    }
    return out;
  }
  try {
    return HeadMetrics(c.heads, t);
  } catch (const mx::Error& e) {
    diag->Add(node->loc(), "metrics", e.what());
    return {};
  }
}

// Resolves `*name` (a metric a key at `path` names by any of its names:
// "ce" or "cross-entropy", after its head when there are several:
// "aux.acc") to the name the metric reports, and whether lower is better; a
// diagnostic at `path` when no metric of the run has it, or several heads
// do.
void ResolveMetric(const RunConfig& c,
                   const std::vector<HeadMetricSpec>& metrics,
                   const std::string& path, std::string* name,
                   bool* lower_is_better, Diagnostics* diag) {
  std::vector<std::string> reported;
  for (const HeadMetricSpec& m : metrics) reported.push_back(m.reported);
  const size_t dot = name->rfind('.');
  const std::string head =
      dot == std::string::npos ? std::string() : name->substr(0, dot);
  const std::string metric =
      dot == std::string::npos ? *name : name->substr(dot + 1);
  std::vector<const HeadMetricSpec*> found;
  for (const HeadMetricSpec& m : metrics) {
    if (*name == m.reported) {
      found = {&m};
      break;
    }
    const std::string own = EvalMetric::Create(m.name, m.params)->name();
    const bool head_ok = head.empty() || (m.head < c.heads.size() &&
                                          c.heads[m.head].name == head);
    if (head_ok && (metric == own || EvalMetric::CanonicalName(metric) ==
                                         EvalMetric::CanonicalName(m.name))) {
      found.push_back(&m);
    }
  }
  if (found.size() == 1) {
    *name = found[0]->reported;
    *lower_is_better =
        EvalMetric::Create(found[0]->name, found[0]->params)->lower_is_better();
    return;
  }
  if (metrics.empty()) return;  // (the metrics' own problem is reported)
  if (found.size() > 1) {
    std::vector<std::string> which;
    for (const HeadMetricSpec* m : found) which.push_back(m->reported);
    diag->Add(LocationOf(c, path), path,
              StrCat("'", *name, "' is measured on several heads: name one (",
                     Join(which, ", "), ")"));
    return;
  }
  diag->Add(
      LocationOf(c, path), path,
      StrCat("'", *name, "' is not one of the run's metrics",
             DidYouMean(*name, reported), " (", Join(reported, ", "), ")"));
}

// The checkpoint section; best_metric resolved among `metrics`.
void ReadCheckpoint(RunConfig* config,
                    const std::vector<HeadMetricSpec>& metrics,
                    Diagnostics* diag) {
  RunConfig& c = *config;
  ConfigNode* node = SectionNode(&c.resolved, "checkpoint");
  const CheckpointKeys keys =
      ReadSection<CheckpointKeys>(node, "checkpoint", {}, diag);
  CheckpointConfig& k = c.checkpoint;
  k.prefix = keys.prefix;
  k.every = keys.every;
  k.keep_last = keys.keep_last;
  k.keep_best = keys.keep_best;
  // By default the first metric.
  k.best_metric = keys.best_metric.value_or(
      metrics.empty() ? "accuracy" : metrics[0].reported);
  ResolveMetric(c, metrics, "checkpoint.best_metric", &k.best_metric,
                &k.lower_is_better, diag);
  if (node->IsMap() && !keys.best_metric) {
    node->Set("best_metric", ConfigNode::Scalar(k.best_metric, node->loc()),
              node->loc());
  }
  k.pretrained = keys.pretrained;
  if (ConfigNode* pretrained =
          node->IsMap() ? node->Find("pretrained") : nullptr) {
    k.pretrained = ResolvePath(k.pretrained, pretrained->loc());
    *pretrained = ConfigNode::Scalar(k.pretrained, pretrained->loc());
  }
  k.frozen = keys.frozen;
  if (UriScheme(k.prefix).empty() && !IsFileNamePrefix(k.prefix)) {
    diag->Add(LocationOf(c, "checkpoint.prefix"), "checkpoint.prefix",
              StrCat("'", k.prefix,
                     "' is not a file-name prefix (letters, digits, '_', "
                     "'-' and '.', not starting with '.' or '-'; the files "
                     "go in the run folder), nor a URI such as "
                     "s3://bucket/runs/net/model"));
  }
}

// The early_stopping section, when present; its metric resolved among
// `metrics` (default: the best checkpoint's).
void ReadEarlyStopping(RunConfig* config,
                       const std::vector<HeadMetricSpec>& metrics,
                       Diagnostics* diag) {
  RunConfig& c = *config;
  ConfigNode* node = c.resolved.Find("early_stopping");
  if (node == nullptr) return;
  const EarlyStoppingKeys keys =
      ReadSection<EarlyStoppingKeys>(node, "early_stopping", {}, diag);
  EarlyStoppingPolicy& e = c.early_stopping;
  e.enabled = true;
  e.patience = keys.patience;
  e.min_delta = keys.min_delta;
  e.metric = keys.metric.value_or(c.checkpoint.best_metric);
  e.lower_is_better = c.checkpoint.lower_is_better;
  ResolveMetric(c, metrics, "early_stopping.metric", &e.metric,
                &e.lower_is_better, diag);
  if (node->IsMap() && !keys.metric) {
    node->Set("metric", ConfigNode::Scalar(e.metric, node->loc()), node->loc());
  }
}

// The labels the network reads and its heads: data.labels, or the
// iterators' one label named softmax_label, or named as the network's one
// label input. The network's inputs must be the iterators' arrays.
void ConnectLabels(RunConfig* config, Diagnostics* diag) {
  RunConfig& c = *config;
  if (c.network.symbol.outputs().empty()) return;
  const std::vector<std::string> args = c.network.symbol.ListArguments();
  const auto has = [&](const std::string& a) {
    return std::find(args.begin(), args.end(), a) != args.end();
  };
  const std::vector<std::string> wanted = LabelArguments(c.network.symbol);
  const bool configured = !c.labels.empty();  // data.labels
  if (c.labels.empty() && wanted.size() == 1 && wanted[0] != "softmax_label") {
    c.labels.push_back({wanted[0], {}});  // the whole label, renamed
  }
  std::vector<std::string> given;
  for (const io::LabelColumns& l : c.labels) given.push_back(l.name);
  if (given.empty()) given.push_back("softmax_label");
  if (!has("data")) {
    diag->Add(LocationOf(c, "network"), "network",
              StrCat("the network has no input 'data', which the data "
                     "iterators provide (the first layer reads 'data'); its "
                     "inputs: ",
                     Join(args, ", ")));
  }
  for (const std::string& label : given) {
    if (has(label)) continue;
    if (configured) {
      diag->Add(
          LocationOf(c, KeyPath("data.labels", label)),
          KeyPath("data.labels", label),
          StrCat("the network has no input '", label, "'",
                 DidYouMean(label, wanted), " (its labels: ",
                 wanted.empty() ? std::string("none") : Join(wanted, ", "),
                 ")"));
    } else {
      diag->Add(LocationOf(c, "network"), "network",
                StrCat("the network has no input '", label,
                       "', which the data iterators provide (name the loss "
                       "layer 'softmax' to get 'softmax_label', or map the "
                       "labels with data.labels); its inputs: ",
                       Join(args, ", ")));
    }
  }
  for (const std::string& label : wanted) {
    if (std::find(given.begin(), given.end(), label) != given.end()) continue;
    diag->Add(
        LocationOf(c, configured ? "data.labels" : "data"),
        configured ? "data.labels" : "data",
        StrCat("the network reads label '", label,
               "', which no iterator gives: name it in data.labels with the "
               "columns of the iterators' label it is (e.g. data.labels: {",
               given[0], ": 0, ", label, ": 1})"));
  }
  c.heads = LossHeads(c.network.symbol, given);
}

}  // namespace

RunConfig LoadRunConfig(const std::string& path,
                        const std::vector<std::string>& overrides) {
  return LoadRunConfig(std::vector<std::string>{path}, overrides);
}

RunConfig LoadRunConfig(const std::vector<std::string>& paths,
                        const std::vector<std::string>& overrides) {
  MX_INTERNAL_CHECK(!paths.empty(), "LoadRunConfig without a config file");
  return ResolveRunConfig(LoadComposedConfig(paths), paths.back(), overrides);
}

RunConfig ResolveRunConfig(ConfigNode root, const std::string& path,
                           const std::vector<std::string>& overrides) {
  RunConfig c;
  c.file = path;
  c.resolved = std::move(root);
  for (const std::string& o : overrides) ApplyOverride(&c.resolved, o);
  c.written = c.resolved;
  const std::string base_dir = Dirname(path);
  Diagnostics diag;
  if (!c.resolved.IsMap() && !c.resolved.IsNull()) {
    diag.Add(c.resolved.loc(), "",
             StrCat("expected a mapping, got ", c.resolved.KindName()));
    diag.ThrowIfAny();
  }
  const TopKeys top = ReadTop(&c, &diag);
  ReadData(&c, &diag);
  ReadNetwork(&c, base_dir, &diag);
  ConnectLabels(&c, &diag);
  TrainerOptions& t = c.trainer;
  std::tie(t.optimizer, t.optimizer_params) =
      TypedSection(&c.resolved, "optimizer", "sgd", &diag);
  // rescale_grad's default is the trainer's: 1 / the global batch.
  CheckTyped(c.resolved.Find("optimizer"), "optimizer", t.optimizer,
             t.optimizer_params, Optimizer::Schema, {"rescale_grad"}, &diag);
  std::tie(t.lr_schedule, t.lr_schedule_params) =
      TypedSection(&c.resolved, "schedule", "constant", &diag);
  CheckTyped(c.resolved.Find("schedule"), "schedule", t.lr_schedule,
             t.lr_schedule_params, LRScheduler::Schema, {}, &diag);
  std::tie(t.initializer, t.initializer_params) =
      TypedSection(&c.resolved, "initializer", "xavier", &diag);
  CheckTyped(c.resolved.Find("initializer"), "initializer", t.initializer,
             t.initializer_params, Initializer::Schema, {}, &diag);
  const std::vector<HeadMetricSpec> metrics = ReadMetrics(&c, &diag);
  t.seed = c.seed;
  t.contexts = c.devices;
  t.kvstore = c.kvstore;
  t.on_nonfinite = top.on_nonfinite == "skip" ? NonFinitePolicy::kSkip
                                              : NonFinitePolicy::kStop;
  ReadCheckpoint(&c, metrics, &diag);
  ReadEarlyStopping(&c, metrics, &diag);
  c.logging = ReadSection<LoggingKeys>(SectionNode(&c.resolved, "logging"),
                                       "logging", {}, &diag);
  diag.ThrowIfAny();
  return c;
}

SourceLocation LocationOf(const RunConfig& config, const std::string& path) {
  const ConfigNode* node = &config.resolved;
  for (const std::string& p : Split(path, '.')) {
    const ConfigNode* next = node->IsMap() ? node->Find(p) : nullptr;
    if (next == nullptr) break;
    node = next;
  }
  SourceLocation loc = node->loc();
  if (loc.file.empty()) loc.file = config.file;
  return loc;
}

std::string CheckpointPrefix(const RunConfig& config) {
  const std::string& prefix = config.checkpoint.prefix;
  return UriScheme(prefix).empty() ? config.output + "/" + prefix : prefix;
}

void ShardData(RunConfig* config, int part, int parts) {
  Diagnostics diag;
  for (IterConfig* it : {&config->train, &config->val}) {
    if (!it->present) continue;
    const io::IterKind* kind = io::FindIterKind(it->type);
    MX_INTERNAL_CHECK(kind != nullptr, "validated iterator ", it->type);
    if (kind->schema->Find("num_parts") == nullptr) {
      diag.Add(it->loc, it->path,
               StrCat(it->type, " cannot read a part of its data, which ",
                      config->kvstore, " needs (one part per process)"));
      continue;
    }
    for (const char* key : {"num_parts", "part_index"}) {
      if (it->params.count(key)) {
        diag.Add(it->loc, StrCat(it->path, ".", key),
                 StrCat(config->kvstore, " sets ", key,
                        " from the processes of the job (", parts,
                        " parts); remove it"));
      }
    }
    it->params["num_parts"] = StrCat(parts);
    it->params["part_index"] = StrCat(part);
  }
  diag.ThrowIfAny();
}

void CheckOutputFolder(const RunConfig& config) {
  Diagnostics diag;
  const SourceLocation loc = LocationOf(config, "output");
  // mkdir -p
  std::string sofar;
  for (size_t i = 0; i <= config.output.size(); ++i) {
    if (i < config.output.size() && config.output[i] != '/') continue;
    sofar = config.output.substr(0, i);
    if (sofar.empty()) continue;
    if (::mkdir(sofar.c_str(), 0777) != 0 && errno != EEXIST) {
      diag.Add(loc, "output",
               StrCat("cannot create the run folder '", config.output,
                      "': ", std::strerror(errno), " (at '", sofar, "')"));
      diag.ThrowIfAny();
    }
  }
  struct stat st;
  if (::stat(config.output.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    diag.Add(loc, "output",
             StrCat("the run folder '", config.output, "' is not a folder"));
  } else if (::access(config.output.c_str(), W_OK | X_OK) != 0) {
    diag.Add(loc, "output",
             StrCat("the run folder '", config.output,
                    "' is not writable: ", std::strerror(errno)));
  }
  diag.ThrowIfAny();
}

namespace {

std::string GiB(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f GiB", bytes / (1u << 30));
  return text;
}

// Refuses a network that cannot fit in this machine's memory, naming its
// largest layer, instead of an anonymous out-of-memory error at bind. The
// bound is what any run needs at least: every layer's parameters, and the
// largest single output (Note [Untrusted input]).
void CheckNetworkFitsMemory(const RunConfig& config,
                            const std::map<std::string, PartialShape>& known) {
  const Symbol internals = config.network.symbol.GetInternals();
  const Shapes shapes = internals.InferShape(known);
  std::map<std::string, Shape> shape_of;
  const std::vector<std::string> outputs = internals.ListOutputs();
  for (size_t i = 0; i < outputs.size(); ++i)
    shape_of[outputs[i]] = shapes.outputs[i];
  const std::vector<std::string> args = internals.ListArguments();
  for (size_t i = 0; i < args.size(); ++i)
    shape_of[args[i]] = shapes.arguments[i];
  struct Layer {
    std::string name, op;
    double param_bytes = 0, output_bytes = 0;
    Shape output;
  };
  std::vector<Layer> layers;
  double params = 0, largest_output = 0;
  PostOrderVisit(config.network.symbol.outputs(),
                 [&](const std::shared_ptr<Node>& n) {
                   if (n->is_variable()) return;
                   Layer l{n->attrs.name, n->attrs.op->name(), 0, 0, Shape()};
                   for (const NodeEntry& in : n->inputs) {
                     const std::string& v = in.node->attrs.name;
                     if (!in.node->is_variable() || known.count(v)) continue;
                     l.param_bytes += 4.0 * shape_of[v].Size();
                   }
                   l.output = shape_of[EntryName({n, 0, 0})];
                   l.output_bytes = 4.0 * l.output.Size();
                   params += l.param_bytes;
                   largest_output = std::max(largest_output, l.output_bytes);
                   layers.push_back(l);
                 });
  const double need = params + largest_output;
  const double memory = static_cast<double>(PhysicalMemoryBytes());
  if (layers.empty() || need <= memory) return;
  const Layer& big = *std::max_element(
      layers.begin(), layers.end(), [](const Layer& a, const Layer& b) {
        return a.param_bytes + a.output_bytes < b.param_bytes + b.output_bytes;
      });
  Diagnostics diag;
  const auto loc = config.network.node_locs.find(big.name);
  const std::string message = StrCat(
      big.op, " '", big.name, "' needs ",
      GiB(big.param_bytes + big.output_bytes), " (parameters ",
      GiB(big.param_bytes), ", output ", big.output, " ", GiB(big.output_bytes),
      "), and the network at least ", GiB(need), ": more than this machine's ",
      GiB(memory), " of memory (a smaller layer or batch_size fits)");
  if (loc == config.network.node_locs.end()) {
    diag.Add(LocationOf(config, "network"), "network", message);
  } else {
    diag.Add(loc->second, config.network.node_paths.at(big.name), message);
  }
  diag.ThrowIfAny();
}

// data.classes names the classes of the first head that reads a label; a
// top-k metric needs k below its head's classes: with k >= classes every
// prediction counts as right.
void CheckMetricsFit(const RunConfig& config,
                     const std::vector<Shape>& outputs) {
  Diagnostics diag;
  const int first = FirstLabelledHead(config.heads);
  const Shape output = outputs.at(first < 0 ? 0 : config.heads[first].output);
  const std::string which =
      config.heads.size() > 1 && first >= 0
          ? StrCat(" (head '", config.heads[first].name, "')")
          : std::string();
  if (!config.classes.empty() &&
      (output.ndim() != 2 ||
       output[1] != static_cast<int64_t>(config.classes.size()))) {
    diag.Add(
        LocationOf(config, "data.classes"), "data.classes",
        StrCat(config.classes.size(), " class names, but the network's output",
               which, " ", output, " ",
               output.ndim() == 2 ? StrCat("has ", output[1], " classes")
                                  : std::string("is not (batch, classes)")));
    diag.ThrowIfAny();
  }
  const ConfigNode* metrics = config.resolved.Find("metrics");
  const auto check =
      [&](const std::vector<std::pair<std::string, AttrDict>>& list,
          const ConfigNode* node, const std::string& path, const Shape& out,
          const std::string& head) {
        if (out.ndim() < 2) return;
        const int64_t classes = out[1];
        for (size_t i = 0; i < list.size(); ++i) {
          const auto& [name, params] = list[i];
          const auto k = params.find("top_k");
          int64_t top_k = 0;
          if (k == params.end() ||
              !ParamTraits<int64_t>::Parse(k->second, &top_k).empty() ||
              top_k < classes) {
            continue;
          }
          const bool listed =
              node != nullptr && node->IsList() && i < node->items().size();
          diag.Add(listed ? node->items()[i].loc() : LocationOf(config, path),
                   listed ? StrCat(path, "[", i, "]") : path,
                   StrCat("top_k ", top_k, " is not below the network's ",
                          classes, " classes (output", head, " ", out,
                          "): every prediction would count as right"));
        }
      };
  for (const LossHead& h : config.heads) {
    if (h.label.empty() || h.output >= outputs.size()) continue;
    const std::string head =
        config.heads.size() > 1 ? StrCat(" of '", h.name, "'") : "";
    if (config.trainer.head_metrics.empty()) {
      check(config.trainer.metrics, metrics, "metrics", outputs[h.output],
            head);
      continue;
    }
    const auto it = config.trainer.head_metrics.find(h.name);
    if (it == config.trainer.head_metrics.end()) continue;
    check(it->second, metrics != nullptr ? metrics->Find(h.name) : nullptr,
          KeyPath("metrics", h.name), outputs[h.output], head);
  }
  diag.ThrowIfAny();
}

}  // namespace

void CheckNetworkShapes(const RunConfig& config,
                        const std::map<std::string, Shape>& input_shapes) {
  std::map<std::string, PartialShape> known;
  for (const auto& [name, shape] : input_shapes)
    known[name] = PartialShape(shape);
  Shapes shapes;
  try {
    shapes = config.network.symbol.InferShape(known);
  } catch (const InternalError&) {
    throw;
  } catch (const mx::Error& e) {
    const std::string message = e.what();
    // The layer the message names (the longest match wins: fc1 vs fc10).
    std::string best;
    for (const auto& [node, loc] : config.network.node_locs) {
      if (message.find("'" + node + "'") != std::string::npos &&
          node.size() > best.size()) {
        best = node;
      }
    }
    Diagnostics diag;
    if (best.empty()) {
      diag.Add(LocationOf(config, "network"), "network", message);
    } else {
      diag.Add(config.network.node_locs.at(best),
               config.network.node_paths.at(best), message);
    }
    diag.ThrowIfAny();
  }
  CheckNetworkFitsMemory(config, known);
  CheckMetricsFit(config, shapes.outputs);
}

}  // namespace mx
