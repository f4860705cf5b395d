// Small tasks shared by the co unit tests (tests/lib/co_*_test.cpp): a value,
// a value after a sleep, an exception after a sleep, and a task that sleeps
// forever with a witness of its frame's destruction.
#pragma once

#include <chrono>
#include <stdexcept>

#include "netreactor/co/sleep.hpp"
#include "netreactor/co/task.hpp"
#include "netreactor/loop.hpp"

namespace co_test {

using namespace netreactor;
using namespace std::chrono_literals;

inline co::Task<int> answer() { co_return 42; }

inline co::Task<int> add_after_sleep(Loop& loop, int a, std::chrono::milliseconds delay) {
    co_await co::sleep(loop, delay);
    co_return a + co_await answer();
}

inline co::Task<void> throw_after_sleep(Loop& loop) {
    co_await co::sleep(loop, 1ms);
    throw std::runtime_error("boom");
}

// Counts destructions so a test can see a frame's locals go.
struct Witness {
    int* destroyed;
    ~Witness() { ++*destroyed; }
};

inline co::Task<void> sleep_forever(Loop& loop, int* destroyed, int* resumed) {
    Witness w{destroyed};
    co_await co::sleep(loop, 1h);
    ++*resumed;
}

}  // namespace co_test
