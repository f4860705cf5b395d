// co::with_timeout: a deadline cancels what it wraps (an operation, a task, a
// group) and throws TimedOut; one that does not fire changes nothing; nested
// deadlines; a parent's cancellation is Cancelled, not a timeout.
#include <gtest/gtest.h>

#include <string>

#include "netreactor/co/race.hpp"
#include "netreactor/co/run.hpp"
#include "netreactor/co/timeout.hpp"
#include "netreactor/loop.hpp"

#include "co_test_tasks.hpp"

using namespace std::chrono_literals;
using namespace netreactor;
using namespace co_test;

namespace {

TEST(CoTimeout, DeadlineCancelsTheInnerOperationAndThrowsTimedOut) {
    Loop loop;
    auto body = [](Loop& l) -> co::Task<std::string> {
        try {
            co_await co::with_timeout(l, 20ms, co::sleep(l, 1h));
        } catch (const co::TimedOut& e) {
            co_return e.error().code() + " " + e.error().operation();
        }
        co_return "no timeout";
    };
    std::uint64_t start = monotonic_ns();
    EXPECT_EQ(co::run(loop, body(loop)), "ETIMEDOUT sleep");
    EXPECT_GE(monotonic_ns() - start, 20'000'000u);
    EXPECT_LT(monotonic_ns() - start, 2'000'000'000u);
}

TEST(CoTimeout, AroundATaskThatFinishesInTime) {
    Loop loop;
    auto body = [](Loop& l) -> co::Task<int> {
        int v = co_await co::with_timeout(l, 1s, add_after_sleep(l, 1, 1ms));
        // The task goes on normally after a deadline that did not fire.
        co_await co::sleep(l, 1ms);
        co_return v;
    };
    EXPECT_EQ(co::run(loop, body(loop)), 43);
}

TEST(CoTimeout, NestedDeadlinesTheShorterWinsAndOuterCancelIsNotATimeout) {
    Loop loop;
    auto inner = [](Loop& l) -> co::Task<void> { co_await co::with_timeout(l, 10ms, co::sleep(l, 1h)); };
    auto body = [&](Loop& l) -> co::Task<std::string> {
        try {
            co_await co::with_timeout(l, 1h, inner(l));
        } catch (const co::TimedOut&) {
            co_return "timed out";
        }
        co_return "no";
    };
    EXPECT_EQ(co::run(loop, body(loop)), "timed out");

    auto cancelled = [](Loop& l) -> co::Task<std::string> {
        try {
            co_await co::with_timeout(l, 1h, co::sleep(l, 1h));
        } catch (const co::TimedOut&) {
            co_return "timed out";
        } catch (const co::Cancelled&) {
            co_return "cancelled";
        }
        co_return "no";
    };
    auto handle = co::spawn(cancelled(loop));
    handle.cancel();
    ASSERT_TRUE(handle.done());
    EXPECT_EQ(handle.result(), "cancelled");
}

TEST(CoTimeout, AroundAGroup) {
    Loop loop;
    int destroyed = 0, resumed = 0;
    auto body = [&](Loop& l) -> co::Task<std::string> {
        try {
            co_await co::with_timeout(l, 10ms, co::when_all(sleep_forever(l, &destroyed, &resumed), co::sleep(l, 1h)));
        } catch (const co::TimedOut& e) {
            co_return e.error().operation();
        }
        co_return "no timeout";
    };
    EXPECT_EQ(co::run(loop, body(loop)), "sleep");
    EXPECT_EQ(destroyed, 1);
}

}  // namespace
