// The iterator interface of mx: a DataIter yields batches of NDArrays (data,
// label, pad, index) epoch by epoch. Iterators are built from stages
// (Note [Iterator stages] in docs/design_notes.md):
//   InstanceSource (one sample at a time; shuffle and sharding wrap
//   random-access sources) -> BatchLoader (host batches, last-batch policy)
//   -> Prefetcher (background thread, bounded queue, NDArrays out).
#ifndef MX_IO_DATA_ITER_H_
#define MX_IO_DATA_ITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/shape.h"
#include "core/ndarray/ndarray.h"

namespace mx {
namespace io {

// The name and batch-first shape of one array an iterator provides.
struct DataDesc {
  std::string name;
  Shape shape;
};

// One batch. `pad` counts the trailing samples that only fill the batch
// (see LastBatch); `index` holds each sample's position in its data set.
struct DataBatch {
  std::vector<NDArray> data;
  std::vector<NDArray> label;
  int64_t pad = 0;
  std::vector<int64_t> index;
};

class DataIter {
 public:
  virtual ~DataIter() = default;
  // Starts the next epoch (the first one needs no Reset).
  virtual void Reset() = 0;
  // Where `epochs` Resets would lead (epochs >= 0), without reading the
  // epochs between: what resuming at a late epoch needs.
  virtual void SkipEpochs(int64_t epochs) {
    for (int64_t e = 0; e < epochs; ++e) Reset();
  }
  // Advances to the next batch; false at the end of the epoch. Errors in
  // the data (bad file, bad record) throw mx::Error naming the file.
  virtual bool Next() = 0;
  // The current batch; valid until the next call to Next or Reset. Its
  // arrays are reused: the next Next waits for pending reads of them.
  virtual const DataBatch& Value() const = 0;
  virtual std::vector<DataDesc> ProvideData() const = 0;
  virtual std::vector<DataDesc> ProvideLabel() const = 0;
  // Seconds Next spent waiting for data since construction (0 when data is
  // produced in the caller), for the trainer's report.
  virtual double WaitSeconds() const { return 0; }
  // Batches an epoch is expected to yield (for progress and ETA); -1 when
  // unknown until an epoch has ended.
  virtual int64_t BatchesPerEpoch() const { return -1; }
};

// The names of the labels `it` provides, in order.
inline std::vector<std::string> LabelNames(const DataIter& it) {
  std::vector<std::string> names;
  for (const DataDesc& l : it.ProvideLabel()) names.push_back(l.name);
  return names;
}

// A batch in host memory, as a BatchSource produces it.
struct HostBatch {
  std::vector<float> data;   // batch * instance size
  std::vector<float> label;  // batch * label width
  int64_t pad = 0;
  std::vector<int64_t> index;
};

// Host batches epoch by epoch (the stage under a Prefetcher).
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual void Reset() = 0;
  // As DataIter::SkipEpochs.
  virtual void SkipEpochs(int64_t epochs) {
    for (int64_t e = 0; e < epochs; ++e) Reset();
  }
  // Fills `out` (sized by the source); false at the end of the epoch.
  virtual bool NextBatch(HostBatch* out) = 0;
  virtual DataDesc DataShape() const = 0;
  virtual DataDesc LabelShape() const = 0;
  // As DataIter::BatchesPerEpoch.
  virtual int64_t BatchesPerEpoch() const { return -1; }
};

}  // namespace io
}  // namespace mx

#endif  // MX_IO_DATA_ITER_H_
