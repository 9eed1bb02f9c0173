// The iterator stages through NDArrayIter: MXNet's last-batch semantics,
// shuffling, sharding, prefetching, Reset mid-epoch, errors from a source.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <vector>

#include "io/batch_loader.h"
#include "io/ndarray_iter.h"
#include "io/prefetcher.h"
#include "tests/testing/error_message.h"

namespace mx::io {
namespace {

using ::mx::testing::MessageOf;
using ::testing::HasSubstr;

// MXNet's test_NDArrayIter data: sample i is filled with i / 100 (integer
// division), and so is its label.
struct Data {
  NDArray data, label;
};
Data MxnetData(int64_t n) {
  std::vector<float> d(n * 4), l(n);
  for (int64_t i = 0; i < n; ++i) {
    for (int k = 0; k < 4; ++k) d[i * 4 + k] = static_cast<float>(i / 100);
    l[i] = static_cast<float>(i / 100);
  }
  return {NDArray::FromVector(d, Shape{n, 2, 2}),
          NDArray::FromVector(l, Shape{n})};
}

struct Epoch {
  int batches = 0;
  std::vector<int64_t> pads;
  std::vector<int64_t> index;  // every slot, pads included
  std::vector<float> labels;
};

Epoch ReadEpoch(DataIter* it) {
  Epoch e;
  while (it->Next()) {
    const DataBatch& b = it->Value();
    ++e.batches;
    e.pads.push_back(b.pad);
    e.index.insert(e.index.end(), b.index.begin(), b.index.end());
    const auto l = b.label[0].ToVector<float>();
    e.labels.insert(e.labels.end(), l.begin(), l.end());
    // Data and label of each slot belong to the same sample.
    const auto d = b.data[0].ToVector<float>();
    for (size_t s = 0; s < b.index.size(); ++s) {
      EXPECT_EQ(d[s * 4], static_cast<float>(b.index[s] / 100));
      EXPECT_EQ(l[s], static_cast<float>(b.index[s] / 100));
    }
  }
  return e;
}

NDArrayIterOptions Options(int64_t batch, LastBatch last, int64_t prefetch) {
  NDArrayIterOptions o;
  o.batch.batch_size = batch;
  o.batch.last_batch = last;
  o.prefetch_buffer = prefetch;
  return o;
}

TEST(BatchingTest, PadMatchesMxnetNDArrayIter) {
  const Data d = MxnetData(1000);
  for (int64_t prefetch : {0, 1, 4}) {
    auto it = CreateNDArrayIter(d.data, d.label,
                                Options(128, LastBatch::kPad, prefetch));
    EXPECT_EQ(it->ProvideData()[0].shape, (Shape{128, 2, 2}));
    EXPECT_EQ(it->ProvideLabel()[0].name, "softmax_label");
    for (int epoch = 0; epoch < 2; ++epoch) {
      const Epoch e = ReadEpoch(it.get());
      EXPECT_EQ(e.batches, 8) << "prefetch " << prefetch;
      EXPECT_EQ(e.pads.back(), 24);
      EXPECT_EQ(std::count(e.labels.begin(), e.labels.end(), 0.f), 124);
      // The padding repeats the epoch's first samples.
      for (int k = 0; k < 24; ++k) EXPECT_EQ(e.index[1000 + k], k);
      it->Reset();
    }
  }
}

TEST(BatchingTest, DiscardDropsTheLastBatch) {
  const Data d = MxnetData(1000);
  auto it =
      CreateNDArrayIter(d.data, d.label, Options(128, LastBatch::kDiscard, 2));
  const Epoch e = ReadEpoch(it.get());
  EXPECT_EQ(e.batches, 7);
  EXPECT_EQ(e.index.size(), 896u);
  EXPECT_EQ(e.pads, std::vector<int64_t>(7, 0));
}

TEST(BatchingTest, RoundBatchContinuesIntoTheNextEpoch) {
  const Data d = MxnetData(1000);
  auto it = CreateNDArrayIter(d.data, d.label,
                              Options(128, LastBatch::kRoundBatch, 2));
  const Epoch first = ReadEpoch(it.get());
  EXPECT_EQ(first.batches, 8);
  EXPECT_EQ(first.pads.back(), 24);
  for (int k = 0; k < 24; ++k) EXPECT_EQ(first.index[1000 + k], k);
  it->Reset();
  const Epoch second = ReadEpoch(it.get());
  // 976 samples left: 7 full batches, then 80 + 48 wrapped.
  EXPECT_EQ(second.batches, 8);
  EXPECT_EQ(second.index[0], 24);
  EXPECT_EQ(second.pads.back(), 48);
  it->Reset();
  EXPECT_EQ(ReadEpoch(it.get()).index[0], 48);
}

TEST(BatchingTest, FewerSamplesThanABatch) {
  const Data d = MxnetData(5);
  auto pad = CreateNDArrayIter(d.data, d.label, Options(8, LastBatch::kPad, 0));
  const Epoch e = ReadEpoch(pad.get());
  EXPECT_EQ(e.batches, 1);
  EXPECT_EQ(e.pads[0], 3);
  EXPECT_EQ(e.index, (std::vector<int64_t>{0, 1, 2, 3, 4, 0, 1, 2}));
  auto discard =
      CreateNDArrayIter(d.data, d.label, Options(8, LastBatch::kDiscard, 1));
  EXPECT_EQ(ReadEpoch(discard.get()).batches, 0);
}

TEST(BatchingTest, LabelsOfWidthTwo) {
  std::vector<float> l(20);
  for (int i = 0; i < 20; ++i) l[i] = static_cast<float>(i);
  auto it = CreateNDArrayIter(NDArray::Zeros(Shape{10, 3}),
                              NDArray::FromVector(l, Shape{10, 2}),
                              Options(4, LastBatch::kPad, 0));
  EXPECT_EQ(it->ProvideLabel()[0].shape, (Shape{4, 2}));
  ASSERT_TRUE(it->Next());
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->Value().label[0].ToVector<float>(),
            (std::vector<float>{8, 9, 10, 11, 12, 13, 14, 15}));
}

TEST(BatchingTest, ShuffleIsDeterministicAndChangesPerEpoch) {
  const Data d = MxnetData(300);
  auto make = [&](uint64_t seed) {
    NDArrayIterOptions o = Options(50, LastBatch::kDiscard, 2);
    o.order.shuffle = true;
    o.order.seed = seed;
    return CreateNDArrayIter(d.data, d.label, o);
  };
  auto a = make(7), b = make(7), c = make(8);
  const Epoch a1 = ReadEpoch(a.get()), b1 = ReadEpoch(b.get()),
              c1 = ReadEpoch(c.get());
  a->Reset();
  b->Reset();
  const Epoch a2 = ReadEpoch(a.get()), b2 = ReadEpoch(b.get());
  EXPECT_EQ(a1.index, b1.index);
  EXPECT_EQ(a2.index, b2.index);
  EXPECT_NE(a1.index, a2.index);
  EXPECT_NE(a1.index, c1.index);
  for (const Epoch* e : {&a1, &a2, &c1}) {
    std::vector<int64_t> sorted = e->index;
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < 300; ++i) ASSERT_EQ(sorted[i], i);
  }
}

