// netreactor: a one-shot or repeating timer on a Loop.
#pragma once

#include <chrono>
#include <functional>

namespace netreactor {

class Loop;

class Timer {
public:
    using Callback = std::function<void()>;

    explicit Timer(Loop& loop);
    // Stops the timer; the callback never runs after this.
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Fires `callback` after `timeout`, then every `repeat` if non-zero.
    // Restarting replaces the previous schedule and callback. The callback may
    // restart, stop or destroy this timer.
    void start(std::chrono::milliseconds timeout, Callback callback,
               std::chrono::milliseconds repeat = std::chrono::milliseconds(0));
    void stop();
    bool active() const noexcept;
    // A background timer (a watchdog, a periodic sweep) should not keep
    // Loop::run() going once everything else is done. Default: true.
    void keep_loop_alive(bool keep) noexcept;

    struct Impl;

private:
    Impl* impl_;  // freed in libuv's close callback, after ~Timer
};

// Converts seconds given on a command line (fractions allowed) to milliseconds,
// rounding up so a small positive timeout never becomes zero.
std::chrono::milliseconds seconds_to_ms(double seconds);

}  // namespace netreactor
