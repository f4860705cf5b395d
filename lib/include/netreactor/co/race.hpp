/// @file
/// @brief netreactor::co::race and co::when_all: run several awaitables at once.
///
/// Each operand (a co::Task, or any awaitable such as a read or a sleep, which
/// is wrapped in a task: one frame allocation each) runs as a child task with
/// its own stop context. All children are started, in order, inside the
/// co_await; the awaiting task resumes once every child has ended, so no child
/// outlives the group and nothing they refer to can dangle.
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <array>
#include <cstddef>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "netreactor/co/task.hpp"
#include "netreactor/co/timeout.hpp"

namespace netreactor::co {

namespace detail {

/// What a group gives for a child of type T: void becomes std::monostate.
template <class T>
using ValueOf = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T>
struct IsTask : std::false_type {};
template <class T>
struct IsTask<Task<T>> : std::true_type {};

template <class A>
using AwaitResult = decltype(std::declval<std::remove_reference_t<decltype(awaiter_of(std::declval<A&>()))>&>()
                                 .await_resume());

template <class A>
Task<AwaitResult<A>> as_task(A awaitable) {
    co_return co_await std::move(awaitable);
}

/// An operand as a task (Tasks pass through).
template <class A>
auto to_task(A&& awaitable) {
    using D = std::remove_cvref_t<A>;
    if constexpr (IsTask<D>::value) {
        return D(std::forward<A>(awaitable));
    } else {
        return as_task(D(std::forward<A>(awaitable)));
    }
}

template <class T>
struct TaskValue;
template <class T>
struct TaskValue<Task<T>> {
    using type = T;
};
/// The result type of an operand.
template <class A>
using TaskResult = typename TaskValue<decltype(to_task(std::declval<A>()))>::type;

/// The awaiter behind race (Race = true: the first child to end decides) and
/// when_all (Race = false: the first child to throw decides).
template <bool Race, class... T>
class GroupAwaiter : public Cancellable {
    static constexpr std::size_t N = sizeof...(T);

public:
    explicit GroupAwaiter(Task<T>... tasks)
        : Cancellable(&Cancellable::call_on_cancel<GroupAwaiter>), frames_(tasks.release()...) {}
    /// Only before it is awaited (e.g. into co::with_timeout).
    GroupAwaiter(GroupAwaiter&& other) noexcept : Cancellable(other), frames_(std::exchange(other.frames_, {})) {}
    GroupAwaiter& operator=(const GroupAwaiter&) = delete;
    /// Destroys the children where they are (the awaiting frame is being
    /// destroyed): their operations are cancelled without resuming them.
    ~GroupAwaiter() {
        if (parent_stop_ != nullptr) parent_stop_->detach(*this);
        quiet_ = true;  // a child ending as another is destroyed must not resume the parent
        std::apply([](auto... frame) { ((frame ? frame.destroy() : void()), ...); }, frames_);
    }

    bool await_ready() const noexcept { return false; }

    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) {
        parent_ = h;
        parent_stop_ = &stop_context_of(h);
        bool stopped = parent_stop_->stop_requested();
        if (!stopped) parent_stop_->attach(*this);
        quiet_ = true;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (launch<I>(stopped), ...);
        }(std::index_sequence_for<T...>{});
        quiet_ = false;
        return remaining_ == 0 ? std::coroutine_handle<>(h) : std::noop_coroutine();
    }

    /// The awaiting task was cancelled: cancel every child.
    void on_cancel() noexcept {
        parent_stop_ = nullptr;  // it forgot us already
        stop_children(N);
        if (remaining_ == 0) parent_.resume();
    }

    auto await_resume() {
        if (parent_stop_ != nullptr) parent_stop_->detach(*this);
        parent_stop_ = nullptr;
        if constexpr (Race) {
            std::optional<std::variant<ValueOf<T>...>> result;
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (void)((decider_ == I ? (result.emplace(std::in_place_index<I>, take<I>()), true) : false) || ...);
            }(std::index_sequence_for<T...>{});
            return std::move(*result);
        } else {
            if (decider_ != N) {
                [&]<std::size_t... I>(std::index_sequence<I...>) {
                    (void)((decider_ == I ? (take<I>(), true) : false) || ...);
                }(std::index_sequence_for<T...>{});
            }
            return [&]<std::size_t... I>(std::index_sequence<I...>) {
                return std::tuple<ValueOf<T>...>(take<I>()...);
            }(std::index_sequence_for<T...>{});
        }
    }

private:
    template <std::size_t I>
    void launch(bool stopped) {
        auto frame = std::get<I>(frames_);
        PromiseBase& p = frame.promise();
        p.stop = &stops_[I];
        p.owner = this;
        p.on_final = &GroupAwaiter::on_child_end<I>;
        if (stopped || decider_ != N) stops_[I].request_stop();
        frame.resume();
    }

    template <std::size_t I>
    static std::coroutine_handle<> on_child_end(PromiseBase& p) noexcept {
        return static_cast<GroupAwaiter*>(p.owner)->child_ended(I, p);
    }

    std::coroutine_handle<> child_ended(std::size_t index, PromiseBase& p) noexcept {
        --remaining_;
        if (decider_ == N && (Race || p.exception)) {
            decider_ = index;
            stop_children(index);
        }
        if (quiet_ || remaining_ > 0) return std::noop_coroutine();
        return parent_;
    }

    /// Stops every child but `except`; children ending meanwhile do not
    /// resume the parent (the caller decides once the loop is over).
    void stop_children(std::size_t except) noexcept {
        bool was_quiet = std::exchange(quiet_, true);
        for (std::size_t i = 0; i < N; ++i)
            if (i != except) stops_[i].request_stop();
        quiet_ = was_quiet;
    }

    template <std::size_t I>
    auto take() {
        auto& promise = std::get<I>(frames_).promise();
        if constexpr (std::is_void_v<std::tuple_element_t<I, std::tuple<T...>>>) {
            promise.take_result();
            return std::monostate{};
        } else {
            return promise.take_result();
        }
    }

    std::array<StopContext, N> stops_;
    std::tuple<std::coroutine_handle<TaskPromise<T>>...> frames_;
    std::coroutine_handle<> parent_;
    StopContext* parent_stop_ = nullptr;
    std::size_t remaining_ = N;
    std::size_t decider_ = N;
    bool quiet_ = false;
};

}  // namespace detail

/// Runs every operand at once; the first to end (with a value or an
/// exception) wins, the others are cancelled (each leaves its socket or lookup
/// as its own cancellation does), and once all have ended the race gives a
/// std::variant whose index() is the winner (void results are
/// std::monostate), or rethrows the winner's exception. Cancelling the
/// awaiting task cancels all of them.
template <class... A>
auto race(A&&... operands) {
    static_assert(sizeof...(A) >= 1);
    return detail::GroupAwaiter<true, detail::TaskResult<A>...>(detail::to_task(std::forward<A>(operands))...);
}

/// Runs every operand at once and gives all their values as a std::tuple
/// (void results are std::monostate) once all have ended. The first exception
/// cancels the others and is rethrown once they have ended.
template <class... A>
auto when_all(A&&... operands) {
    static_assert(sizeof...(A) >= 1);
    return detail::GroupAwaiter<false, detail::TaskResult<A>...>(detail::to_task(std::forward<A>(operands))...);
}

}  // namespace netreactor::co
