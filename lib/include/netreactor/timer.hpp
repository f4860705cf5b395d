/// @file
/// @brief netreactor::Timer, a one-shot or repeating timer on a Loop.
#pragma once

#include "netreactor/export.hpp"

#include <chrono>
#include <functional>

namespace netreactor {

class Loop;

/// A one-shot or repeating timer.
///
/// **Ownership:** owned by the program (a member, a local, a unique_ptr);
/// not copyable or movable. It owns its callback, which it keeps until the
/// next start() or its destruction. The Loop must outlive it.
///
/// **Threads:** every member is called on the loop's thread; the callback runs
/// there.
class NETREACTOR_API Timer {
public:
    /// The function run when the timer fires.
    using Callback = std::function<void()>;

    /// Creates a stopped timer on `loop`.
    explicit Timer(Loop& loop);
    /// Stops the timer; the callback never runs after this. Allowed inside
    /// the timer's own callback.
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    /// Fires `callback` after `timeout`, then every `repeat` if non-zero.
    /// Restarting replaces the previous schedule and callback. The callback may
    /// restart, stop or destroy this timer. The first firing is never earlier
    /// than `timeout` of real time after this call (a deadline; it may be up to
    /// about a millisecond later); repeats follow the loop's clock.
    void start(std::chrono::milliseconds timeout, Callback callback,
               std::chrono::milliseconds repeat = std::chrono::milliseconds(0));
    /// Stops the timer; a started timer can be stopped any number of times.
    void stop();
    /// True between start() and the last firing (one-shot) or stop().
    bool active() const noexcept;
    /// A background timer (a watchdog, a periodic sweep) should not keep
    /// Loop::run() going once everything else is done. Default: true.
    void keep_loop_alive(bool keep) noexcept;

    /// The hidden implementation (libuv timer); defined in the library.
    struct Impl;

private:
    Impl* impl_;  // freed in libuv's close callback, after ~Timer
};

}  // namespace netreactor
