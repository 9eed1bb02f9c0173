#include "core/ndarray/ndarray_io.h"

#include <cstring>
#include <set>

#include "core/base/file_util.h"

namespace mx {
namespace {

constexpr uint64_t kListMagic = 0x112;
constexpr uint32_t kMagicV1 = 0xF993FAC8;
constexpr uint32_t kMagicV2 = 0xF993FAC9;
constexpr uint32_t kMagicV3 = 0xF993FACA;
constexpr int64_t kMaxNdim = 32;
// Smallest possible record (a legacy none array: uint32 ndim = 0).
constexpr size_t kMinRecordBytes = 4;

// Little-endian writer (our targets are little-endian; checked below).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the .params format is little-endian");

template <typename T>
void Put(std::string* out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out->append(bytes, sizeof(T));
}

void PutRecord(std::string* out, const NDArray& a) {
  if (a.is_none()) {
    Put<uint32_t>(out, kMagicV2);
    Put<int32_t>(out, 0);   // dense
    Put<uint32_t>(out, 0);  // ndim 0: record ends
    return;
  }
  const Shape& shape = a.shape();
  // V2 reads ndim 0 as "none"; a 0-d array needs V3, where it means a scalar.
  Put<uint32_t>(out, shape.ndim() == 0 ? kMagicV3 : kMagicV2);
  Put<int32_t>(out, 0);
  Put<int32_t>(out, shape.ndim());
  for (int64_t d : shape.dims()) Put<int64_t>(out, d);
  Put<int32_t>(out, static_cast<int32_t>(a.context().dev_type));
  Put<int32_t>(out, a.context().dev_id);
  Put<int32_t>(out, static_cast<int32_t>(a.dtype()));
  const size_t offset = out->size();
  out->resize(offset + a.Bytes());
  a.SyncCopyToHost(out->data() + offset, a.Bytes());
}

// Bounds-checked little-endian reader; every error names the source, offset and
// what was read.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& source)
      : bytes_(bytes), source_(source) {}

  template <typename T>
  T Get(const char* what) {
    Need(sizeof(T), what);
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  const char* Take(size_t n, const char* what) {
    Need(n, what);
    const char* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }

  size_t remaining() const { return bytes_.size() - pos_; }
  size_t pos() const { return pos_; }
  const std::string& source() const { return source_; }
  // Prefix for messages about the record being read.
  void set_context(std::string context) { context_ = std::move(context); }

  [[noreturn]] void Fail(const std::string& message) const {
    MX_THROW("'", source_, "': ", context_.empty() ? "" : context_ + ": ",
             message);
  }

 private:
  void Need(size_t n, const char* what) const {
    if (n > remaining()) {
      Fail(StrCat("truncated: ", what, " needs ", n, " bytes at offset ", pos_,
                  " but the data has ", bytes_.size(), " bytes"));
    }
  }

  std::string_view bytes_;
  const std::string& source_;
  size_t pos_ = 0;
  std::string context_;
};

NDArray ReadRecord(Reader* r) {
  const uint32_t head = r->Get<uint32_t>("record header");
  int64_t ndim;
  bool wide_dims = true;  // int64 extents (V1+) or uint32 (legacy)
  bool zero_dim_is_scalar = false;
  if (head == kMagicV2 || head == kMagicV3) {
    const int32_t stype = r->Get<int32_t>("storage type");
    if (stype != 0) {
      r->Fail(StrCat("storage type ", stype,
                     (stype == 1 || stype == 2) ? " (sparse)" : "",
                     " is not supported; expected 0 (dense)"));
    }
    ndim = r->Get<int32_t>("ndim");
    zero_dim_is_scalar = head == kMagicV3;
    if (ndim == -1 && head == kMagicV3) return NDArray();  // unknown shape
  } else if (head == kMagicV1) {
    ndim = r->Get<uint32_t>("ndim");
  } else {
    ndim = head;  // legacy V0: the word is ndim
    wide_dims = false;
  }
  if (ndim < 0 || ndim > kMaxNdim) {
    r->Fail(StrCat("ndim ", ndim, " is out of range; expected 0..", kMaxNdim,
                   " (not an NDArray record, or a corrupted one)"));
  }
  if (ndim == 0 && !zero_dim_is_scalar) return NDArray();  // "none" record
  std::vector<int64_t> dims(static_cast<size_t>(ndim));
  for (auto& d : dims) {
    d = wide_dims ? r->Get<int64_t>("shape") : r->Get<uint32_t>("shape");
    if (d < 0) r->Fail(StrCat("negative extent ", d, " in the shape"));
  }
  int64_t size;
  if (!CheckedShapeSize(dims.data(), static_cast<int>(ndim), &size)) {
    r->Fail("the shape's element count overflows int64");
  }
  const int32_t dev_type = r->Get<int32_t>("device type");
  const int32_t dev_id = r->Get<int32_t>("device id");
  if (dev_type != 1 && dev_type != 2 && dev_type != 3 && dev_type != 5) {
    r->Fail(StrCat("device type ", dev_type,
                   " is unknown; expected 1 (cpu), 2 (gpu), 3 (cpu_pinned) "
                   "or 5 (cpu_shared)"));
  }
  if (dev_id < 0) r->Fail(StrCat("device id ", dev_id, " is negative"));
  const int32_t type_flag = r->Get<int32_t>("type flag");
  if (!IsValidDTypeCode(type_flag)) {
    r->Fail(StrCat("type flag ", type_flag,
                   " is unknown; expected 0..6 (float32=0, float64=1, "
                   "float16=2, uint8=3, int32=4, int8=5, int64=6)"));
  }
  const DType dtype = static_cast<DType>(type_flag);
  const size_t esize = DTypeSize(dtype);
  if (static_cast<uint64_t>(size) > r->remaining() / esize) {
    r->Fail(StrCat("truncated: shape ", Shape(dims), " needs ", size,
                   " elements of ", dtype, " (", esize,
                   " bytes each) at offset ", r->pos(), " but only ",
                   r->remaining(), " bytes remain"));
  }
  const size_t bytes = static_cast<size_t>(size) * esize;
  const char* data = r->Take(bytes, "data");
  NDArray out(Shape(std::move(dims)), Context::CPU(), dtype);
  out.SyncCopyFromHost(data, bytes);
  return out;
}

}  // namespace

std::string SerializeNDArrays(const std::vector<NDArray>& arrays,
                              const std::vector<std::string>& names) {
  MX_CHECK(names.empty() || names.size() == arrays.size(), "saving ",
           arrays.size(), " arrays with ", names.size(),
           " names; expected no names or one per array");
  std::string out;
  Put<uint64_t>(&out, kListMagic);
  Put<uint64_t>(&out, 0);
  Put<uint64_t>(&out, arrays.size());
  for (const NDArray& a : arrays) PutRecord(&out, a);
  Put<uint64_t>(&out, names.size());
  for (const std::string& name : names) {
    Put<uint64_t>(&out, name.size());
    out.append(name);
  }
  return out;
}

NamedArrays DeserializeNDArrays(std::string_view bytes,
                                const std::string& source) {
  Reader r(bytes, source);
  const uint64_t magic = r.Get<uint64_t>("file header");
  if (magic != kListMagic) {
    r.Fail(StrCat("not an MXNet NDArray file: magic 0x", std::hex, magic,
                  std::dec, ", expected 0x112"));
  }
  r.Get<uint64_t>("reserved header word");
  const uint64_t count = r.Get<uint64_t>("array count");
  if (count > r.remaining() / kMinRecordBytes) {
    r.Fail(StrCat("header claims ", count, " arrays but only ", r.remaining(),
                  " bytes follow"));
  }
  NamedArrays out;
  out.arrays.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    r.set_context(StrCat("array ", i, " (offset ", r.pos(), ")"));
    out.arrays.push_back(ReadRecord(&r));
  }
  r.set_context("names");
  const uint64_t num_names = r.Get<uint64_t>("name count");
  if (num_names != 0 && num_names != count) {
    r.Fail(StrCat(num_names, " names for ", count,
                  " arrays; expected 0 or one per array"));
  }
  out.names.reserve(num_names);
  for (uint64_t i = 0; i < num_names; ++i) {
    const uint64_t len = r.Get<uint64_t>("name length");
    if (len > r.remaining()) {
      r.Fail(StrCat("name ", i, " claims ", len, " bytes but only ",
                    r.remaining(), " remain"));
    }
    out.names.emplace_back(r.Take(len, "name"), len);
  }
  if (r.remaining() != 0) {
    r.Fail(StrCat(r.remaining(), " unexpected bytes after the last name"));
  }
  return out;
}

