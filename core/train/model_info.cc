#include "core/train/model_info.h"

#include <cmath>
#include <map>

#include "core/base/error.h"
#include "core/base/file_system.h"
#include "core/base/file_util.h"
#include "core/base/json.h"
#include "core/base/strings.h"
#include "core/train/loss_heads.h"

namespace mx {
namespace {

constexpr const char* kFormat = "mx-model-meta-1";
// Bounds on what a meta file may hold (Note [Untrusted input]).
constexpr size_t kMaxRank = 8;
constexpr size_t kMaxClasses = 1000000;
constexpr int64_t kMaxMetaBytes = 64 << 20;

}  // namespace

std::string ModelInfoPath(const std::string& prefix) {
  return prefix + "-meta.json";
}

void SaveModelInfo(const std::string& prefix, const ModelInfo& info) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("format");
  w.String(kFormat);
  w.Key("sample_shape");
  w.BeginArray(false);
  for (const int64_t d : info.sample_shape) {
    w.NextItem();
    w.Int(d);
  }
  w.EndArray();
  w.Key("scale");
  w.Raw(PythonFloatRepr(info.scale));
  w.Key("task");
  w.String(info.task);
  w.Key("classes");
  w.BeginArray(info.classes.size() > 0);
  for (const std::string& c : info.classes) {
    w.NextItem();
    w.String(c);
  }
  w.EndArray();
  w.EndObject();
  out += "\n";
  WriteFileAtomic(ModelInfoPath(prefix), out);
}

std::optional<ModelInfo> LoadModelInfo(const std::string& prefix) {
  const std::string path = ModelInfoPath(prefix);
  if (!FileSystemFor(path).Exists(path)) return std::nullopt;
  const JsonValue j = ParseJson(ReadFile(path, kMaxMetaBytes), path);
  const auto member = [&](const char* key,
                          JsonValue::Kind kind) -> const JsonValue& {
    const JsonValue* v = j.IsObject() ? j.Find(key) : nullptr;
    MX_CHECK(v != nullptr && v->kind() == kind, "'", path, "': member '", key,
             "' is missing or not ",
             kind == JsonValue::Kind::kArray    ? "an array"
             : kind == JsonValue::Kind::kString ? "a string"
                                                : "a number");
    return *v;
  };
  MX_CHECK(member("format", JsonValue::Kind::kString).str() == kFormat, "'",
           path, "': format '", j.Find("format")->str(), "', expected '",
           kFormat, "'");
  ModelInfo info;
  const JsonValue& shape = member("sample_shape", JsonValue::Kind::kArray);
  MX_CHECK(shape.items().size() <= kMaxRank, "'", path, "': sample_shape has ",
           shape.items().size(), " axes, at most ", kMaxRank);
  for (const JsonValue& d : shape.items()) {
    MX_CHECK(d.IsNumber() && d.number() >= 1 && d.number() <= 1e9 &&
                 d.number() == std::floor(d.number()),
             "'", path, "': sample_shape holds '",
             d.IsNumber() ? d.number_text() : d.KindName(),
             "', expected sizes from 1 to 1e9");
    info.sample_shape.push_back(static_cast<int64_t>(d.number()));
  }
  info.scale = member("scale", JsonValue::Kind::kNumber).number();
  MX_CHECK(std::isfinite(info.scale) && info.scale >= 0, "'", path, "': scale ",
           info.scale, " is not a finite number >= 0");
  info.task = member("task", JsonValue::Kind::kString).str();
  MX_CHECK(info.task.empty() || info.task == "classification" ||
               info.task == "regression",
           "'", path, "': task '", info.task,
           "', expected classification, regression or \"\"");
  const JsonValue& classes = member("classes", JsonValue::Kind::kArray);
  MX_CHECK(classes.items().size() <= kMaxClasses, "'", path,
           "': ", classes.items().size(), " classes, at most ", kMaxClasses);
  for (const JsonValue& c : classes.items()) {
    MX_CHECK(c.IsString(), "'", path, "': classes holds a ", c.KindName(),
             ", expected names");
    info.classes.push_back(c.str());
  }
  return info;
}

std::string TaskOfHead(const Symbol& net) { return TaskOfOutput(net, 0); }

std::vector<std::string> ReadClassNames(const std::string& path) {
  const std::vector<std::string> lines =
      Split(ReadFile(path, kMaxMetaBytes), '\n');
  std::vector<std::string> names;
  std::map<std::string, size_t> line_of;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string name = Trim(lines[i]);
    if (name.empty()) continue;
    const auto [it, fresh] = line_of.emplace(name, i + 1);
    MX_CHECK(fresh, "'", path, "' line ", i + 1, ": class '", name,
             "' is named on line ", it->second, " too");
    names.push_back(name);
  }
  MX_CHECK(!names.empty(), "'", path,
           "' names no class (expected one name per line)");
  return names;
}

}  // namespace mx
