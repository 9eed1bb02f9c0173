#include "tools/mxtrain/interrupts.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "tools/mxtrain/commands.h"

namespace mx {
namespace {

// A signal within this long of the first is a copy of it, not a person
// pressing Ctrl-C again.
constexpr int64_t kSameStopNs = 1000000000;

std::atomic<bool> g_stop{false};
std::atomic<int64_t> g_first_ns{0};  // CLOCK_MONOTONIC of the first signal
std::atomic<int> g_saving{0};

int64_t NowNs() {
  timespec t{};
  ::clock_gettime(CLOCK_MONOTONIC, &t);  // async-signal-safe
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

void Say(const char* text, size_t size) {
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, text, size);
}

extern "C" void OnInterrupt(int sig) {
  const int64_t now = NowNs();
  // Stays 0 for the first signal; a later one reads the first one's time.
  int64_t first = 0;
  g_first_ns.compare_exchange_strong(first, now);
  switch (DecideInterrupt(sig, first, now, g_saving.load() > 0)) {
    case InterruptAction::kStop:
      g_stop.store(true);
      return;
    case InterruptAction::kIgnore:
      return;
    case InterruptAction::kWait: {
      static const char kWait[] =
          "\nmxtrain: a checkpoint is being written; stopping once it is "
          "saved\n";
      Say(kWait, sizeof kWait - 1);
      return;
    }
    case InterruptAction::kExit: {
      static const char kNow[] =
          "\nmxtrain: interrupted again: stopping now, without saving a "
          "checkpoint of this epoch\n";
      Say(kNow, sizeof kNow - 1);
      std::_Exit(kExitAborted);
    }
  }
}

}  // namespace

InterruptAction DecideInterrupt(int sig, int64_t first_ns, int64_t now_ns,
                                bool saving) {
  if (first_ns == 0) return InterruptAction::kStop;
  // Schedulers follow SIGTERM with SIGKILL; only a person presses Ctrl-C.
  if (sig != SIGINT || now_ns - first_ns < kSameStopNs) {
    return InterruptAction::kIgnore;
  }
  return saving ? InterruptAction::kWait : InterruptAction::kExit;
}

void InstallInterruptHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  // One handler at a time: the first signal's bookkeeping is never raced by
  // its copy.
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

const std::atomic<bool>& StopRequested() { return g_stop; }

SavingCheckpoint::SavingCheckpoint() { g_saving.fetch_add(1); }
SavingCheckpoint::~SavingCheckpoint() { g_saving.fetch_sub(1); }

}  // namespace mx
