/// @file
/// @brief netreactor::co::Task, a lazy coroutine with a result or an exception;
/// co::spawn and co::JoinHandle, which start one and own it.
///
/// A Task does nothing until it is awaited (`co_await task()`) or spawned
/// (`co::spawn(task())`). Awaiting it runs it to completion and gives its
/// value, or rethrows its exception in the awaiting task. Completions resume
/// tasks directly from the loop's callbacks (no extra scheduling hop), so a
/// resumed task runs on the loop thread, inside the libuv callback that
/// completed its operation, until it suspends again.
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <concepts>
#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

#include "netreactor/co/stop.hpp"

namespace netreactor::co {

template <class T = void>
class Task;
template <class T>
class JoinHandle;

namespace detail {

/// The part of every Task's promise that the library reads without knowing T.
struct PromiseBase {
    /// The chain's stop context: the root's own, or its awaiter's (set when awaited).
    StopContext* stop = &own_stop;
    /// Who to resume at the end: the awaiting task, or a joiner.
    std::coroutine_handle<> continuation;
    /// When there is no continuation: what the owner (detached handle, group,
    /// race) does at the end; may destroy the frame; returns what to resume.
    std::coroutine_handle<> (*on_final)(PromiseBase&) noexcept = nullptr;
    void* owner = nullptr;
    /// Intrusive list of a TaskGroup (no allocation per task beyond its frame).
    PromiseBase* prev = nullptr;
    PromiseBase* next = nullptr;
    /// This frame, type-erased.
    std::coroutine_handle<> self;
    std::exception_ptr exception;
    StopContext own_stop;

    void unhandled_exception() noexcept { exception = std::current_exception(); }
};

struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
        PromiseBase& p = h.promise();
        if (p.continuation) return p.continuation;
        if (p.on_final != nullptr) return p.on_final(p);
        return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
};

template <class T>
struct TaskPromise : PromiseBase {
    std::variant<std::monostate, T> value;

    Task<T> get_return_object() noexcept;
    std::suspend_always initial_suspend() const noexcept { return {}; }
    FinalAwaiter final_suspend() const noexcept { return {}; }
    template <class U>
        requires std::convertible_to<U&&, T>
    void return_value(U&& v) {
        value.template emplace<1>(std::forward<U>(v));
    }
    T take_result() {
        if (exception) std::rethrow_exception(exception);
        return std::move(std::get<1>(value));
    }
};

template <>
struct TaskPromise<void> : PromiseBase {
    Task<void> get_return_object() noexcept;
    std::suspend_always initial_suspend() const noexcept { return {}; }
    FinalAwaiter final_suspend() const noexcept { return {}; }
    void return_void() const noexcept {}
    void take_result() const {
        if (exception) std::rethrow_exception(exception);
    }
};

/// The stop context of the task suspending at `h`. Our awaitables can only
/// be awaited inside a co::Task (they need its stop context).
template <class P>
StopContext& stop_context_of(std::coroutine_handle<P> h) noexcept {
    static_assert(std::derived_from<P, PromiseBase>, "netreactor::co awaitables are awaited inside a co::Task");
    return *h.promise().stop;
}

/// Base of the leaf awaiters (read, sleep, accept...): the waiting task, its
/// stop context, and the registration there while suspended. Lives in the
/// coroutine frame; destroying the frame destroys it, which unregisters it.
class Operation : public Cancellable {
public:
    /// Awaiters are moved only before they are awaited (e.g. into
    /// co::with_timeout); a suspended one is pinned in its frame.
    Operation(Operation&& other) noexcept : Cancellable(other) {}
    Operation& operator=(const Operation&) = delete;

protected:
    /// D is the derived awaiter; its on_cancel() runs on cancellation.
    template <class D>
    explicit Operation(std::type_identity<D>) noexcept : Cancellable(&Cancellable::call_on_cancel<D>) {}

    ~Operation() {
        if (waiter_) stop_->detach(*this);
    }
    /// Start of await_suspend: false when the chain is already stopped (then
    /// do not start the operation; await_resume must throw Cancelled).
    template <class P>
    bool begin(std::coroutine_handle<P> h) noexcept {
        stop_ = &stop_context_of(h);
        if (stop_->stop_requested()) {
            cancelled_ = true;
            return false;
        }
        waiter_ = h;
        stop_->attach(*this);
        return true;
    }
    /// The operation finished: unregister and resume the task. `*this` may be
    /// destroyed when this returns (the task ran on and may have ended).
    void complete() noexcept {
        stop_->detach(*this);
        std::exchange(waiter_, {}).resume();
    }
    /// Inside cancel(): the stop context already forgot us; mark and resume.
    void complete_cancelled() noexcept {
        cancelled_ = true;
        std::exchange(waiter_, {}).resume();
    }
    /// Outside cancel(): end the wait with co::Cancelled (the object the
    /// operation ran on is going away) and resume the task.
    void abort() noexcept {
        stop_->detach(*this);
        complete_cancelled();
    }
    /// After begin(): the operation finished without suspending after all
    /// (await_suspend then returns false); unregister only.
    void settle() noexcept {
        stop_->detach(*this);
        waiter_ = {};
    }
    bool suspended() const noexcept { return static_cast<bool>(waiter_); }

