#include "core/ndarray/ndarray_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "core/base/file_util.h"
#include "tests/testing/error_message.h"
#include "tests/testing/temp_path.h"
#include "tests/testing/test_scale.h"

namespace mx {
namespace {

using testing::MessageOf;
using testing::TempPath;

std::vector<float> Arange(int n) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return v;
}

TEST(NDArrayIOTest, LoadsRealMXNetLegacyV0File) {
  const NamedArrays loaded =
      LoadNDArrays("tests/fixtures/mxnet/legacy_ndarray.v0");
  ASSERT_EQ(loaded.arrays.size(), 6u);
  EXPECT_TRUE(loaded.names.empty());
  for (const NDArray& a : loaded.arrays) {
    EXPECT_EQ(a.shape(), (Shape{128}));
    EXPECT_EQ(a.dtype(), DType::kFloat32);
    EXPECT_EQ(a.ToVector<float>(), Arange(128));
  }
}

TEST(NDArrayIOTest, LoadsV1Records) {
  // 0.11-era record: V1 magic, uint32 ndim, int64 extents, then ctx, type flag
  // and data.
  std::string bytes;
  auto put = [&](const auto& v) {
    bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
  };
  put(uint64_t{0x112}), put(uint64_t{0}), put(uint64_t{1});
  put(uint32_t{0xF993FAC8}), put(uint32_t{2}), put(int64_t{1}), put(int64_t{2});
  put(int32_t{1}), put(int32_t{0}), put(int32_t{1});  // cpu(0), float64
  put(1.5), put(-2.5);
  put(uint64_t{0});
  const NamedArrays loaded = DeserializeNDArrays(bytes, "v1");
  ASSERT_EQ(loaded.arrays.size(), 1u);
  EXPECT_EQ(loaded.arrays[0].shape(), (Shape{1, 2}));
  EXPECT_EQ(loaded.arrays[0].ToVector<double>(),
            (std::vector<double>{1.5, -2.5}));
}

TEST(NDArrayIOTest, ListRoundTripIsExact) {
  std::mt19937 rng(0);
  std::vector<NDArray> arrays;
  for (int i = 0; i < 10; ++i) {
    std::vector<int64_t> dims(1 + rng() % 4);
    for (auto& d : dims) d = 1 + rng() % 6;
    arrays.push_back(RandomNormal(0, 1, Shape(dims)));
  }
  const std::string path = TempPath("list.params");
  SaveNDArrays(path, arrays);
  const NamedArrays loaded = LoadNDArrays(path);
  ASSERT_EQ(loaded.arrays.size(), arrays.size());
  EXPECT_TRUE(loaded.names.empty());
  for (size_t i = 0; i < arrays.size(); ++i) {
    EXPECT_EQ(loaded.arrays[i].shape(), arrays[i].shape());
    EXPECT_EQ(loaded.arrays[i].ToVector<float>(), arrays[i].ToVector<float>());
  }
}

TEST(NDArrayIOTest, DictRoundTripKeepsNamesWithSpaces) {
  std::map<std::string, NDArray> dict;
  for (int i = 0; i < 5; ++i) {
    dict["narray xx " + std::to_string(i)] =
        NDArray::Full(Shape{2, static_cast<int64_t>(i + 1)}, i);
  }
  dict["arg:fc1_weight"] = NDArray::Full(Shape{3, 4}, 0.5);
  const std::string path = TempPath("dict.params");
  SaveNDArrayMap(path, dict);
  const auto loaded = LoadNDArrayMap(path);
  ASSERT_EQ(loaded.size(), dict.size());
  for (const auto& [name, array] : dict) {
    ASSERT_TRUE(loaded.count(name)) << name;
    EXPECT_EQ(loaded.at(name).shape(), array.shape());
    EXPECT_EQ(loaded.at(name).ToVector<float>(), array.ToVector<float>());
  }
}

TEST(NDArrayIOTest, EveryTypeScalarAndNoneRoundTrip) {
  std::vector<NDArray> arrays = {
      NDArray::FromVector<double>({1.25, -3}, Shape{2}),
      NDArray::FromVector<float>({7}, Shape{1}).AsType(DType::kFloat16),
      NDArray::FromVector<uint8_t>({0, 255}, Shape{2, 1}),
      NDArray::FromVector<int32_t>({-5}, Shape{1, 1, 1}),
      NDArray::FromVector<int8_t>({-128, 127}, Shape{2}),
      NDArray::FromVector<int64_t>({int64_t{1} << 40}, Shape{1}),
      NDArray::Full(Shape(), 3.5),  // 0-d: written as a V3 record
      NDArray(),                    // none
      NDArray(Shape{0, 4}),         // zero elements
  };
  const std::string bytes = SerializeNDArrays(arrays);
  const NamedArrays back = DeserializeNDArrays(bytes, "memory");
  ASSERT_EQ(back.arrays.size(), arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) {
    EXPECT_EQ(back.arrays[i].is_none(), arrays[i].is_none()) << i;
    if (arrays[i].is_none()) continue;
    EXPECT_EQ(back.arrays[i].shape(), arrays[i].shape()) << i;
    EXPECT_EQ(back.arrays[i].dtype(), arrays[i].dtype()) << i;
    std::string want(arrays[i].Bytes(), '\0'), got(arrays[i].Bytes(), '\0');
    arrays[i].SyncCopyToHost(want.data(), want.size());
    back.arrays[i].SyncCopyToHost(got.data(), got.size());
    EXPECT_EQ(got, want) << i;
  }
  EXPECT_EQ(back.arrays[6].ToScalar(), 3.5);
}

TEST(NDArrayIOTest, WritesTheV2LayoutByteForByte) {
  // One (2,) float32 array named "w": container, V2 record, names.
  const std::string bytes =
      SerializeNDArrays({NDArray::FromVector<float>({1, 2}, Shape{2})}, {"w"});
  std::string want;
  auto put = [&](const void* p, size_t n) {
    want.append(static_cast<const char*>(p), n);
  };
  const uint64_t magic = 0x112, zero = 0, one = 1;
  const uint32_t v2 = 0xF993FAC9;
  const int32_t stype = 0, ndim = 1, cpu = 1, id = 0, f32 = 0;
  const int64_t dim = 2;
  const float data[2] = {1, 2};
  put(&magic, 8), put(&zero, 8), put(&one, 8);
  put(&v2, 4), put(&stype, 4), put(&ndim, 4), put(&dim, 8);
  put(&cpu, 4), put(&id, 4), put(&f32, 4), put(data, 8);
  put(&one, 8), put(&one, 8), want += "w";
  EXPECT_EQ(bytes, want);
}

TEST(NDArrayIOTest, SaveIsAtomicAndLeavesNoTempFiles) {
  const std::string path = TempPath("atomic.params");
  SaveNDArrays(path, {NDArray::Ones(Shape{4})});
  SaveNDArrays(path, {NDArray::Zeros(Shape{8})});
  EXPECT_EQ(LoadNDArrays(path).arrays[0].shape(), (Shape{8}));
  EXPECT_EQ(MessageOf([] {
              SaveNDArrays("/nonexistent-dir/x.params",
                           {NDArray::Ones(Shape{1})});
            }).rfind("cannot write '/nonexistent-dir/x.params': ", 0),
            0u);
}

TEST(NDArrayIOTest, ClearErrorsForBadFiles) {
  EXPECT_EQ(MessageOf([] { LoadNDArrays("/no/such/file.params"); }),
            "cannot open '/no/such/file.params': No such file or directory");
  EXPECT_EQ(MessageOf([] { DeserializeNDArrays("", "empty.params"); }),
            "'empty.params': truncated: file header needs 8 bytes at offset 0 "
            "but the data has 0 bytes");
  EXPECT_EQ(MessageOf([] {
              DeserializeNDArrays(std::string("{\"nodes\": []}   "), "x.json");
            }),
            "'x.json': not an MXNet NDArray file: magic 0x227365646f6e227b, "
            "expected 0x112");
  std::string huge = SerializeNDArrays({});
  const uint64_t claim = 1ull << 60;
  huge.replace(16, 8, reinterpret_cast<const char*>(&claim), 8);
  EXPECT_EQ(MessageOf([&] { DeserializeNDArrays(huge, "huge.params"); }),
            "'huge.params': header claims 1152921504606846976 arrays but only "
            "8 bytes follow");
  // A record whose shape claims far more data than the file holds is refused
  // before allocating.
  std::string big = SerializeNDArrays({NDArray::Ones(Shape{2})});
  const int64_t extent = int64_t{1} << 40;
  big.replace(24 + 12, 8, reinterpret_cast<const char*>(&extent), 8);
  EXPECT_EQ(
      MessageOf([&] { DeserializeNDArrays(big, "big.params"); }),
      "'big.params': array 0 (offset 24): truncated: shape (1099511627776,) "
      "needs 1099511627776 elements of float32 (4 bytes each) at offset "
      "56 but only 16 bytes remain");
  std::string sparse = SerializeNDArrays({NDArray::Ones(Shape{2})});
  const int32_t csr = 2;
  sparse.replace(28, 4, reinterpret_cast<const char*>(&csr), 4);
  EXPECT_EQ(MessageOf([&] { DeserializeNDArrays(sparse, "s.params"); }),
            "'s.params': array 0 (offset 24): storage type 2 (sparse) is not "
            "supported; expected 0 (dense)");
  std::string badtype = SerializeNDArrays({NDArray::Ones(Shape{2})});
  const int32_t type_flag = 12;
  badtype.replace(52, 4, reinterpret_cast<const char*>(&type_flag), 4);
  EXPECT_EQ(
      MessageOf([&] { DeserializeNDArrays(badtype, "t.params"); }),
      "'t.params': array 0 (offset 24): type flag 12 is unknown; expected "
      "0..6 (float32=0, float64=1, float16=2, uint8=3, int32=4, int8=5, "
      "int64=6)");
  const std::string list_path = TempPath("unnamed.params");
  SaveNDArrays(list_path, {NDArray::Ones(Shape{1})});
  EXPECT_EQ(MessageOf([&] { LoadNDArrayMap(list_path); }),
            "'" + list_path +
                "': holds an unnamed list of 1 arrays; expected a name -> "
                "array dict");
}

// Every truncation of a valid file, and many random bit flips, give an
// mx::Error or a valid result; never a crash, a hang or a huge allocation (run
// under ASan to see the latter).
TEST(NDArrayIOFuzzTest, TruncatedAndBitFlippedInputs) {
  const std::string valid = SerializeNDArrays(
      {NDArray::FromVector<float>({1, 2, 3, 4, 5, 6}, Shape{2, 3}), NDArray(),
       NDArray::Full(Shape(), 2),
       NDArray::Ones(Shape{3}, Context::CPU(), DType::kInt64)},
      {"a", "none", "scalar", "ints"});
  const std::string legacy = ReadFile("tests/fixtures/mxnet/legacy_ndarray.v0");
  for (const std::string* file : {&valid, &legacy}) {
    for (size_t n = 0; n < file->size(); ++n) {
      EXPECT_THROW(
          DeserializeNDArrays(std::string_view(*file).substr(0, n), "cut"),
          Error)
          << "prefix of " << n << " bytes was accepted";
    }
  }
  std::mt19937_64 rng(7);
  const int64_t trials = testing::Scaled(20000, 500);
  int64_t accepted = 0;
  for (int64_t t = 0; t < trials; ++t) {
    std::string bytes = rng() % 2 ? valid : legacy;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      bytes[rng() % bytes.size()] ^= static_cast<char>(1u << (rng() % 8));
    }
    try {
      NamedArrays loaded = DeserializeNDArrays(bytes, "flipped");
      ++accepted;  // a flip in the data bytes leaves a valid file
      for (const NDArray& a : loaded.arrays) {
        if (!a.is_none()) ASSERT_LE(a.Bytes(), bytes.size());
      }
    } catch (const Error&) {
    }
  }
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, trials);
}

}  // namespace
}  // namespace mx
