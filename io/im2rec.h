// im2rec: image folders to MXNet's .lst and .rec/.idx files (as MXNet's
// tools/im2rec.py), used by tools/im2rec and testable as a library.
#ifndef MX_IO_IM2REC_H_
#define MX_IO_IM2REC_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mx {
namespace io {

// One line of a .lst file: "index\tlabel[\tlabel...]\tpath".
struct ImageListEntry {
  int64_t index = 0;
  std::vector<float> labels;
  std::string path;  // relative to the image root
};

struct ListOptions {
  // File extensions taken (case-insensitive).
  std::vector<std::string> exts = {".jpg", ".jpeg", ".png"};
  // true: every top-level folder of the root is a class, labelled by its
  // position among them in sorted order, with the images anywhere below
  // it; false: the images directly in the root, label 0.
  bool recursive = true;
  bool shuffle = false;
  uint64_t seed = 0;
};

// The images under `root`, indexed 0..n-1 in sorted path order (before any
// shuffle). mx::Error when `root` is not a folder.
std::vector<ImageListEntry> ListImages(const std::string& root,
                                       const ListOptions& options);

// Writes a .lst atomically.
void WriteImageList(const std::string& path,
                    const std::vector<ImageListEntry>& entries);
// Reads a .lst with `label_width` labels per line; mx::Error naming the
// file and line for a malformed line.
std::vector<ImageListEntry> ReadImageList(const std::string& path,
                                          int64_t label_width);

struct PackOptions {
  // Resize the shorter edge to this (0: keep).
  int64_t resize = 0;
  // Crop the centre square.
  bool center_crop = false;
  // Re-encoding, when resizing or cropping (otherwise the file's bytes are
  // stored as they are).
  std::string encoding = ".jpg";
  int64_t quality = 95;  // JPEG quality, or PNG compression level 0-9
  int64_t threads = 2;
};

// Packs the images into <prefix>.rec and <prefix>.idx (keys: the list
// indices), in list order, on `threads` threads. mx::Error naming the list
// entry for a missing or undecodable image. Returns the records written.
int64_t PackImages(const std::vector<ImageListEntry>& entries,
                   const std::string& root, const std::string& prefix,
                   const PackOptions& options);

}  // namespace io
}  // namespace mx

#endif  // MX_IO_IM2REC_H_
