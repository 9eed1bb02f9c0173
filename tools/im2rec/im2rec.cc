// im2rec: MXNet's image packing tool.
//   im2rec --list PREFIX ROOT      writes PREFIX.lst: one line per image
//                                  under ROOT (a class per top-level folder)
//   im2rec PREFIX ROOT             packs the images of PREFIX.lst into
//                                  PREFIX.rec and PREFIX.idx
#include "io/im2rec.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "core/base/error.h"
#include "core/base/strings.h"
#include "core/base/tool_main.h"
#include "tools/common/cli.h"

namespace mx {
namespace {

int Main(int argc, char** argv) {
  CLI::App app{"Packs image folders into MXNet RecordIO files."};
  std::string prefix, root;
  bool list = false, no_recursive = false, shuffle = false, center_crop = false;
  uint64_t seed = 0;
  int64_t resize = 0, quality = 95, threads = 2, label_width = 1;
  std::string encoding = ".jpg";
  std::vector<std::string> exts = {".jpg", ".jpeg", ".png"};
  app.add_option("prefix", prefix, "PREFIX of PREFIX.lst / .rec / .idx")
      ->required();
  app.add_option("root", root, "folder the list's paths are relative to")
      ->required();
  app.add_flag("--list", list, "write PREFIX.lst from the folders of ROOT");
  app.add_flag("--no-recursive", no_recursive,
               "list only the images directly in ROOT, label 0");
  app.add_option("--exts", exts, "image extensions to list");
  app.add_flag("--shuffle", shuffle, "shuffle the list");
  app.add_option("--seed", seed, "shuffle seed");
  app.add_option("--resize", resize, "resize the shorter edge to this")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--center-crop", center_crop, "crop the centre square");
  app.add_option("--quality", quality,
                 "JPEG quality 1-100 (PNG: compression 0-9)")
      ->check(CLI::Range(0, 100));
  app.add_option("--encoding", encoding, "re-encoding: .jpg or .png")
      ->check(CLI::IsMember({".jpg", ".jpeg", ".png"}));
  app.add_option("--num-thread", threads, "encoding threads")
      ->check(CLI::PositiveNumber);
  app.add_option("--label-width", label_width, "labels per list line")
      ->check(CLI::PositiveNumber);
  if (const std::optional<int> done =
          ParseCommandLine("im2rec", app, argc, argv, 2)) {
    return *done;
  }
  const auto start = std::chrono::steady_clock::now();
  if (list) {
    io::ListOptions o;
    o.exts = exts;
    o.recursive = !no_recursive;
    o.shuffle = shuffle;
    o.seed = seed;
    const auto entries = io::ListImages(root, o);
    io::WriteImageList(prefix + ".lst", entries);
    std::printf("im2rec: %zu images listed in %s.lst\n", entries.size(),
                prefix.c_str());
    return 0;
  }
  const auto entries = io::ReadImageList(prefix + ".lst", label_width);
  io::PackOptions o;
  o.resize = resize;
  o.center_crop = center_crop;
  o.encoding = encoding;
  o.quality = quality;
  o.threads = threads;
  const int64_t n = io::PackImages(entries, root, prefix, o);
  const double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::printf("im2rec: %lld images packed into %s.rec and %s.idx (%.2f s)\n",
              static_cast<long long>(n), prefix.c_str(), prefix.c_str(), s);
  return 0;
}

}  // namespace
}  // namespace mx

int main(int argc, char** argv) {
  return mx::RunTool("im2rec", mx::Main, argc, argv);
}
