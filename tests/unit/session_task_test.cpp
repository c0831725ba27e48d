// session::Task: the one background-job type. Outcomes (succeeded / failed / cancelled — a cancel
// is not an error), publishing on the owner's thread only, restart semantics, and the CLI's wait.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "core/session/task.h"
#include "core/util/error.h"

using namespace mlscope;
using namespace mlscope::session;

namespace {

// Spins until cancelled (as the kernels do between ops), then ends the way `how` says.
Task::Work spin_until_cancelled(const std::string& how, std::atomic<bool>* started) {
  return [how, started](TaskContext& ctx) -> Task::Publish {
    *started = true;
    while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (how == "throw-error") throw Error(Location{}, "run cancelled");  // what a cancelled run throws
    if (how == "throw-cancelled") ctx.throw_if_cancelled();
    return [] {};
  };
}

void wait_started(const std::atomic<bool>& started) {
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

}  // namespace

TEST(Task, PublishesOnTheOwnersThreadOnly) {
  Task t;
  std::thread::id published_on;
  int value = 0;
  ASSERT_TRUE(t.start("add", [&](TaskContext& ctx) -> Task::Publish {
    ctx.progress({3, 6, "half"});
    return [&] { value = 42; published_on = std::this_thread::get_id(); };
  }));
  EXPECT_TRUE(t.busy());
  EXPECT_EQ(t.wait(), TaskOutcome::Succeeded);
  EXPECT_EQ(value, 42);
  EXPECT_EQ(published_on, std::this_thread::get_id());
  EXPECT_FALSE(t.busy());
  EXPECT_TRUE(t.last_error().empty());
  EXPECT_EQ(t.last_cancel_latency_ms(), -1);
}

TEST(Task, AFailureKeepsItsMessage) {
  Task t;
  t.start("fail", [](TaskContext&) -> Task::Publish { throw std::runtime_error("model.mil:3:7: unknown op"); });
  EXPECT_EQ(t.wait(), TaskOutcome::Failed);
  EXPECT_EQ(t.last_error(), "model.mil:3:7: unknown op");
  EXPECT_FALSE(t.last_cancelled());
}

TEST(Task, ACancelIsItsOwnOutcomeNotAnError) {
  for (const std::string how : {"return", "throw-error", "throw-cancelled"}) {
    Task t;
    std::atomic<bool> started{false};
    bool published = false;
    t.start("spin", [&, work = spin_until_cancelled(how, &started)](TaskContext& ctx) -> Task::Publish {
      work(ctx);
      return [&] { published = true; };  // a partial result still publishes
    });
    wait_started(started);
    EXPECT_FALSE(t.stopping());
    t.cancel();
    EXPECT_TRUE(t.stopping());
    EXPECT_EQ(t.wait(), TaskOutcome::Cancelled) << how;
    EXPECT_TRUE(t.last_cancelled()) << how;
    EXPECT_TRUE(t.last_error().empty()) << how << ": " << t.last_error();
    EXPECT_GE(t.last_cancel_latency_ms(), 0) << how;
    EXPECT_LT(t.last_cancel_latency_ms(), 200) << how;
    EXPECT_EQ(published, how == "return") << how;
  }
}

TEST(Task, OneAtATimeAndRestartAbandonsTheRunningOne) {
  Task t;
  std::atomic<bool> started{false};
  ASSERT_TRUE(t.start("first", spin_until_cancelled("return", &started)));
  wait_started(started);
  EXPECT_FALSE(t.start("second", [](TaskContext&) -> Task::Publish { return {}; }));
  EXPECT_EQ(t.title(), "first");
  int published = 0;
  t.restart("third", [&](TaskContext&) -> Task::Publish { return [&] { published = 3; }; }, {});
  EXPECT_EQ(t.title(), "third");
  EXPECT_EQ(t.wait(), TaskOutcome::Succeeded);
  EXPECT_EQ(published, 3);  // the abandoned first job never published
}

TEST(Task, WaitCancelsWhenInterruptedAndReportsProgress) {
  Task t;
  std::atomic<bool> interrupt{false}, started{false};
  t.start("sweep", [&](TaskContext& ctx) -> Task::Publish {
    started = true;
    for (int i = 0; !ctx.cancelled(); ++i) {
      ctx.progress({static_cast<double>(i % 100), 100, std::to_string(i) + " inputs"});
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return {};
  });
  int calls = 0;
  std::thread ctrl_c([&] {
    wait_started(started);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    interrupt = true;
  });
  EXPECT_EQ(t.wait(interrupt,
                   [&](const Progress& p) {
                     ++calls;
                     EXPECT_EQ(p.total, 1.0);
                     EXPECT_GE(p.done, 0.0);
                     EXPECT_TRUE(p.stage.empty() || p.stage.find(" inputs") != std::string_view::npos) << p.stage;
                   }),
            TaskOutcome::Cancelled);
  ctrl_c.join();
  EXPECT_GT(calls, 0);
}

TEST(Task, DestroyingARunningTaskCancelsAndJoinsIt) {
  std::atomic<bool> started{false}, ended{false};
  {
    Task t;
    t.start("spin", [&](TaskContext& ctx) -> Task::Publish {
      started = true;
      while (!ctx.cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ended = true;
      return {};
    });
    wait_started(started);
  }
  EXPECT_TRUE(ended);
}
