#include "tools/mxtrain/progress.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "core/base/strings.h"

namespace mx {

std::string FormatMetrics(
    const std::vector<std::pair<std::string, double>>& metrics) {
  std::string out;
  for (const auto& [name, v] : metrics) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s%s=%.4f", out.empty() ? "" : " ",
                  name.c_str(), v);
    out += buf;
  }
  return out;
}

Progress::Progress(const std::string& mode, int64_t interval, int epochs)
    : interval_(interval), epochs_(epochs) {
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  bar_ = mode == "bar" || (mode == "auto" && tty);
  lines_ = mode == "lines" || (mode == "auto" && !tty);
}

void Progress::Clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

void Progress::Update(const BatchProgress& p) {
  const double rate = p.seconds > 0 ? p.samples / p.seconds : 0;
  const double wait_pct =
      p.seconds > 0 ? 100.0 * p.data_wait_seconds / p.seconds : 0;
  if (lines_) {
    if (p.batch % interval_ != 0) return;
    spdlog::info(
        "epoch {}/{} batch {}{}: {:.0f} samples/s, {}, lr {:.4g}, "
        "data wait {:.1f}%{}",
        p.epoch, epochs_, p.batch,
        batches_per_epoch_ > 0 ? StrCat("/", batches_per_epoch_) : "", rate,
        FormatMetrics(p.metrics), p.learning_rate, wait_pct,
        p.grad_norm < 0 ? ""
                        : fmt::format(", gradient norm {:.4g}", p.grad_norm));
    return;
  }
  if (!bar_) return;
  // At most ten redraws a second.
  if (last_draw_ >= 0 && p.seconds - last_draw_ < 0.1 &&
      p.seconds >= last_draw_) {
    return;
  }
  last_draw_ = p.seconds;
  std::string bar;
  std::string eta = "?";
  if (batches_per_epoch_ > 0) {
    const int width = 24;
    const int filled = static_cast<int>(
        std::min<int64_t>(width, width * p.batch / batches_per_epoch_));
    bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') +
          "] ";
    const double per_batch = p.seconds / p.batch;
    const int left =
        static_cast<int>(per_batch * (batches_per_epoch_ - p.batch));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d:%02d", left / 60, left % 60);
    eta = buf;
  }
  std::fprintf(
      stderr,
      "\r\033[Kepoch %d/%d %s%lld%s  %.0f samples/s  %s  ETA %s  "
      "data wait %.0f%%",
      p.epoch, epochs_, bar.c_str(), static_cast<long long>(p.batch),
      batches_per_epoch_ > 0 ? StrCat("/", batches_per_epoch_).c_str() : "",
      rate, FormatMetrics(p.metrics).c_str(), eta.c_str(), wait_pct);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace mx