TEST(BatchingTest, WithoutReshuffleEveryEpochKeepsTheFirstOrder) {
  const Data d = MxnetData(300);
  NDArrayIterOptions o = Options(50, LastBatch::kDiscard, 2);
  o.order.shuffle = true;
  o.order.seed = 7;
  o.order.reshuffle = false;
  auto it = CreateNDArrayIter(d.data, d.label, o);
  const Epoch first = ReadEpoch(it.get());
  it->Reset();
  const Epoch second = ReadEpoch(it.get());
  EXPECT_EQ(first.index, second.index);
  std::vector<int64_t> in_order(300);
  std::iota(in_order.begin(), in_order.end(), 0);
  EXPECT_NE(first.index, in_order);  // still shuffled
}

TEST(BatchingTest, ShardsCoverEverySampleOnce) {
  const Data d = MxnetData(1001);
  std::map<int64_t, int> seen;
  for (int64_t part = 0; part < 3; ++part) {
    NDArrayIterOptions o = Options(1, LastBatch::kDiscard, 1);
    o.order = {true, 5, 3, part};
    auto it = CreateNDArrayIter(d.data, d.label, o);
    const Epoch e = ReadEpoch(it.get());
    EXPECT_GE(e.batches, 333);
    EXPECT_LE(e.batches, 334);
    for (int64_t i : e.index) ++seen[i];
  }
  ASSERT_EQ(seen.size(), 1001u);
  for (const auto& [i, count] : seen) EXPECT_EQ(count, 1) << i;
}

