// co::Task, co::spawn and its JoinHandle, co::run and co::sleep: results,
// exceptions across resumes, laziness, cancellation reaching the pending
// operation, and frames destroyed while suspended.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "netreactor/co/run.hpp"
#include "netreactor/co/sleep.hpp"
#include "netreactor/co/task.hpp"
#include "netreactor/loop.hpp"

#include "co_test_tasks.hpp"

using namespace std::chrono_literals;
using namespace netreactor;
using namespace co_test;

namespace {

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

}  // namespace
