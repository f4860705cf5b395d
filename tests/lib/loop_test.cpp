// Loop: running until nothing is left, post() from other threads.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"

using namespace std::chrono_literals;
using netreactor::Loop;
using netreactor::Timer;

TEST(Loop, RunReturnsWhenNothingIsLeft) {
    Loop loop;
    loop.run();  // must not block
    SUCCEED();
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
