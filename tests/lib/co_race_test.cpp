// co::race and co::when_all: the first to end wins and the others are
// cancelled before the race returns; every value of when_all, its first
// exception cancelling the rest; children destroyed or cancelled with the
// awaiting task.
#include <gtest/gtest.h>

#include <stdexcept>
#include <type_traits>
#include <variant>

#include "netreactor/co/race.hpp"
#include "netreactor/co/run.hpp"
#include "netreactor/co/task.hpp"
#include "netreactor/loop.hpp"

#include "co_test_tasks.hpp"

using namespace std::chrono_literals;
using namespace netreactor;
using namespace co_test;

namespace {

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

}  // namespace
