// SignalWatcher: delivery on the loop thread, destruction inside its callback.
#include <gtest/gtest.h>

#include <csignal>
#include <memory>

#include "netreactor/error.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/signal_watcher.hpp"
#include "netreactor/timer.hpp"

using namespace std::chrono_literals;
using netreactor::Loop;
using netreactor::Timer;

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

TEST(SignalWatcher, DestroyingItInsideItsCallbackIsSafe) {
    Loop loop;
    Timer guard(loop);
    int received = 0;
    std::unique_ptr<netreactor::SignalWatcher> watcher;
    watcher = std::make_unique<netreactor::SignalWatcher>(loop, SIGUSR2, [&](int) {
        received++;
        watcher.reset();  // (raising SIGUSR2 again would now take the default action)
        guard.stop();
    });
    guard.start(5s, [] {});
    Timer raise_later(loop);
    raise_later.start(1ms, [] { ::raise(SIGUSR2); });
    loop.run();
    EXPECT_EQ(received, 1);
    EXPECT_EQ(watcher, nullptr);
}

TEST(SignalWatcher, ABadSignalNumberThrowsEinval) {
    Loop loop;
    try {
        netreactor::SignalWatcher watcher(loop, 100000, [](int) {});
        FAIL() << "no exception";
    } catch (const netreactor::SystemError& e) {
        EXPECT_EQ(e.error().code(), "EINVAL");
    }
}
