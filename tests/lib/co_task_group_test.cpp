// co::TaskGroup: ended tasks freed at once, the rest destroyed with the group,
// cancel_all ending every task and handing escaping exceptions to the handler.
#include <gtest/gtest.h>

#include <exception>

#include "netreactor/co/task_group.hpp"
#include "netreactor/loop.hpp"

#include "co_test_tasks.hpp"

using namespace std::chrono_literals;
using namespace netreactor;
using namespace co_test;

namespace {

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

}  // namespace
