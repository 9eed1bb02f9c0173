// Named labels from one iterator: a network with several loss heads takes a
// label per head ("softmax_label", "box_label"), while an iterator yields
// one label row per sample (a CSV label file, ImageRecordIter's
// label_width, NDArrayIter's (N, k) label). SelectLabels names columns of
// that row as the labels the network reads.
#ifndef MX_IO_LABEL_COLUMNS_H_
#define MX_IO_LABEL_COLUMNS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/data_iter.h"

namespace mx {
namespace io {

// One named label: columns of the iterator's label row, in order. One
// column gives shape (batch,), several (batch, k); no column means the
// whole label as it is (a renamed label).
struct LabelColumns {
  std::string name;
  std::vector<int64_t> columns;
};

// An iterator yielding `inner`'s data with `labels` as its labels (a column
// may feed several labels). mx::Error naming the label when a column is not
// in [0, inner's label width), a name is empty or repeated, or `labels` is
// empty.
std::unique_ptr<DataIter> SelectLabels(std::unique_ptr<DataIter> inner,
                                       std::vector<LabelColumns> labels);

}  // namespace io
}  // namespace mx

#endif  // MX_IO_LABEL_COLUMNS_H_