    bool cancelled_ = false;

private:
    std::coroutine_handle<> waiter_;
    StopContext* stop_ = nullptr;
};

/// Base of the awaiters that wait in a slot of their object's state: a
/// stream's one reader or writer, an acceptor's or a UDP socket's one waiter.
/// The object's events complete whoever is in the slot; while suspended the
/// slot points to the awaiter, and cancellation or the frame's destruction
/// empties it (one place for that bookkeeping, whatever the operation).
///
/// D provides `static D*& slot(State&) noexcept` (the slot; private, with
/// this base a friend) and `bool start()`, called after the stop context was
/// checked: it begins the operation and occupy()s the slot to wait (true), or
/// finishes at once after settle() (false: no suspension). It may hide
/// leave_slot() to learn that a waiter left without its event.
template <class D, class State>
class SlotOperation : public Operation {
public:
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
        if (!begin(h)) return false;
        return static_cast<D*>(this)->start();
    }
    /// Cancellation: leave the slot, resume the task with co::Cancelled.
    /// Whatever the operation started stays as the awaiter documents.
    void on_cancel() noexcept {
        D::leave_slot(*state_);
        complete_cancelled();
    }

protected:
    explicit SlotOperation(State& state) noexcept : Operation(std::type_identity<D>{}), state_(&state) {}
    SlotOperation(SlotOperation&& other) noexcept : Operation(std::move(other)), state_(other.state_) {}
    /// A frame destroyed while it waits leaves the slot (no resumption).
    ~SlotOperation() {
        if (suspended()) D::leave_slot(*state_);
    }
    /// Inside start(): wait in the slot until the object's events complete it.
    void occupy() noexcept { D::slot(*state_) = static_cast<D*>(this); }
    /// Empties the slot when the waiter leaves without its event (cancelled,
    /// or its frame destroyed). D may declare its own, to do more.
    static void leave_slot(State& state) noexcept { D::slot(state) = nullptr; }
    /// The slot holds another waiter (a second read while one waits...).
    bool slot_taken() const noexcept { return D::slot(*state_) != nullptr; }

    State* state_;
};

/// The awaiter of `co_await task`: runs the child with the caller's stop
/// context, resumes the caller at its end (symmetric transfer).
template <class T>
struct TaskAwaiter {
    std::coroutine_handle<TaskPromise<T>> child;
    bool await_ready() const noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> caller) noexcept {
        child.promise().stop = &stop_context_of(caller);
        child.promise().continuation = caller;
        return child;
    }
    T await_resume() { return child.promise().take_result(); }
};

/// The awaiter of JoinHandle::join().
template <class T>
class JoinAwaiter : public Cancellable {
public:
    explicit JoinAwaiter(std::coroutine_handle<TaskPromise<T>> frame) noexcept
        : Cancellable(&Cancellable::call_on_cancel<JoinAwaiter>), frame_(frame) {}
    JoinAwaiter(const JoinAwaiter&) = delete;
    JoinAwaiter& operator=(const JoinAwaiter&) = delete;
    ~JoinAwaiter() {
        // The joiner's frame is destroyed while it waits: forget it.
        if (joiner_stop_ != nullptr && !frame_.done()) {
            frame_.promise().continuation = {};
            joiner_stop_->detach(*this);
        }
    }
    bool await_ready() const noexcept { return frame_.done(); }
    template <class P>
    void await_suspend(std::coroutine_handle<P> joiner) noexcept {
        joiner_stop_ = &stop_context_of(joiner);
        frame_.promise().continuation = joiner;
        if (joiner_stop_->stop_requested()) {
            frame_.promise().stop->request_stop();
        } else {
            joiner_stop_->attach(*this);
        }
    }
    T await_resume() {
        if (joiner_stop_ != nullptr) joiner_stop_->detach(*this);
        return frame_.promise().take_result();
    }
    void on_cancel() noexcept { frame_.promise().stop->request_stop(); }

private:
    std::coroutine_handle<TaskPromise<T>> frame_;
    StopContext* joiner_stop_ = nullptr;
};

}  // namespace detail

/// A lazy coroutine producing a T (or void), or an exception.
///
/// **Ownership:** move-only; the Task owns its coroutine frame. Destroying a
/// Task that never ran frees the frame; a running task is owned by whoever
/// awaits it (`co_await std::move(task)`), by a JoinHandle (co::spawn) or by
/// a TaskGroup. Destroying a suspended frame destroys its locals, and with
/// them the operation it waits on (that operation is cancelled; see each
/// awaitable for the state it leaves its socket or lookup in).
///
/// **Threads:** a task runs on the thread of the loop whose objects it uses;
/// create, await and destroy it there.
template <class T>
class [[nodiscard]] Task {
public:
    /// The coroutine promise (library internal).
    using promise_type = detail::TaskPromise<T>;

