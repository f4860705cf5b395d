/// @file
/// @brief netreactor::co::StopContext and the co::Cancelled / co::TimedOut exceptions:
/// how cancellation reaches the one operation a task is waiting on.
///
/// A task waits on one thing at a time. Every task chain (a task and the tasks
/// it co_awaits) shares one StopContext; the operation it is suspended on
/// registers itself there as the *pending* Cancellable. request_stop() marks
/// the context stopped and cancels that operation, which resumes its task with
/// co::Cancelled. Groups (race, when_all) and deadlines (with_timeout) give
/// each child its own context and register themselves in their parent's, so a
/// stop travels down the whole tree. Stopping is sticky: once a context is
/// stopped, every later operation awaited under it fails at once.
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <utility>

#include "netreactor/error.hpp"

namespace netreactor::co {

/// Thrown into a task whose operation was cancelled (task cancelled, race
/// lost, stream destroyed under a pending operation). error().code() is
/// "ECANCELED"; error().operation() names the operation ("read", "sleep"...).
class NETREACTOR_API Cancelled : public SystemError {
public:
    /// `operation` names what was cancelled.
    explicit Cancelled(const char* operation);
};

/// Thrown by co::with_timeout when its deadline passed first.
/// error().code() is "ETIMEDOUT".
class NETREACTOR_API TimedOut : public SystemError {
public:
    /// `operation` names what timed out.
    explicit TimedOut(const char* operation);
};

/// Something a task is suspended on that can be cancelled.
///
/// **Ownership:** it lives in a coroutine frame (an awaiter) or in a group
/// object; a StopContext only points to it while it is pending.
///
/// **Threads:** loop thread only.
class Cancellable {
public:
    /// How a derived class cancels (a function pointer, not a virtual: the
    /// awaiters holding this are plain frame members with no vtable).
    using CancelFunction = void (*)(Cancellable&) noexcept;

    /// Cancels the operation and resumes the task waiting on it (with
    /// co::Cancelled, unless the operation had already produced its result).
    /// Runs inside StopContext::request_stop().
    void cancel() noexcept { cancel_(*this); }

protected:
    explicit Cancellable(CancelFunction how) noexcept : cancel_(how) {}
    ~Cancellable() = default;
    Cancellable(const Cancellable&) = default;
    Cancellable& operator=(const Cancellable&) = default;

    /// The CancelFunction of a class D derived from Cancellable: calls D::on_cancel().
    template <class D>
    static void call_on_cancel(Cancellable& self) noexcept {
        static_cast<D&>(self).on_cancel();
    }

private:
    CancelFunction cancel_;
};

/// Where the stop request of one task chain is kept.
///
/// **Ownership:** a root task owns the context of its chain (in its promise);
/// race, when_all and with_timeout own their children's. It refers to at most
/// one pending Cancellable, which must detach() before it is destroyed.
///
/// **Threads:** loop thread only; request_stop() resumes the cancelled task
/// inside the call.
class StopContext {
public:
    StopContext() = default;
    StopContext(const StopContext&) = delete;
    StopContext& operator=(const StopContext&) = delete;

    /// True once request_stop() was called.
    bool stop_requested() const noexcept { return stopped_; }

    /// Stops the chain: cancels the pending operation, if any (inside this
    /// call), and makes every later one fail at once. Idempotent.
    void request_stop() noexcept {
        if (stopped_) return;
        stopped_ = true;
        if (Cancellable* pending = std::exchange(pending_, nullptr)) pending->cancel();
    }

    /// Registers the operation the chain now waits on.
    void attach(Cancellable& operation) noexcept { pending_ = &operation; }
    /// Unregisters it (completed, or destroyed); a no-op if it is not the pending one.
    void detach(Cancellable& operation) noexcept {
        if (pending_ == &operation) pending_ = nullptr;
    }

private:
    Cancellable* pending_ = nullptr;
    bool stopped_ = false;
};

}  // namespace netreactor::co