void SaveNDArrays(const std::string& path, const std::vector<NDArray>& arrays,
                  const std::vector<std::string>& names) {
  WriteFileAtomic(path, SerializeNDArrays(arrays, names));
}

void SaveNDArrayMap(const std::string& path,
                    const std::map<std::string, NDArray>& arrays) {
  WriteFileAtomic(path, SerializeNDArrayMap(arrays));
}

std::string SerializeNDArrayMap(const std::map<std::string, NDArray>& arrays) {
  std::vector<NDArray> list;
  std::vector<std::string> names;
  for (const auto& [name, array] : arrays) {
    names.push_back(name);
    list.push_back(array);
  }
  return SerializeNDArrays(list, names);
}

NamedArrays LoadNDArrays(const std::string& path) {
  return DeserializeNDArrays(ReadFile(path), path);
}

std::map<std::string, NDArray> LoadNDArrayMap(const std::string& path) {
  return DeserializeNDArrayMap(ReadFile(path), path);
}

std::map<std::string, NDArray> DeserializeNDArrayMap(
    std::string_view bytes, const std::string& source) {
  NamedArrays loaded = DeserializeNDArrays(bytes, source);
  MX_CHECK(loaded.names.size() == loaded.arrays.size(), "'", source,
           "': holds an unnamed list of ", loaded.arrays.size(),
           " arrays; expected a name -> array dict");
  std::map<std::string, NDArray> out;
  for (size_t i = 0; i < loaded.arrays.size(); ++i) {
    MX_CHECK(out.emplace(loaded.names[i], loaded.arrays[i]).second, "'", source,
             "': name '", loaded.names[i], "' appears twice");
  }
  return out;
}

std::string SerializeNDArray(const NDArray& array) {
  std::string out;
  PutRecord(&out, array);
  return out;
}

NDArray DeserializeNDArray(std::string_view bytes, const std::string& source) {
  Reader r(bytes, source);
  NDArray out = ReadRecord(&r);
  if (r.remaining() != 0) {
    r.Fail(StrCat(r.remaining(), " unexpected bytes after the record"));
  }
  return out;
}

}  // namespace mx
