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

#include "core/base/env.h"
#include "core/base/file_system.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/dist/communicator.h"
#include "core/gpu/gpu.h"
#include "core/symbol/node.h"
#include "core/train/initializer.h"
#include "core/train/lr_scheduler.h"
#include "core/train/metric.h"
#include "core/train/optimizer.h"
#include "io/iter_registry.h"

namespace mx {
namespace {

// Epochs a run may ask for: past this it is a typo (1e18), not a plan.
constexpr int64_t kMaxEpochs = 1000000;
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

std::string Child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

// Whether `loc` is a --set flag (its paths are the working directory's).
bool FromFlag(const SourceLocation& loc) {
  return StartsWith(loc.file, "--set");
}

// A path as absolute: relative ones against the config file's folder when
// the config file wrote them, else (--set, defaults) against the working
// directory. URIs and "" stay as they are. The run folder's config.yaml
// then repeats the run from anywhere.
std::string ResolvePath(const std::string& path, const std::string& base_dir,
                        bool from_file) {
  if (path.empty() || !UriScheme(path).empty()) return path;
  std::filesystem::path p(path);
  if (p.is_relative() && from_file) p = std::filesystem::path(base_dir) / p;
  std::error_code ec;
  const std::filesystem::path abs = std::filesystem::absolute(p, ec);
  return (ec ? p : abs).lexically_normal().string();
}

// Reads the keys of one mapping of the resolved tree, checking types and
// ranges, writing defaults for missing keys, and reporting unknown keys
// (with the nearest known one) when done.
class Section {
 public:
  Section(ConfigNode* node, std::string path, Diagnostics* diag)
      : node_(node), path_(std::move(path)), diag_(diag) {
    if (node_->IsNull()) *node_ = ConfigNode::Map(node_->loc());
    if (!node_->IsMap()) {
      diag_->Add(node_->loc(), path_,
                 StrCat("expected a mapping, got ", node_->KindName()));
      valid_ = false;
    }
  }

  bool valid() const { return valid_; }

  std::string String(const std::string& key, const std::string& def,
                     const std::vector<std::string>& choices = {}) {
    const ConfigNode* v = Node(key, ConfigNode::Scalar(def));
    if (v == nullptr) return def;
    if (!v->IsScalar()) return Bad(*v, key, "expected text", def);
    if (!choices.empty() &&
        std::find(choices.begin(), choices.end(), v->text()) == choices.end()) {
      return Bad(*v, key,
                 StrCat("'", v->text(), "' is not one of ",
                        param_detail::QuoteList(choices),
                        DidYouMean(v->text(), choices)),
                 def);
    }
    return v->text();
  }

  int64_t Int(const std::string& key, int64_t def, int64_t min,
              int64_t max = std::numeric_limits<int64_t>::max()) {
    const ConfigNode* v = Node(key, ConfigNode::Scalar(std::to_string(def)));
    if (v == nullptr) return def;
    int64_t out = 0;
    const std::string problem =
        v->IsScalar() && !v->quoted()
            ? ParamTraits<int64_t>::Parse(v->text(), &out)
            : std::string("expected an integer");
    if (!problem.empty()) return Bad(*v, key, problem, def);
    if (out < min) {
      return Bad(*v, key, StrCat("must be at least ", min, ", got ", out), def);
    }
    if (out > max) {
      return Bad(*v, key, StrCat("must be at most ", max, ", got ", out), def);
    }
    return out;
  }

  bool Bool(const std::string& key, bool def) {
    const ConfigNode* v = Node(key, ConfigNode::Scalar(def ? "true" : "false"));
    if (v == nullptr) return def;
    if (v->IsScalar() && !v->quoted()) {
      const std::string t = ToLower(v->text());
      if (t == "true" || t == "yes" || t == "on") return true;
      if (t == "false" || t == "no" || t == "off") return false;
    }
    return Bad(*v, key, "expected true or false", def);
  }

  // A list of texts; a single text counts as a list of one.
  std::vector<std::string> StringList(const std::string& key,
                                      const std::vector<std::string>& def) {
    ConfigNode d = ConfigNode::List();
    for (const std::string& s : def) d.Append(ConfigNode::Scalar(s));
    const ConfigNode* v = Node(key, d);
    if (v == nullptr) return def;
    if (v->IsScalar()) return {v->text()};
    std::vector<std::string> out;
    if (!v->IsList()) return Bad(*v, key, "expected a list of names", def);
    for (size_t i = 0; i < v->items().size(); ++i) {
      if (!v->items()[i].IsScalar()) {
        diag_->Add(v->items()[i].loc(), StrCat(Child(path_, key), "[", i, "]"),
                   "expected a name");
        continue;
      }
      out.push_back(v->items()[i].text());
    }
    return out;
  }

