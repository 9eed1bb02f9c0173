#include "tools/fuzz/fuzz_targets.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "core/base/error.h"
#include "core/ndarray/ndarray_io.h"
#include "core/symbol/symbol.h"
#include "core/train/train_state.h"
#include "io/csv_iter.h"
#include "io/data_iter.h"
#include "io/image_record_iter.h"
#include "io/mnist_file.h"
#include "io/recordio.h"
#include "tools/fuzz/fuzz_file_system.h"
#include "tools/mxtrain/config_node.h"
#include "tools/mxtrain/run_config.h"

namespace mx {
namespace fuzz {
namespace {

// A property that must hold for every input the parser accepted.
void Require(bool holds, const char* what) {
  if (!holds) {
    std::fprintf(stderr, "fuzz: broken property: %s\n", what);
    std::abort();
  }
}

// An mxtrain config: YAML, then every check of the run's keys (paths are
// not opened, except a network.symbol file); what --print-config writes
// must read back.
void YamlConfig(std::string_view input) {
  ConfigNode root;
  try {
    root = ParseYaml(std::string(input), "/fuzz/net.yaml");
  } catch (const Error&) {
    return;
  }
  RunConfig c;
  try {
    c = ResolveRunConfig(root, "/fuzz/net.yaml", {});
  } catch (const ConfigError&) {
    return;
  }
  const std::string printed = EmitYaml(c.resolved);
  try {
    ParseYaml(printed, "printed.yaml");
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n---\n%s\n", e.what(), printed.c_str());
    Require(false, "the resolved config reads back");
  }
}

// A symbol JSON, then what binding does first with a graph: its names,
// shape inference from nothing, and the JSON it writes back.
void SymbolJson(std::string_view input) {
  Symbol s;
  try {
    s = Symbol::FromJSON(std::string(input), "fuzz-symbol.json");
  } catch (const Error&) {
    return;
  }
  s.ListArguments();
  s.ListOutputs();
  s.ListAuxiliaryStates();
  try {
    s.InferShapePartial({});
  } catch (const InternalError&) {
    throw;
  } catch (const Error&) {
  }
  const std::string json = s.ToJSON();
  Require(Symbol::FromJSON(json, "written").ToJSON() == json,
          "a symbol's JSON reads back to the same JSON");
}

// An NDArray file (.params): parsed, written and parsed again.
void Params(std::string_view input) {
  NamedArrays a;
  try {
    a = DeserializeNDArrays(input, "fuzz.params");
  } catch (const Error&) {
    return;
  }
  const std::string bytes = SerializeNDArrays(a.arrays, a.names);
  const NamedArrays b = DeserializeNDArrays(bytes, "written");
  Require(SerializeNDArrays(b.arrays, b.names) == bytes,
          "an NDArray file reads back to the same bytes");
}

// A training state (.states).
void States(std::string_view input) {
  SetFuzzFile("fuzz.states", input);
  try {
    LoadTrainState("fuzz://fuzz.states");
  } catch (const InternalError&) {
    throw;
  } catch (const Error&) {
  }
}

// IDX files of images (3-d) and labels (1-d), gzip'd or not.
void Idx(std::string_view input) {
  SetFuzzFile("fuzz-idx.gz", input);
  for (int ndim : {1, 3}) {
    try {
      io::ReadIdxFile("fuzz://fuzz-idx.gz", ndim);
    } catch (const InternalError&) {
      throw;
    } catch (const Error&) {
    }
  }
}

// Reads two epochs of `it`, as training with validation would.
void Drain(io::DataIter* it) {
  for (int epoch = 0; epoch < 2; ++epoch) {
    it->Reset();
    while (it->Next()) it->Value();
  }
}

// Every batch of `make`'s iterator; mx::Error is the iterator's answer.
template <typename Make>
void DrainIter(Make make) {
  try {
    std::unique_ptr<io::DataIter> it = make();
    Drain(it.get());
  } catch (const InternalError&) {
    throw;
  } catch (const Error&) {
  }
}

// CSVIter over the input as data, and as data and labels.
void Csv(std::string_view input) {
  SetFuzzFile("fuzz.csv", input);
  DrainIter([] {
    return io::CreateCsvIter({{"data_csv", "fuzz://fuzz.csv"},
                              {"data_shape", "(3,)"},
                              {"batch_size", "2"},
                              {"prefetch_buffer", "0"}});
  });
  DrainIter([] {
    return io::CreateCsvIter({{"data_csv", "fuzz://fuzz.csv"},
                              {"data_shape", "(1, 2)"},
                              {"label_csv", "fuzz://fuzz.csv"},
                              {"label_shape", "(2,)"},
                              {"batch_size", "3"},
                              {"round_batch", "False"},
                              {"prefetch_buffer", "0"}});
  });
}

// A RecordIO file: its records and image-record headers, ImageRecordIter
// decoding its images (skipping corrupt ones, and not), and the input read
// as an .idx index.
void RecordIo(std::string_view input) {
  SetFuzzFile("fuzz.rec", input);
  try {
    io::RecordReader reader("fuzz://fuzz.rec");
    std::string record;
    for (int i = 0; reader.Next(&record); ++i) {
      io::UnpackImageRecord(record, "record");
    }
  } catch (const InternalError&) {
    throw;
  } catch (const Error&) {
  }
  for (const char* skip : {"True", "False"}) {
    DrainIter([skip] {
      return io::CreateImageRecordIter({{"path_imgrec", "fuzz://fuzz.rec"},
                                        {"data_shape", "(3, 8, 8)"},
                                        {"batch_size", "2"},
                                        {"preprocess_threads", "1"},
                                        {"prefetch_buffer", "0"},
                                        {"skip_corrupt", skip}});
    });
  }
  SetFuzzFile("fuzz.idx", input);
  try {
    io::ReadRecordIndex("fuzz://fuzz.idx");
  } catch (const InternalError&) {
    throw;
  } catch (const Error&) {
  }
}

}  // namespace

const std::vector<FuzzTarget>& AllFuzzTargets() {
  static const std::vector<FuzzTarget> targets = {
      {"yaml_config", YamlConfig},
      {"symbol_json", SymbolJson},
      {"params", Params},
      {"states", States},
      {"idx", Idx},
      {"csv", Csv},
      {"recordio", RecordIo},
  };
  return targets;
}

const FuzzTarget* FindFuzzTarget(const std::string& name) {
  for (const FuzzTarget& t : AllFuzzTargets()) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

void RunFuzzTarget(const FuzzTarget& target, std::string_view input) {
  try {
    target.run(input);
  } catch (const InternalError& e) {
    std::fprintf(stderr, "fuzz %s: internal error: %s\n", target.name,
                 e.what());
    std::abort();
  } catch (const Error&) {
    // A parser's answer to bad input, where a target did not catch it.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz %s: an exception not ours escaped: %s\n",
                 target.name, e.what());
    std::abort();
  }
}

}  // namespace fuzz
}  // namespace mx
