/// @file
/// @brief netreactor::co::sleep: suspend a task for a while on a Loop's timer.
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <chrono>
#include <optional>

#include "netreactor/co/task.hpp"
#include "netreactor/timer.hpp"

namespace netreactor::co {

/// The awaiter of co::sleep. Lives in the awaiting frame.
///
/// **Ownership:** owns its Timer while suspended. Destroying the frame stops
/// the timer; cancelling resumes the task with co::Cancelled at once.
class SleepAwaiter : public detail::Operation {
public:
    /// Prefer co::sleep(loop, duration).
    explicit SleepAwaiter(Loop& loop, std::chrono::milliseconds duration) noexcept
        : Operation(std::type_identity<SleepAwaiter>{}), loop_(loop), duration_(duration) {}
    /// Only before it is awaited (the timer is made in await_suspend).
    SleepAwaiter(SleepAwaiter&& other) noexcept : Operation(std::move(other)), loop_(other.loop_), duration_(other.duration_) {}

    bool await_ready() const noexcept { return false; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
        if (!begin(h)) return false;
        timer_.emplace(loop_);
        timer_->start(duration_, [this] { complete(); });
        return true;
    }
    void await_resume() {
        timer_.reset();
        if (cancelled_) throw Cancelled("sleep");
    }
    void on_cancel() noexcept {
        timer_->stop();
        complete_cancelled();
    }

private:
    Loop& loop_;
    std::chrono::milliseconds duration_;
    std::optional<Timer> timer_;
};

/// Resumes the awaiting task after `duration` (a deadline: never earlier;
/// zero resumes it on the loop's next iteration). Throws co::Cancelled when
/// the task is cancelled meanwhile. One Timer is made per sleep.
inline SleepAwaiter sleep(Loop& loop, std::chrono::milliseconds duration) noexcept {
    return SleepAwaiter(loop, duration);
}

}  // namespace netreactor::co
