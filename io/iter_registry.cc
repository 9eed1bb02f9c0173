#include "io/iter_registry.h"

#include <map>

#include "io/csv_iter.h"
#include "io/image_record_iter.h"
#include "io/mnist_iter.h"

namespace mx {
namespace io {
namespace {

const std::map<std::string, IterKind>& Kinds() {
  static const auto* const kinds = new std::map<std::string, IterKind>{
      {"MNISTIter",
       {"MNISTIter",
        MakeParamSchema<MnistIterParam>(),
        CreateMnistIter,
        {"image", "label"}}},
      {"CSVIter",
       {"CSVIter",
        MakeParamSchema<CSVIterParam>(),
        CreateCsvIter,
        {"data_csv", "label_csv"}}},
      {"ImageRecordIter",
       {"ImageRecordIter",
        MakeParamSchema<ImageRecordIterParam>(),
        CreateImageRecordIter,
        {"path_imgrec", "path_imgidx", "mean_img"}}},
  };
  return *kinds;
}

}  // namespace

const IterKind* FindIterKind(const std::string& name) {
  const auto it = Kinds().find(name);
  return it == Kinds().end() ? nullptr : &it->second;
}

std::vector<std::string> IterKindNames() {
  std::vector<std::string> names;
  for (const auto& [name, kind] : Kinds()) names.push_back(name);
  return names;
}

}  // namespace io
}  // namespace mx
