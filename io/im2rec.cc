#include "io/im2rec.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "core/base/error.h"
#include "core/base/file_util.h"
#include "core/base/strings.h"
#include "io/image_ops.h"
#include "io/recordio.h"

namespace mx {
namespace io {
namespace {

namespace fs = std::filesystem;

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool Wanted(const fs::path& p, const std::vector<std::string>& exts) {
  const std::string ext = Lower(p.extension().string());
  return std::find(exts.begin(), exts.end(), ext) != exts.end();
}

// The image bytes to store for one entry.
std::string Encode(const ImageListEntry& e, const std::string& root,
                   const PackOptions& o) {
  const std::string file = root + "/" + e.path;
  std::string bytes;
  try {
    bytes = ReadFile(file);
  } catch (const Error& err) {
    MX_THROW("list entry ", e.index, " ('", e.path, "'): ", err.what());
  }
  if (o.resize <= 0 && !o.center_crop) return bytes;
  std::string why;
  cv::Mat img = DecodeImage(bytes, cv::IMREAD_COLOR, &why);
  MX_CHECK(!img.empty(), "list entry ", e.index, " ('", file, "'): the image ",
           why);
  if (o.center_crop) {
    const int side = std::min(img.rows, img.cols);
    img =
        img(cv::Rect((img.cols - side) / 2, (img.rows - side) / 2, side, side))
            .clone();
  }
  if (o.resize > 0) {
    // Area averaging shrinks without aliasing; cubic enlarges smoothly.
    const bool shrink = std::min(img.rows, img.cols) > o.resize;
    ResizeShorterEdge(&img, o.resize,
                      shrink ? cv::INTER_AREA : cv::INTER_CUBIC);
  }
  std::vector<int> params;
  if (o.encoding == ".jpg" || o.encoding == ".jpeg") {
    params = {cv::IMWRITE_JPEG_QUALITY, static_cast<int>(o.quality)};
  } else if (o.encoding == ".png") {
    params = {cv::IMWRITE_PNG_COMPRESSION, static_cast<int>(o.quality)};
  }
  std::vector<uchar> out;
  MX_CHECK(cv::imencode(o.encoding, img, out, params), "list entry ", e.index,
           " ('", file, "'): cannot encode as ", o.encoding);
  return std::string(out.begin(), out.end());
}

}  // namespace

std::vector<ImageListEntry> ListImages(const std::string& root,
                                       const ListOptions& options) {
  MX_CHECK(fs::is_directory(root), "image root '", root, "' is not a folder");
  std::vector<std::string> exts;
  for (const std::string& e : options.exts) exts.push_back(Lower(e));
  std::vector<std::pair<std::string, float>> found;  // relative path, label
  if (options.recursive) {
    std::vector<fs::path> classes;
    for (const auto& d : fs::directory_iterator(root)) {
      if (d.is_directory()) classes.push_back(d.path());
    }
    std::sort(classes.begin(), classes.end());
    for (size_t c = 0; c < classes.size(); ++c) {
      for (const auto& f : fs::recursive_directory_iterator(classes[c])) {
        if (f.is_regular_file() && Wanted(f.path(), exts)) {
          found.emplace_back(fs::relative(f.path(), root).string(),
                             static_cast<float>(c));
        }
      }
    }
  } else {
    for (const auto& f : fs::directory_iterator(root)) {
      if (f.is_regular_file() && Wanted(f.path(), exts)) {
        found.emplace_back(f.path().filename().string(), 0.f);
      }
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<ImageListEntry> out;
  for (size_t i = 0; i < found.size(); ++i) {
    out.push_back({static_cast<int64_t>(i), {found[i].second}, found[i].first});
  }
  if (options.shuffle) {
    std::mt19937_64 rng(options.seed);
    std::shuffle(out.begin(), out.end(), rng);
  }
  return out;
}

void WriteImageList(const std::string& path,
                    const std::vector<ImageListEntry>& entries) {
  std::ostringstream text;
  for (const ImageListEntry& e : entries) {
    text << e.index;
    for (float l : e.labels) text << '\t' << StrCat(l);
    text << '\t' << e.path << '\n';
  }
  WriteFileAtomic(path, text.str());
}

std::vector<ImageListEntry> ReadImageList(const std::string& path,
                                          int64_t label_width) {
  std::ifstream in(path);
  MX_CHECK(in.is_open(), "cannot open image list '", path, "'");
  std::vector<ImageListEntry> out;
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<std::string> fields;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, '\t');) fields.push_back(f);
    MX_CHECK(static_cast<int64_t>(fields.size()) == label_width + 2, "'", path,
             "' line ", number, ": ", fields.size(),
             " tab-separated fields, expected ", label_width + 2, " (index, ",
             label_width, " label(s), path)");
    ImageListEntry e;
    char* end = nullptr;
    e.index = std::strtoll(fields[0].c_str(), &end, 10);
    MX_CHECK(!fields[0].empty() && *end == '\0', "'", path, "' line ", number,
             ": index '", fields[0], "' is not an integer");
    for (int64_t k = 0; k < label_width; ++k) {
      const std::string& f = fields[1 + k];
      const float v = std::strtof(f.c_str(), &end);
      MX_CHECK(!f.empty() && *end == '\0', "'", path, "' line ", number,
               ": label '", f, "' is not a number");
      e.labels.push_back(v);
    }
    e.path = fields.back();
    out.push_back(std::move(e));
  }
  return out;
}

int64_t PackImages(const std::vector<ImageListEntry>& entries,
                   const std::string& root, const std::string& prefix,
                   const PackOptions& options) {
  RecordWriter writer(prefix + ".rec", prefix + ".idx");
  // Chunks encoded in parallel, written in list order.
  const int64_t chunk = std::max<int64_t>(64, 16 * options.threads);
  std::vector<std::string> payloads;
  for (size_t begin = 0; begin < entries.size(); begin += chunk) {
    const size_t end = std::min(entries.size(), begin + chunk);
    payloads.assign(end - begin, std::string());
    std::atomic<size_t> next{begin};
    std::exception_ptr error;
    std::mutex error_mu;
    const auto work = [&] {
      for (size_t i = next++; i < end; i = next++) {
        try {
          const ImageListEntry& e = entries[i];
          payloads[i - begin] =
              PackImageRecord(e.labels, static_cast<uint64_t>(e.index),
                              Encode(e, root, options));
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mu);
          if (!error) error = std::current_exception();
          next = end;
        }
      }
    };
    std::vector<std::thread> pool;
    for (int64_t t = 1; t < options.threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
    if (error) std::rethrow_exception(error);
    for (size_t i = begin; i < end; ++i) {
      writer.Write(static_cast<uint64_t>(entries[i].index),
                   payloads[i - begin]);
    }
  }
  writer.Close();
  return static_cast<int64_t>(entries.size());
}

}  // namespace io
}  // namespace mx