  // The node of `key` (created with `def` when missing and def is not
  // null), marking the key known.
  ConfigNode* Node(const std::string& key, const ConfigNode& def = {}) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
      known_.push_back(key);
    }
    if (!valid_) return nullptr;
    ConfigNode* v = node_->Find(key);
    if (v == nullptr && !def.IsNull()) {
      node_->Set(key, def);
      v = node_->Find(key);
      v->Relocate(node_->loc());
    }
    return v;
  }

  // Reports keys nothing asked for.
  void Finish(const std::string& what) {
    if (!valid_) return;
    for (const auto& m : node_->members()) {
      if (std::find(known_.begin(), known_.end(), m.key) != known_.end()) {
        continue;
      }
      diag_->Add(m.key_loc, Child(path_, m.key),
                 StrCat("unknown key '", m.key, "'", DidYouMean(m.key, known_),
                        "; ", what, " takes ", Join(known_, ", ")));
    }
  }

  ConfigNode* node() { return node_; }

 private:
  template <typename T>
  T Bad(const ConfigNode& v, const std::string& key, const std::string& problem,
        T def) {
    diag_->Add(v.loc(), Child(path_, key), problem);
    return def;
  }

  ConfigNode* node_;
  std::string path_;
  Diagnostics* diag_;
  std::vector<std::string> known_;
  bool valid_ = true;
};

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
      out[m.key] = "(" + Join(parts, ", ") + (parts.size() == 1 ? ",)" : ")");
    } else {
      diag->Add(m.value.loc(), Child(path, m.key),
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
              type != nullptr ? Child(path, "type") : path, e.what());
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
    diag->Add(v->loc(), Child(path, "round_batch"),
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
      diag->Add(v->loc(), Child(path, "last_batch"),
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

IterConfig ReadIter(ConfigNode* node, const std::string& path,
                    const std::string& base_dir, bool validation,
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
    diag->Add(type ? type->loc() : node->loc(), Child(path, "type"),
              StrCat("missing the iterator type (one of ",
                     param_detail::QuoteList(io::IterKindNames()), ")"));
    return it;
  }
  const io::IterKind* kind = io::FindIterKind(type->text());
  if (kind == nullptr) {
    diag->Add(type->loc(), Child(path, "type"),
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
    found->second =
        ResolvePath(found->second, base_dir, !FromFlag(written->loc()));
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

std::vector<Context> ReadDevices(Section* s, Diagnostics* diag) {
  const std::vector<std::string> names = s->StringList("devices", {"cpu"});
  std::vector<Context> out;
  const ConfigNode* node = s->Node("devices");
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

}  // namespace

RunConfig LoadRunConfig(const std::string& path,
                        const std::vector<std::string>& overrides) {
  return ResolveRunConfig(LoadYamlFile(path), path, overrides);
}

RunConfig ResolveRunConfig(ConfigNode root, const std::string& path,
                           const std::vector<std::string>& overrides) {
  RunConfig c;
  c.file = path;
  c.resolved = std::move(root);
  for (const std::string& o : overrides) ApplyOverride(&c.resolved, o);
  const std::string base_dir = Dirname(path);
  Diagnostics diag;
  Section top(&c.resolved, "", &diag);
  if (!top.valid()) diag.ThrowIfAny();
  c.name = top.String("name", Stem(path));
  c.epochs = top.Int("epochs", 10, 1, kMaxEpochs);
  c.seed = static_cast<uint64_t>(top.Int("seed", 0, 0));
  c.devices = ReadDevices(&top, &diag);
  c.kvstore = top.String("kvstore", "local",
                         {"local", "device", "dist_sync", "dist_device_sync"});
  if (StartsWith(c.kvstore, "dist") && !dist::LaunchedByMpi()) {
    diag.Add(top.Node("kvstore")->loc(), "kvstore",
             StrCat("kvstore '", c.kvstore,
                    "' sums gradients over the processes of an MPI job, but "
                    "no MPI launcher started this one: run it as mpirun -np N "
                    "mxtrain ... (docs/distributed.md), or use kvstore local"));
  }
  {
    // The default and --set values are the working directory's, a value
    // written in the file is the file's folder's (as every path there).
    const ConfigNode* written = c.resolved.Find("output");
    c.output = top.String("output", "runs/" + c.name);
    c.output = ResolvePath(c.output, base_dir,
                           written != nullptr && !FromFlag(written->loc()));
    *top.Node("output") =
        ConfigNode::Scalar(c.output, top.Node("output")->loc());
  }
  const std::string nonfinite =
      top.String("on_nonfinite", "stop", {"stop", "skip"});

  // data
  {
    Section data(top.Node("data", ConfigNode::Map()), "data", &diag);
    ConfigNode* train = data.Node("train");
    if (train == nullptr) {
      diag.Add(data.node()->loc(), "data.train",
               "missing the training iterator (e.g. {type: MNISTIter, image: "
               "..., label: ...})");
    } else {
      c.train = ReadIter(train, "data.train", base_dir, false, &diag);
    }
    if (ConfigNode* val = data.Node("val")) {
      c.val = ReadIter(val, "data.val", base_dir, true, &diag);
    }
    data.Finish("data");
  }

  // network
  if (ConfigNode* network = top.Node("network")) {
    ConfigNode* symbol = network->IsMap() ? network->Find("symbol") : nullptr;
    if (symbol != nullptr && symbol->IsScalar()) {
      *symbol = ConfigNode::Scalar(
          ResolvePath(symbol->text(), base_dir, !FromFlag(symbol->loc())),
          symbol->loc());
    }
    c.network = BuildNetwork(*network, "network", base_dir, &diag);
  } else {
    diag.Add(c.resolved.loc(), "network",
             "missing the network (network: {layers: [...]} or {symbol: "
             "FILE})");
  }

  // optimizer, schedule, initializer
  TrainerOptions& t = c.trainer;
  top.Node("optimizer");
  std::tie(t.optimizer, t.optimizer_params) =
      TypedSection(&c.resolved, "optimizer", "sgd", &diag);
  Located(
      *c.resolved.Find("optimizer"), "optimizer",
      [&] { Optimizer::Create(t.optimizer, t.optimizer_params); }, &diag);
  top.Node("schedule");
  std::tie(t.lr_schedule, t.lr_schedule_params) =
      TypedSection(&c.resolved, "schedule", "constant", &diag);
  Located(
      *c.resolved.Find("schedule"), "schedule",
      [&] { LRScheduler::Create(t.lr_schedule, 0.1, t.lr_schedule_params); },
      &diag);
  top.Node("initializer");
  std::tie(t.initializer, t.initializer_params) =
      TypedSection(&c.resolved, "initializer", "xavier", &diag);
  Located(
      *c.resolved.Find("initializer"), "initializer",
      [&] { Initializer::Create(t.initializer, t.initializer_params); }, &diag);

  // metrics: names, or {type: top_k_accuracy, top_k: 5}
  t.metrics.clear();
  {
    ConfigNode def = ConfigNode::List();
    def.Append(ConfigNode::Scalar("accuracy"));
    def.Append(ConfigNode::Scalar("ce"));
    ConfigNode* metrics = top.Node("metrics", def);
    std::vector<ConfigNode*> items;
    if (metrics->IsScalar() || metrics->IsMap()) {
      items.push_back(metrics);
    } else if (metrics->IsList()) {
      for (ConfigNode& m : metrics->items()) items.push_back(&m);
    }
    if (items.empty()) {
      diag.Add(metrics->loc(), "metrics", "expected a list of metric names");
    }
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string mpath =
          metrics->IsList() ? StrCat("metrics[", i, "]") : "metrics";
      std::string name;
      AttrDict params;
      if (items[i]->IsScalar()) {
        name = items[i]->text();
      } else if (items[i]->IsMap() && items[i]->Find("type") != nullptr) {
        name = items[i]->Find("type")->text();
        params = ParamsOf(*items[i], mpath, &diag);
      } else {
        diag.Add(items[i]->loc(), mpath,
                 "expected a metric name or {type: NAME, ...}");
        continue;
      }
      ConfigNode* where = items[i]->IsMap() ? items[i] : nullptr;
      try {
        EvalMetric::Create(name, params);
        t.metrics.emplace_back(name, params);
      } catch (const ParamError&) {
        Located(
            *where, mpath, [&] { EvalMetric::Create(name, params); }, &diag);
      } catch (const mx::Error& e) {
        diag.Add(items[i]->loc(), mpath, e.what());
      }
    }
  }
  t.seed = c.seed;
  t.contexts = c.devices;
  t.kvstore = c.kvstore;
  t.on_nonfinite =
      nonfinite == "skip" ? NonFinitePolicy::kSkip : NonFinitePolicy::kStop;

  // checkpoint
  {
    Section s(top.Node("checkpoint", ConfigNode::Map()), "checkpoint", &diag);
    CheckpointConfig& k = c.checkpoint;
    k.prefix = s.String("prefix", "model");
    k.every = s.Int("every", 1, 1);
    k.keep_last = s.Int("keep_last", 0, 0);
    k.keep_best = s.Bool("keep_best", true);
    const std::string first_metric =
        t.metrics.empty() ? "accuracy" : t.metrics[0].first;
    k.best_metric = s.String("best_metric", first_metric);
    // Ranked by the name the metric reports ("ce" reports cross-entropy),
    // named by any of its names.
    std::vector<std::string> reported;
    bool found = t.metrics.empty();
    for (const auto& [name, params] : t.metrics) {
      const auto metric = EvalMetric::Create(name, params);
      reported.push_back(metric->name());
      if (found) continue;
      if (k.best_metric == metric->name() ||
          EvalMetric::CanonicalName(k.best_metric) ==
              EvalMetric::CanonicalName(name)) {
        k.best_metric = metric->name();
        k.lower_is_better = metric->lower_is_better();
        found = true;
      }
    }
    if (!found) {
      diag.Add(s.Node("best_metric")->loc(), "checkpoint.best_metric",
               StrCat("'", k.best_metric, "' is not one of the run's metrics",
                      DidYouMean(k.best_metric, reported), " (",
                      Join(reported, ", "), ")"));
    }
    k.pretrained = s.String("pretrained", "");
    if (ConfigNode* pretrained = s.Node("pretrained")) {
      k.pretrained =
          ResolvePath(k.pretrained, base_dir, !FromFlag(pretrained->loc()));
      *pretrained = ConfigNode::Scalar(k.pretrained, pretrained->loc());
    }
    k.frozen = s.StringList("frozen", {});
    if (UriScheme(k.prefix).empty() && !IsFileNamePrefix(k.prefix)) {
      diag.Add(s.Node("prefix")->loc(), "checkpoint.prefix",
               StrCat("'", k.prefix,
                      "' is not a file-name prefix (letters, digits, '_', "
                      "'-' and '.', not starting with '.' or '-'; the files "
                      "go in the run folder), nor a URI such as "
                      "s3://bucket/runs/net/model"));
    }
    s.Finish("checkpoint");
  }

  // logging
  {
    Section s(top.Node("logging", ConfigNode::Map()), "logging", &diag);
    LoggingConfig& l = c.logging;
    l.progress = s.String("progress", "auto", {"auto", "bar", "lines", "none"});
    l.interval = s.Int("interval", 100, 1);
    l.metrics_format = s.String("metrics_format", "csv", {"csv", "jsonl"});
    l.curve = s.Bool("curve", true);
    l.level = s.String("level", "info", {"debug", "info", "warn", "error"});
    l.rank_logs = s.Bool("rank_logs", false);
    s.Finish("logging");
  }
  top.Finish("the config");

  // The network's inputs must be the iterators' arrays.
  if (!c.network.symbol.outputs().empty()) {
    const std::vector<std::string> args = c.network.symbol.ListArguments();
    for (const char* input : {"data", "softmax_label"}) {
      if (std::find(args.begin(), args.end(), input) == args.end()) {
        diag.Add(LocationOf(c, "network"), "network",
                 StrCat("the network has no input '", input,
                        "', which the data iterators provide (the first layer "
                        "reads 'data'; name the loss layer 'softmax' to get "
                        "'softmax_label'); its inputs: ",
                        Join(args, ", ")));
      }
    }
  }
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

// A top-k metric needs k below the network's classes: with k >= classes
// every prediction counts as right.
void CheckMetricsFit(const RunConfig& config, const Shape& output) {
  if (output.ndim() < 2) return;
  const int64_t classes = output[1];
  const ConfigNode* metrics = config.resolved.Find("metrics");
  Diagnostics diag;
  for (size_t i = 0; i < config.trainer.metrics.size(); ++i) {
    const auto& [name, params] = config.trainer.metrics[i];
    const auto k = params.find("top_k");
    int64_t top_k = 0;
    if (k == params.end() ||
        !ParamTraits<int64_t>::Parse(k->second, &top_k).empty() ||
        top_k < classes) {
      continue;
    }
    const bool listed =
        metrics != nullptr && metrics->IsList() && i < metrics->items().size();
    diag.Add(listed ? metrics->items()[i].loc() : LocationOf(config, "metrics"),
             listed ? StrCat("metrics[", i, "]") : "metrics",
             StrCat("top_k ", top_k, " is not below the network's ", classes,
                    " classes (output ", output,
                    "): every prediction would count as right"));
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
  CheckMetricsFit(config, shapes.outputs.at(0));
}

}  // namespace mx
