// Saving and loading arrays in MXNet's binary format (.params, mx.nd.save): a
// list container with magic 0x112 and optional names. Reads legacy V0, V1, V2
// and V3 records; writes V2 (V3 for 0-d arrays, which V2 cannot hold). Loaded
// arrays are on cpu(0). Note [.params files].
#ifndef MX_CORE_NDARRAY_NDARRAY_IO_H_
#define MX_CORE_NDARRAY_NDARRAY_IO_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/ndarray/ndarray.h"

namespace mx {

// The content of a file: arrays, and their names (empty for a saved list).
struct NamedArrays {
  std::vector<NDArray> arrays;
  std::vector<std::string> names;
};

// The file image of `arrays` with `names` (empty, or one per array). Waits for
// pending writes.
std::string SerializeNDArrays(const std::vector<NDArray>& arrays,
                              const std::vector<std::string>& names = {});
// Parses a file image; `source` names it in errors. mx::Error on any malformed,
// truncated or foreign input, before allocating more than the input could hold.
NamedArrays DeserializeNDArrays(std::string_view bytes,
                                const std::string& source);

// Writes the file atomically (temp file + rename).
void SaveNDArrays(const std::string& path, const std::vector<NDArray>& arrays,
                  const std::vector<std::string>& names = {});
// Saves a name -> array dict (names in map order).
void SaveNDArrayMap(const std::string& path,
                    const std::map<std::string, NDArray>& arrays);
// The file image SaveNDArrayMap writes.
std::string SerializeNDArrayMap(const std::map<std::string, NDArray>& arrays);
// Reads a file written by SaveNDArrays, SaveNDArrayMap or MXNet.
NamedArrays LoadNDArrays(const std::string& path);
// Reads a dict file; mx::Error when the file holds an unnamed list or repeats a
// name.
std::map<std::string, NDArray> LoadNDArrayMap(const std::string& path);
// LoadNDArrayMap of a file image; `source` names it in errors.
std::map<std::string, NDArray> DeserializeNDArrayMap(std::string_view bytes,
                                                     const std::string& source);

// One array record without the container (what pickling one MXNet NDArray
// stores).
std::string SerializeNDArray(const NDArray& array);
NDArray DeserializeNDArray(std::string_view bytes, const std::string& source);

}  // namespace mx

#endif  // MX_CORE_NDARRAY_NDARRAY_IO_H_