    /// An empty task (moved-from state).
    Task() noexcept = default;
    /// Takes over `other`'s frame.
    Task(Task&& other) noexcept : frame_(std::exchange(other.frame_, {})) {}
    /// Destroys this frame, takes over `other`'s.
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            if (frame_) frame_.destroy();
            frame_ = std::exchange(other.frame_, {});
        }
        return *this;
    }
    /// Destroys the frame (see the class comment).
    ~Task() {
        if (frame_) frame_.destroy();
    }

    /// Runs the task inside the awaiting one; gives its value or rethrows its
    /// exception. It shares the awaiting task's stop context (cancelling the
    /// outer task cancels this one).
    detail::TaskAwaiter<T> operator co_await() && noexcept { return detail::TaskAwaiter<T>{frame_}; }

    /// Gives up the frame (library internal: JoinHandle, TaskGroup, race).
    std::coroutine_handle<promise_type> release() noexcept { return std::exchange(frame_, {}); }

private:
    friend promise_type;
    explicit Task(std::coroutine_handle<promise_type> frame) noexcept : frame_(frame) {}
    std::coroutine_handle<promise_type> frame_;
};

namespace detail {
template <class T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
    auto h = std::coroutine_handle<TaskPromise<T>>::from_promise(*this);
    self = h;
    return Task<T>(h);
}
inline Task<void> TaskPromise<void>::get_return_object() noexcept {
    auto h = std::coroutine_handle<TaskPromise<void>>::from_promise(*this);
    self = h;
    return Task<void>(h);
}
}  // namespace detail

/// A started task: join it (`co_await handle.join()`), read its result once
/// done, cancel it, or detach it.
///
/// **Ownership:** owns the task's frame. Destroying the handle of a task that
/// has not finished destroys the frame where it is suspended (its pending
/// operation is cancelled without resuming it). detach() hands the frame to
/// itself: it is freed when the task ends; a detached task still suspended
/// when its objects go away is the program's leak, so prefer a TaskGroup for
/// tasks that may outlive the loop's run().
///
/// **Threads:** loop thread only.
template <class T>
class [[nodiscard]] JoinHandle {
public:
    using Frame = std::coroutine_handle<detail::TaskPromise<T>>;

    /// An empty handle.
    JoinHandle() noexcept = default;
    /// Owns the started frame `frame` (see co::spawn).
    explicit JoinHandle(Frame frame) noexcept : frame_(frame) {}
    JoinHandle(JoinHandle&& other) noexcept : frame_(std::exchange(other.frame_, {})) {}
    JoinHandle& operator=(JoinHandle&& other) noexcept {
        if (this != &other) {
            reset();
            frame_ = std::exchange(other.frame_, {});
        }
        return *this;
    }
    /// Destroys the frame, finished or not (see the class comment).
    ~JoinHandle() { reset(); }

    /// True when the handle owns a task.
    explicit operator bool() const noexcept { return static_cast<bool>(frame_); }
    /// True once the task has returned or thrown.
    bool done() const noexcept { return frame_ && frame_.done(); }
    /// Requests a stop: the operation the task waits on is cancelled (inside
    /// this call) and the task resumes with co::Cancelled; what it then does
    /// (catch, clean up) is up to it. Every later operation fails at once.
    void cancel() noexcept {
        if (frame_) frame_.promise().stop->request_stop();
    }
    /// The task's value, or its exception rethrown. Only once done().
    T result() { return frame_.promise().take_result(); }
    /// Lets the task run on its own; its frame is freed when it ends (its
    /// result or exception is dropped). The handle becomes empty.
    void detach() noexcept {
        Frame frame = std::exchange(frame_, {});
        if (!frame) return;
        if (frame.done()) {
            frame.destroy();
            return;
        }
        frame.promise().on_final = [](detail::PromiseBase& p) noexcept -> std::coroutine_handle<> {
            p.self.destroy();
            return std::noop_coroutine();
        };
    }

    /// Awaits the task's end from another task: gives its value or rethrows.
    /// Cancelling the joining task cancels the joined one (and still waits
    /// for it to end).
    detail::JoinAwaiter<T> join() noexcept { return detail::JoinAwaiter<T>(frame_); }

private:
    void reset() noexcept {
        if (frame_) std::exchange(frame_, {}).destroy();
    }
    Frame frame_;
};

/// Starts `task` now: it runs inside this call until its first suspension
/// (like a function call), then from the loop's callbacks. The returned
/// handle owns it.
template <class T>
JoinHandle<T> spawn(Task<T> task) {
    auto frame = task.release();
    frame.resume();
    return JoinHandle<T>(frame);
}

}  // namespace netreactor::co
