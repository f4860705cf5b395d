// Timer: one-shot and repeating firing, stopping, destruction inside its callback.
#include <gtest/gtest.h>

#include <memory>

#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"

using namespace std::chrono_literals;
using netreactor::Loop;
using netreactor::Timer;

TEST(Timer, FiresOnceAfterTimeout) {
    Loop loop;
    Timer timer(loop);
    int fired = 0;
    auto start = netreactor::monotonic_ns();
    timer.start(20ms, [&] { fired++; });
    loop.run();
    EXPECT_EQ(fired, 1);
    EXPECT_GE(netreactor::monotonic_ns() - start, 19'000'000u);
    EXPECT_FALSE(timer.active());
}

TEST(Timer, RepeatsUntilStoppedFromItsCallback) {
    Loop loop;
    Timer timer(loop);
    int fired = 0;
    timer.start(1ms, [&] { if (++fired == 5) timer.stop(); }, 1ms);
    loop.run();
    EXPECT_EQ(fired, 5);
}

TEST(Timer, DestroyingItInsideItsCallbackIsSafe) {
    Loop loop;
    auto timer = std::make_unique<Timer>(loop);
    int fired = 0;
    timer->start(1ms, [&] { fired++; timer.reset(); }, 1ms);
    loop.run();
    EXPECT_EQ(fired, 1);
    EXPECT_EQ(timer, nullptr);
}

TEST(Timer, DestroyedBeforeFiringNeverCallsBack) {
    Loop loop;
    bool fired = false;
    {
        Timer timer(loop);
        timer.start(1ms, [&] { fired = true; });
    }
    loop.run();
    EXPECT_FALSE(fired);
}

TEST(Timer, RestartReplacesTheScheduleAndTheCallback) {
    Loop loop;
    Timer timer(loop);
    int first = 0, second = 0;
    timer.start(50ms, [&] { first++; });
    timer.start(1ms, [&] { second++; });
    loop.run();
    EXPECT_EQ(first, 0);
    EXPECT_EQ(second, 1);
}

TEST(Timer, ABackgroundTimerDoesNotKeepTheLoopRunning) {
    Loop loop;
    Timer watchdog(loop);
    bool fired = false;
    watchdog.start(10s, [&] { fired = true; });
    watchdog.keep_loop_alive(false);
    auto start = netreactor::monotonic_ns();
    loop.run();  // returns at once: nothing else to wait for
    EXPECT_FALSE(fired);
    EXPECT_TRUE(watchdog.active());
    EXPECT_LT(netreactor::monotonic_ns() - start, 1'000'000'000u);
}