TEST(BatchingTest, ResetMidEpochRestarts) {
  const Data d = MxnetData(1000);
  auto it = CreateNDArrayIter(d.data, d.label, Options(10, LastBatch::kPad, 3));
  for (int round = 0; round < 5; ++round) {
    for (int k = 0; k < round; ++k) ASSERT_TRUE(it->Next());
    it->Reset();
    ASSERT_TRUE(it->Next());
    EXPECT_EQ(it->Value().index[0], 0);
    it->Reset();
  }
  EXPECT_EQ(ReadEpoch(it.get()).batches, 100);
}

// A source that fails at one instance.
class FailingSource : public InstanceSource {
 public:
  Shape InstanceShape() const override { return Shape{2}; }
  int64_t LabelWidth() const override { return 1; }
  void Reset() override { next_ = 0; }
  bool Next(float* data, float* label, int64_t* index) override {
    MX_CHECK(next_ != 7, "'bad.rec': record 7 is corrupt");
    data[0] = data[1] = 0;
    *label = 0;
    *index = next_++;
    return next_ <= 20;
  }

 private:
  int64_t next_ = 0;
};

TEST(BatchingTest, SourceErrorsReachNextAndResetRecovers) {
  for (int64_t prefetch : {0, 2}) {
    BatchOptions o;
    o.batch_size = 4;
    Prefetcher it(
        std::make_unique<BatchLoader>(std::make_unique<FailingSource>(), o),
        prefetch);
    ASSERT_TRUE(it.Next());
    EXPECT_THAT(MessageOf([&] { it.Next(); }),
                HasSubstr("'bad.rec': record 7 is corrupt"));
    EXPECT_FALSE(it.Next());  // the epoch ended with the error
    it.Reset();
    ASSERT_TRUE(it.Next());
    EXPECT_EQ(it.Value().index[0], 0);
  }
}

TEST(BatchingTest, BatchesPerEpochIsKnownBeforeTheEpoch) {
  const Data d = MxnetData(10);
  for (LastBatch policy :
       {LastBatch::kDiscard, LastBatch::kPad, LastBatch::kRoundBatch}) {
    for (int64_t parts = 1; parts <= 3; ++parts) {
      NDArrayIterOptions o = Options(3, policy, 1);
      o.order.num_parts = parts;
      o.order.part_index = parts - 1;  // 10, 5 or 4 instances
      auto it = CreateNDArrayIter(d.data, d.label, o);
      int64_t n = 0;
      while (it->Next()) ++n;
      EXPECT_EQ(it->BatchesPerEpoch(), n)
          << "policy " << static_cast<int>(policy) << ", " << parts << " parts";
    }
  }
}

TEST(BatchingTest, BadOptionsNameTheProblem) {
  const Data d = MxnetData(10);
  NDArrayIterOptions o = Options(0, LastBatch::kPad, 0);
  EXPECT_THAT(MessageOf([&] { CreateNDArrayIter(d.data, d.label, o); }),
              HasSubstr("batch_size must be at least 1, got 0"));
  o = Options(2, LastBatch::kPad, 0);
  o.order.num_parts = 2;
  o.order.part_index = 2;
  EXPECT_THAT(MessageOf([&] { CreateNDArrayIter(d.data, d.label, o); }),
              HasSubstr("part_index 2 is outside [0, 2)"));
  EXPECT_THAT(MessageOf([&] {
                CreateNDArrayIter(d.data, NDArray::Zeros(Shape{9}),
                                  Options(2, LastBatch::kPad, 0));
              }),
              HasSubstr("label shape (9,) does not match data shape (10,2,2)"));
  EXPECT_THAT(MessageOf([] { ParseLastBatch("keep", "last_batch"); }),
              HasSubstr("last_batch: 'keep' is not a last-batch policy"));
}

}  // namespace
}  // namespace mx::io
