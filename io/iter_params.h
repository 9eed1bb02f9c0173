// What the iterators over random-access data sets (MNISTIter,
// ImageRecordIter) share: MXNet's shuffle / seed / num_parts / part_index /
// prefetch_buffer parameters and the source -> order -> batch -> prefetch
// chain.
#ifndef MX_IO_ITER_PARAMS_H_
#define MX_IO_ITER_PARAMS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/base/strings.h"
#include "core/op/param.h"
#include "io/batch_loader.h"
#include "io/data_iter.h"
#include "io/instance_source.h"

namespace mx {
namespace io {

// Declares num_parts (documented by `num_parts_doc`) and part_index on P
// (members of those names) and checks part_index < num_parts.
template <typename P>
void DeclarePartFields(ParamDeclarer<P>* d, const char* num_parts_doc) {
  d->Field("num_parts", &P::num_parts).Default(1).Min(1).Doc(num_parts_doc);
  d->Field("part_index", &P::part_index)
      .Default(0)
      .Min(0)
      .Doc("The part this iterator reads, in [0, num_parts).");
  d->Check([](const P& p) -> std::string {
    if (p.part_index >= p.num_parts) {
      return StrCat("part_index ", p.part_index,
                    " must be smaller than num_parts ", p.num_parts);
    }
    return "";
  });
}

// Declares shuffle, seed, num_parts, part_index and prefetch_buffer on P
// (members of those names) and checks part_index < num_parts.
template <typename P>
void DeclareOrderFields(ParamDeclarer<P>* d, bool shuffle_default) {
  d->Field("shuffle", &P::shuffle)
      .Default(shuffle_default)
      .Doc(
          "Reshuffle every epoch (a permutation drawn from seed and the "
          "epoch number; MXNet shuffles once).");
  d->Field("seed", &P::seed)
      .Default(0)
      .Min(0)
      .Doc("Seed of the shuffle and of random augmentation.");
  DeclarePartFields(d,
                    "Split the data into this many contiguous parts "
                    "(distributed training).");
  d->Field("prefetch_buffer", &P::prefetch_buffer)
      .Default(4)
      .Min(0)
      .Doc(
          "Batches prepared ahead on a background thread; 0 prepares them "
          "in the caller.");
}

template <typename P>
OrderOptions OrderOf(const P& p) {
  OrderOptions o;
  o.shuffle = p.shuffle;
  o.seed = static_cast<uint64_t>(p.seed);
  o.num_parts = p.num_parts;
  o.part_index = p.part_index;
  return o;
}

// source -> OrderedSource -> BatchLoader -> Prefetcher.
std::unique_ptr<DataIter> MakeIterator(
    std::shared_ptr<const RandomAccessSource> source, const OrderOptions& order,
    const BatchOptions& batch, int64_t prefetch_buffer);

}  // namespace io
}  // namespace mx

#endif  // MX_IO_ITER_PARAMS_H_
