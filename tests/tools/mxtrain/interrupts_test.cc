// What SIGINT and SIGTERM do during training (Note [Interrupts]): the
// decision alone, at chosen times (mxtrain_test sends real signals).
#include "tools/mxtrain/interrupts.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace mx {
namespace {

constexpr int64_t kSecond = 1000000000;

TEST(InterruptsTest, TheFirstSignalStopsCopiesChangeNothing) {
  for (int sig : {SIGINT, SIGTERM}) {
    EXPECT_EQ(DecideInterrupt(sig, 0, 5 * kSecond, false),
              InterruptAction::kStop);
    // Copies of it (timeout, process groups, Slurm), even while saving.
    for (bool saving : {false, true}) {
      EXPECT_EQ(DecideInterrupt(sig, 5 * kSecond, 5 * kSecond + 1000, saving),
                InterruptAction::kIgnore);
      EXPECT_EQ(DecideInterrupt(SIGINT, 5 * kSecond, 5 * kSecond + kSecond / 2,
                                saving),
                InterruptAction::kIgnore);
    }
  }
}

TEST(InterruptsTest, OnlyALaterCtrlCStopsAtOnceAndNeverWhileSaving) {
  EXPECT_EQ(DecideInterrupt(SIGINT, 5 * kSecond, 7 * kSecond, false),
            InterruptAction::kExit);
  EXPECT_EQ(DecideInterrupt(SIGINT, 5 * kSecond, 7 * kSecond, true),
            InterruptAction::kWait);
  // A scheduler's later SIGTERM waits for the checkpoint (SIGKILL follows
  // it anyway).
  EXPECT_EQ(DecideInterrupt(SIGTERM, 5 * kSecond, 9 * kSecond, false),
            InterruptAction::kIgnore);
}

}  // namespace
}  // namespace mx
