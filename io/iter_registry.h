// The iterators a config can name (mxtrain's data.train / data.val, mxinfer):
// each with its parameter schema (to validate a config before any file is
// read), its factory, and which parameters are file paths (resolved against
// the config's folder).
#ifndef MX_IO_ITER_REGISTRY_H_
#define MX_IO_ITER_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/op/param.h"
#include "io/data_iter.h"

namespace mx {
namespace io {

struct IterKind {
  std::string name;  // MXNet's: "MNISTIter", "CSVIter", "ImageRecordIter"
  std::shared_ptr<const ParamSchema> schema;
  std::function<std::unique_ptr<DataIter>(const AttrDict&)> create;
  std::vector<std::string> path_params;
};

// The kind named `name`, or nullptr.
const IterKind* FindIterKind(const std::string& name);
// All names, sorted.
std::vector<std::string> IterKindNames();

}  // namespace io
}  // namespace mx

#endif  // MX_IO_ITER_REGISTRY_H_
