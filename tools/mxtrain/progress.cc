#include "tools/mxtrain/progress.h"

#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

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

int TerminalColumns(int fd) {
  struct winsize ws {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  const char* columns = std::getenv("COLUMNS");
  if (columns != nullptr) {
    char* end = nullptr;
    const long n = std::strtol(columns, &end, 10);
    if (*columns != '\0' && *end == '\0' && n > 0 && n < 10000) {
      return static_cast<int>(n);
    }
  }
  return 80;
}

std::string ProgressBar(int64_t done, int64_t total, int width) {
  const int filled =
      total > 0
          ? static_cast<int>(std::min<int64_t>(width, width * done / total))
          : 0;
  return "[" + std::string(filled, '#') + std::string(width - filled, '.') +
         "]";
}

void Progress::Draw(const std::vector<std::string>& parts, double seconds,
                    bool force) {
  if (!force && last_draw_ >= 0 && seconds - last_draw_ < 0.1 &&
      seconds >= last_draw_) {
    return;
  }
  last_draw_ = seconds;
  // One column short of the width: a full line would wrap on some
  // terminals.
  const size_t width =
      static_cast<size_t>(std::max(20, TerminalColumns(STDERR_FILENO) - 1));
  std::string line;
  for (const std::string& part : parts) {
    const std::string next = line.empty() ? part : line + "  " + part;
    if (next.size() > width) {
      if (line.empty()) line = part.substr(0, width);
      break;
    }
    line = next;
  }
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
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
  std::string head = StrCat("epoch ", p.epoch, "/", epochs_, " ");
  std::string eta;
  if (batches_per_epoch_ > 0) {
    head += ProgressBar(p.batch, batches_per_epoch_,
                        TerminalColumns(STDERR_FILENO) >= 100 ? 24 : 12) +
            StrCat(" ", p.batch, "/", batches_per_epoch_);
    // From the batches this run trained (a resumed epoch began earlier).
    const double per_batch = p.batches_run > 0 ? p.seconds / p.batches_run : 0;
    const int left =
        static_cast<int>(per_batch * (batches_per_epoch_ - p.batch));
    char buf[32];
    std::snprintf(buf, sizeof buf, "ETA %d:%02d", left / 60, left % 60);
    eta = buf;
  } else {
    head += StrCat(p.batch);
  }
  char rate_text[48], wait_text[48];
  std::snprintf(rate_text, sizeof rate_text, "%.0f samples/s", rate);
  std::snprintf(wait_text, sizeof wait_text, "data wait %.0f%%", wait_pct);
  // Most important first: what is left out on a narrow terminal is last.
  Draw({head, eta, FormatMetrics(p.metrics), rate_text, wait_text}, p.seconds,
       false);
}

void Progress::UpdateValidation(int epoch, int64_t batch, int64_t batches) {
  if (!bar_) return;
  std::string text = StrCat("epoch ", epoch, "/", epochs_, " validating ");
  text += batches > 0 ? ProgressBar(batch, batches, 12) +
                            StrCat(" ", batch, "/", batches)
                      : StrCat(batch, " batches");
  const double now = std::chrono::duration<double>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
  // Its clock is not the epoch's: the first draw always shows.
  Draw({text}, now, batch == 1);
}

}  // namespace mx
