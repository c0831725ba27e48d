// CancelToken and Progress: the one cancel and the one progress signature of core's long work.
#include <gtest/gtest.h>

#include <atomic>
#include <type_traits>

#include "core/exec/run_cancel.h"
#include "core/util/cancel.h"
#include "core/util/progress.h"

using namespace mlscope;

// A token from a temporary would read a dead flag: both are compile errors.
static_assert(!std::is_constructible_v<CancelToken, bool>);
static_assert(!std::is_constructible_v<CancelToken, std::atomic<bool>&&>);

TEST(CancelToken, DefaultIsNeverCancelledAndATokenFollowsItsFlag) {
  const CancelToken none;
  EXPECT_FALSE(none.requested());
  EXPECT_FALSE(none.can_cancel());
  std::atomic<bool> flag{false};
  const CancelToken t = flag;
  EXPECT_TRUE(t.can_cancel());
  EXPECT_FALSE(t.requested());
  flag = true;
  EXPECT_TRUE(t.requested());
}

TEST(CancelToken, ScopedRunCancelNestsAndRestores) {
  std::atomic<bool> outer{false}, inner{true};
  EXPECT_FALSE(exec::run_cancel_requested());
  {
    exec::ScopedRunCancel a(outer);
    EXPECT_FALSE(exec::run_cancel_requested());
    {
      exec::ScopedRunCancel b(inner);
      EXPECT_TRUE(exec::run_cancel_requested());
    }
    EXPECT_FALSE(exec::run_cancel_requested());
    outer = true;
    EXPECT_TRUE(exec::current_run_cancel().requested());
  }
  EXPECT_FALSE(exec::current_run_cancel().can_cancel());
}

TEST(Progress, FractionIsClampedAndZeroWhileTheTotalIsUnknown) {
  EXPECT_FLOAT_EQ((Progress{3, 12, "x"}).fraction(), 0.25f);
  EXPECT_FLOAT_EQ((Progress{5, 0, "x"}).fraction(), 0.0f);
  EXPECT_FLOAT_EQ((Progress{13, 12, "x"}).fraction(), 1.0f);
  EXPECT_FLOAT_EQ((Progress{-1, 12, "x"}).fraction(), 0.0f);
}
