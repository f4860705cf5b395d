#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <vector>

#include "netreactor/loop.hpp"
#include "netreactor/signal_watcher.hpp"
#include "netreactor/timer.hpp"

using namespace std::chrono_literals;
using netreactor::Loop;
using netreactor::Timer;

TEST(Loop, RunReturnsWhenNothingIsLeft) {
    Loop loop;
    loop.run();  // must not block
    SUCCEED();
}

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

TEST(Loop, PostFromOtherThreadsRunsEveryTaskOnTheLoopThread) {
    Loop loop;
    Timer keepalive(loop);
    keepalive.start(10s, [] {});
    const auto loop_thread = std::this_thread::get_id();
    std::atomic<int> ran{0};
    bool all_on_loop_thread = true;
    constexpr int kThreads = 4, kPosts = 1000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kPosts; ++i) {
                loop.post([&] {
                    all_on_loop_thread = all_on_loop_thread && std::this_thread::get_id() == loop_thread;
                    if (++ran == kThreads * kPosts) keepalive.stop();
                });
            }
        });
    }
    loop.run();
    for (auto& t : threads) t.join();
    EXPECT_EQ(ran.load(), kThreads * kPosts);
    EXPECT_TRUE(all_on_loop_thread);
}

TEST(SignalWatcher, DeliversTheSignalOnTheLoop) {
    Loop loop;
    Timer guard(loop);
    int received = 0;
    netreactor::SignalWatcher watcher(loop, SIGUSR1, [&](int signum) {
        received = signum;
        guard.stop();
    });
    guard.start(5s, [] {});
    Timer raise_later(loop);
    raise_later.start(1ms, [] { ::raise(SIGUSR1); });
    loop.run();
    EXPECT_EQ(received, SIGUSR1);
}
