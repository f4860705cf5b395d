// co::Task, spawn/JoinHandle, TaskGroup, run, sleep, with_timeout, race and
// when_all: results, exceptions across resumes, cancellation reaching the
// pending operation, and frames destroyed while suspended.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <variant>

#include "netreactor/co/race.hpp"
#include "netreactor/co/run.hpp"
#include "netreactor/co/sleep.hpp"
#include "netreactor/co/task_group.hpp"
#include "netreactor/co/timeout.hpp"
#include "netreactor/loop.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

namespace {

co::Task<int> answer() { co_return 42; }

co::Task<int> add_after_sleep(Loop& loop, int a, std::chrono::milliseconds delay) {
    co_await co::sleep(loop, delay);
    co_return a + co_await answer();
}

co::Task<void> throw_after_sleep(Loop& loop) {
    co_await co::sleep(loop, 1ms);
    throw std::runtime_error("boom");
}

// Counts destructions so a test can see a frame's locals go.
struct Witness {
    int* destroyed;
    ~Witness() { ++*destroyed; }
};

co::Task<void> sleep_forever(Loop& loop, int* destroyed, int* resumed) {
    Witness w{destroyed};
    co_await co::sleep(loop, 1h);
    ++*resumed;
}

TEST(CoTask, ValueThroughNestedTasksAndASleep) {
    Loop loop;
    std::uint64_t start = monotonic_ns();
    EXPECT_EQ(co::run(loop, add_after_sleep(loop, 1, 20ms)), 43);
    EXPECT_GE(monotonic_ns() - start, 20'000'000u);
}

TEST(CoTask, ExceptionThrownAcrossAResumeReachesTheAwaiter) {
    Loop loop;
    auto outer = [](Loop& l) -> co::Task<std::string> {
        try {
            co_await throw_after_sleep(l);
        } catch (const std::runtime_error& e) {
            co_return std::string("caught ") + e.what();
        }
        co_return "not thrown";
    };
    EXPECT_EQ(co::run(loop, outer(loop)), "caught boom");
    EXPECT_THROW(co::run(loop, throw_after_sleep(loop)), std::runtime_error);
}

TEST(CoTask, LazyUntilAwaitedOrSpawned) {
    int runs = 0;
    auto body = [](int* r) -> co::Task<void> {
        ++*r;
        co_return;
    };
    { auto t = body(&runs); }
    EXPECT_EQ(runs, 0);
    auto handle = co::spawn(body(&runs));
    EXPECT_EQ(runs, 1);
    EXPECT_TRUE(handle.done());
}

TEST(CoTask, HandleDestroyedWhileSuspendedFreesTheFrameWithoutResuming) {
    Loop loop;
    int destroyed = 0, resumed = 0;
    {
        auto handle = co::spawn(sleep_forever(loop, &destroyed, &resumed));
        loop.run_once(false);
        EXPECT_FALSE(handle.done());
    }
    EXPECT_EQ(destroyed, 1);
    EXPECT_EQ(resumed, 0);
    loop.run();  // the timer was stopped: nothing keeps the loop going
}

TEST(CoTask, CancelResumesThePendingOperationWithCancelled) {
    Loop loop;
    auto body = [](Loop& l) -> co::Task<std::string> {
        std::string first;
        try {
            co_await co::sleep(l, 1h);
        } catch (const co::Cancelled& e) {
            first = e.error().code() + " " + e.error().operation();
        }
        // Sticky: the next operation fails at once.
        try {
            co_await co::sleep(l, 1ms);
        } catch (const co::Cancelled&) {
            co_return first;
        }
        co_return "not cancelled";
    };
    auto handle = co::spawn(body(loop));
    EXPECT_FALSE(handle.done());
    handle.cancel();
    ASSERT_TRUE(handle.done());
    EXPECT_EQ(handle.result(), "ECANCELED sleep");
}

TEST(CoTask, JoinAndDetach) {
    Loop loop;
    auto outer = [](Loop& l) -> co::Task<int> {
        auto h = co::spawn(add_after_sleep(l, 10, 5ms));
        co_return co_await h.join();
    };
    EXPECT_EQ(co::run(loop, outer(loop)), 52);

    int destroyed = 0, resumed = 0;
    auto detached = [](Loop& l, int* d, int* r) -> co::Task<void> {
        Witness w{d};
        co_await co::sleep(l, 2ms);
        ++*r;
    };
    co::spawn(detached(loop, &destroyed, &resumed)).detach();
    EXPECT_EQ(destroyed, 0);
    loop.run();
    EXPECT_EQ(resumed, 1);
    EXPECT_EQ(destroyed, 1);  // the frame freed itself (LeakSanitizer checks too)
}

TEST(CoTask, RunThrowsWhenTheLoopRunsOutOfWork) {
    Loop loop;
    auto never = []() -> co::Task<void> {
        struct Forever {
            bool await_ready() { return false; }
            void await_suspend(std::coroutine_handle<>) {}
            void await_resume() {}
        };
        co_await Forever{};
    };
    EXPECT_THROW(co::run(loop, never()), std::logic_error);
}

TEST(CoTaskGroup, FreesEndedTasksAndDestroysTheRest) {
    Loop loop;
    int destroyed = 0, resumed = 0;
    {
        co::TaskGroup group;
        group.spawn(sleep_forever(loop, &destroyed, &resumed));
        auto quick = [](Loop& l, int* d) -> co::Task<void> {
            Witness w{d};
            co_await co::sleep(l, 1ms);
        };
        group.spawn(quick(loop, &destroyed));
        EXPECT_EQ(group.size(), 2u);
        while (group.size() == 2) loop.run_once(true);
        EXPECT_EQ(destroyed, 1);
    }
    EXPECT_EQ(destroyed, 2);  // the group destroyed the suspended one
    EXPECT_EQ(resumed, 0);
}

TEST(CoTaskGroup, CancelAllEndsEveryTaskAndReportsEscapingExceptions) {
    Loop loop;
    int errors = 0, destroyed = 0, resumed = 0;
    co::TaskGroup group([&](std::exception_ptr) { ++errors; });
    for (int i = 0; i < 3; ++i) group.spawn(sleep_forever(loop, &destroyed, &resumed));
    group.cancel_all();
    EXPECT_EQ(group.size(), 0u);
    EXPECT_EQ(errors, 3);  // co::Cancelled escaped each
    EXPECT_EQ(destroyed, 3);
}

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

TEST(CoRace, FirstToEndWinsAndTheOthersAreCancelled) {
    Loop loop;
    int destroyed = 0, resumed = 0;
    auto body = [&](Loop& l) -> co::Task<std::size_t> {
        auto winner = co_await co::race(sleep_forever(l, &destroyed, &resumed), add_after_sleep(l, 0, 5ms),
                                        co::sleep(l, 1h));
        EXPECT_EQ(std::get<1>(winner), 42);
        co_return winner.index();
    };
    std::uint64_t start = monotonic_ns();
    EXPECT_EQ(co::run(loop, body(loop)), 1u);
    EXPECT_LT(monotonic_ns() - start, 2'000'000'000u);
    EXPECT_EQ(destroyed, 1);  // the loser ended (cancelled) before the race returned
    EXPECT_EQ(resumed, 0);
}

TEST(CoRace, ARaceDecidedSynchronouslyStillEndsEveryChild) {
    Loop loop;
    auto body = [](Loop& l) -> co::Task<std::size_t> {
        auto winner = co_await co::race(answer(), co::sleep(l, 1h));
        co_return winner.index();
    };
    EXPECT_EQ(co::run(loop, body(loop)), 0u);
}

TEST(CoRace, TheWinnersExceptionIsRethrown) {
    Loop loop;
    auto body = [](Loop& l) -> co::Task<void> { co_await co::race(throw_after_sleep(l), co::sleep(l, 1h)); };
    EXPECT_THROW(co::run(loop, body(loop)), std::runtime_error);
}

TEST(CoWhenAll, GivesEveryValue) {
    Loop loop;
    auto body = [](Loop& l) -> co::Task<int> {
        auto [a, b, c] = co_await co::when_all(add_after_sleep(l, 1, 3ms), answer(), co::sleep(l, 1ms));
        static_assert(std::is_same_v<decltype(c), std::monostate>);
        co_return a + b;
    };
    EXPECT_EQ(co::run(loop, body(loop)), 85);
}

TEST(CoWhenAll, FirstExceptionCancelsTheOthers) {
    Loop loop;
    int destroyed = 0, resumed = 0;
    auto body = [&](Loop& l) -> co::Task<void> {
        co_await co::when_all(sleep_forever(l, &destroyed, &resumed), throw_after_sleep(l));
    };
    EXPECT_THROW(co::run(loop, body(loop)), std::runtime_error);
    EXPECT_EQ(destroyed, 1);
    EXPECT_EQ(resumed, 0);
}

TEST(CoRace, DestroyingTheAwaitingTaskDestroysTheChildren) {
    Loop loop;
    int destroyed = 0, resumed = 0;
    auto body = [&](Loop& l) -> co::Task<void> {
        co_await co::race(sleep_forever(l, &destroyed, &resumed), sleep_forever(l, &destroyed, &resumed));
    };
    {
        auto handle = co::spawn(body(loop));
        loop.run_once(false);
    }
    EXPECT_EQ(destroyed, 2);
    EXPECT_EQ(resumed, 0);
    loop.run();
}

TEST(CoRace, CancellingTheAwaitingTaskCancelsEveryChild) {
    Loop loop;
    int destroyed = 0, resumed = 0;
    auto body = [&](Loop& l) -> co::Task<void> {
        co_await co::race(sleep_forever(l, &destroyed, &resumed), sleep_forever(l, &destroyed, &resumed));
    };
    auto handle = co::spawn(body(loop));
    handle.cancel();
    ASSERT_TRUE(handle.done());
    EXPECT_THROW(handle.result(), co::Cancelled);
    EXPECT_EQ(destroyed, 2);
}

}  // namespace
