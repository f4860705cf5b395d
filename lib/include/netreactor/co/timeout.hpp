/// @file
/// @brief netreactor::co::with_timeout: a deadline around any awaitable or task.
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <chrono>
#include <coroutine>
#include <optional>
#include <type_traits>
#include <utility>

#include "netreactor/co/task.hpp"
#include "netreactor/timer.hpp"

namespace netreactor::co {

namespace detail {

/// The awaiter of an awaitable: its operator co_await, or itself.
template <class A>
decltype(auto) awaiter_of(A& awaitable) {
    if constexpr (requires { std::move(awaitable).operator co_await(); }) {
        return std::move(awaitable).operator co_await();
    } else {
        return (awaitable);  // a reference to the stored awaiter itself
    }
}

/// Calls `awaiter.await_suspend(h)` whatever it returns, as a handle to
/// resume next (symmetric transfer).
template <class Awaiter, class P>
std::coroutine_handle<> suspend_with(Awaiter& awaiter, std::coroutine_handle<P> h) {
    using R = decltype(awaiter.await_suspend(h));
    if constexpr (std::is_void_v<R>) {
        awaiter.await_suspend(h);
        return std::noop_coroutine();
    } else if constexpr (std::is_same_v<R, bool>) {
        if (awaiter.await_suspend(h)) return std::noop_coroutine();
        return h;
    } else {
        return awaiter.await_suspend(h);
    }
}

}  // namespace detail

/// The awaiter of co::with_timeout. Lives in the awaiting frame.
///
/// While suspended, the awaiting task's stop context is replaced by a child
/// one (so the inner operation registers there): the timer stops the child
/// only; a stop of the task reaches the child too. Destroying the frame
/// destroys the inner awaitable first, then the timer.
template <class A>
class TimeoutAwaiter : public Cancellable {
public:
    /// Prefer co::with_timeout.
    explicit TimeoutAwaiter(Loop& loop, std::chrono::milliseconds timeout, A awaitable)
        : Cancellable(&Cancellable::call_on_cancel<TimeoutAwaiter>),
          loop_(loop),
          timeout_(timeout),
          awaitable_(std::move(awaitable)), awaiter_(detail::awaiter_of(awaitable_)) {}
    TimeoutAwaiter(const TimeoutAwaiter&) = delete;
    TimeoutAwaiter& operator=(const TimeoutAwaiter&) = delete;
    ~TimeoutAwaiter() {
        if (parent_ != nullptr) parent_->detach(*this);
    }

    bool await_ready() { return awaiter_.await_ready(); }

    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) {
        parent_ = &detail::stop_context_of(h);
        slot_ = &h.promise().stop;
        if (parent_->stop_requested()) {
            child_.request_stop();
        } else {
            parent_->attach(*this);
            timer_.emplace(loop_);
            timer_->start(timeout_, [this] {
                fired_ = true;
                child_.request_stop();
            });
        }
        *slot_ = &child_;
        return detail::suspend_with(awaiter_, h);
    }

    decltype(auto) await_resume() {
        if (parent_ == nullptr) return awaiter_.await_resume();  // was ready: no deadline ran
        *slot_ = parent_;
        parent_->detach(*this);
        parent_ = nullptr;
        timer_.reset();
        if (!fired_) return awaiter_.await_resume();
        try {
            return awaiter_.await_resume();
        } catch (const Cancelled& e) {
            throw TimedOut(e.error().operation().c_str());
        }
    }

    void on_cancel() noexcept { child_.request_stop(); }

private:
    using Awaiter = decltype(detail::awaiter_of(std::declval<A&>()));

    Loop& loop_;
    std::chrono::milliseconds timeout_;
    StopContext* parent_ = nullptr;     // the awaiting task's stop context, while suspended
    StopContext** slot_ = nullptr;      // where the awaiting promise keeps it
    StopContext child_;                 // the inner operation's, stopped by the timer
    std::optional<Timer> timer_;
    bool fired_ = false;
    A awaitable_;
    Awaiter awaiter_;                   // destroyed first: it may be registered in child_
};

/// Awaits `awaitable` (a co::Task, a read, a race...) for at most `timeout`.
/// If the deadline passes first, the inner operation is cancelled (leaving its
/// socket or lookup as its own cancellation does) and co::TimedOut is thrown,
/// naming the operation that was waiting. Cancelling the awaiting task
/// cancels the inner operation too (co::Cancelled, not TimedOut). Deadlines
/// nest: the shorter wins. One Timer is made per call.
///
/// The result must be awaited where it is made (`co_await with_timeout(...)`):
/// it owns `awaitable` and is not movable.
template <class A>
TimeoutAwaiter<A> with_timeout(Loop& loop, std::chrono::milliseconds timeout, A awaitable) {
    return TimeoutAwaiter<A>(loop, timeout, std::move(awaitable));
}

}  // namespace netreactor::co
