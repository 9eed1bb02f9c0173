#include "core/train/training_checkpoint.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "core/base/error.h"
#include "core/base/file_system.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "core/ndarray/ndarray_io.h"

namespace mx {
namespace {

constexpr char kCommitFormat[] = "mx-checkpoint-commit-1";
constexpr int64_t kMaxCommitBytes = 1 << 16;

// The folder of a prefix ("." for a bare name) and its files' name start.
struct PrefixParts {
  std::string dir, base;
};

PrefixParts SplitPrefix(const std::string& prefix) {
  const size_t slash = prefix.rfind('/');
  if (slash == std::string::npos) return {".", prefix + "-"};
  return {prefix.substr(0, slash), prefix.substr(slash + 1) + "-"};
}

std::string BaseName(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}

// Renames the temp files a commit record names over their targets. The
// record may only name temps of its own epoch's two files.
bool ApplyCommit(const std::string& prefix, int epoch) {
  const std::string record = CommitPath(prefix, epoch);
  const std::string dir = SplitPrefix(prefix).dir;
  const std::vector<std::string> lines =
      Split(ReadFile(record, kMaxCommitBytes), '\n');
  MX_CHECK(!lines.empty() && lines[0] == kCommitFormat, "'", record,
           "' is not a checkpoint commit record (expected the first line '",
           kCommitFormat, "')");
  const std::string targets[] = {BaseName(ParamsPath(prefix, epoch)),
                                 BaseName(StatesPath(prefix, epoch))};
  bool renamed = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string& temp = lines[i];
    if (temp.empty()) continue;
    const std::string target = TempFileTarget(temp);
    MX_CHECK(target == targets[0] || target == targets[1], "'", record,
             "' line ", i + 1, ": '", temp, "' is not a temp file of ",
             targets[0], " or ", targets[1]);
    const std::string from = dir + "/" + temp;
    if (!FileExists(from)) continue;  // renamed before the kill
    MX_CHECK(std::rename(from.c_str(), (dir + "/" + target).c_str()) == 0,
             "cannot finish the checkpoint '", record, "': renaming '", from,
             "' failed");
    renamed = true;
  }
  RemoveFile(record);
  return renamed;
}

}  // namespace

std::string CommitPath(const std::string& prefix, int epoch) {
  const std::string params = ParamsPath(prefix, epoch);
  return params.substr(0, params.size() - 6) + "commit";
}

std::string ParamsDigest(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  std::string_view rest = bytes;
  while (!rest.empty()) {
    const size_t n = std::min<size_t>(rest.size(), 1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(rest.data()),
                static_cast<uInt>(n));
    rest.remove_prefix(n);
  }
  char text[64];
  std::snprintf(text, sizeof text, "crc32:%08lx size:%zu",
                static_cast<unsigned long>(crc), bytes.size());
  return text;
}

void SaveTrainingCheckpoint(const std::string& prefix, int epoch,
                            const Symbol& symbol, const NamedParams& args,
                            const NamedParams& aux, TrainState state) {
  const std::string params = SerializeParams(args, aux);
  state.params_digest = ParamsDigest(params);
  const std::string states = SerializeTrainState(state);
  symbol.Save(SymbolPath(prefix));
  const std::string params_path = ParamsPath(prefix, epoch);
  const std::string states_path = StatesPath(prefix, epoch);
  if (!UriScheme(prefix).empty()) {
    // One object at a time; the digest finds a torn pair.
    WriteFileAtomic(params_path, params);
    WriteFileAtomic(states_path, states);
    return;
  }
  AtomicFileWriter params_file(params_path), states_file(states_path);
  params_file.Write(params);
  states_file.Write(states);
  params_file.Sync();
  states_file.Sync();
  // The commit point: from here on the new pair is the checkpoint.
  const std::string record = CommitPath(prefix, epoch);
  WriteFileAtomic(record,
                  StrCat(kCommitFormat, "\n", BaseName(params_file.temp_path()),
                         "\n", BaseName(states_file.temp_path()), "\n"));
  params_file.Publish();
  states_file.Publish();
  RemoveFile(record);
}

namespace {

std::string Mismatch(const std::string& prefix, int epoch,
                     const TrainState& state, std::string_view params) {
  const std::string digest = ParamsDigest(params);
  if (state.params_digest.empty() || state.params_digest == digest) return "";
  return StrCat("'", StatesPath(prefix, epoch),
                "' was written with other parameters than '",
                ParamsPath(prefix, epoch), "' holds (", state.params_digest,
                ", the file has ", digest,
                "): the pair is torn or mixed from two saves");
}

}  // namespace

std::string TornCheckpoint(const std::string& prefix, int epoch) {
  return Mismatch(prefix, epoch, LoadTrainState(StatesPath(prefix, epoch)),
                  ReadFile(ParamsPath(prefix, epoch)));
}

void LoadTrainingCheckpoint(const std::string& prefix, int epoch,
                            NamedParams* args, NamedParams* aux,
                            TrainState* state) {
  const std::string params_path = ParamsPath(prefix, epoch);
  const std::string params = ReadFile(params_path);
  *state = LoadTrainState(StatesPath(prefix, epoch));
  const std::string why = Mismatch(prefix, epoch, *state, params);
  MX_CHECK(why.empty(), why);
  SplitParams(DeserializeNDArrayMap(params, params_path), params_path, args,
              aux);
}

CheckpointRecovery RecoverCheckpoints(const std::string& prefix) {
  CheckpointRecovery done;
  if (!UriScheme(prefix).empty()) return done;  // no temp files there
  for (const int epoch : CheckpointEpochs(prefix, "commit")) {
    if (ApplyCommit(prefix, epoch)) done.completed.push_back(epoch);
  }
  const PrefixParts parts = SplitPrefix(prefix);
  // What is left of killed writers: temps without a commit record.
  for (const std::string& name : ListFolder(parts.dir)) {
    const std::string target = TempFileTarget(name);
    if (target.empty() || !StartsWith(target, parts.base)) continue;
    const std::string path = parts.dir + "/" + name;
    RemoveFile(path);
    done.removed.push_back(path);
  }
  return done;
}

}  // namespace mx
