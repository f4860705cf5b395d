/// @file
/// @brief netreactor::co::TaskGroup: owns many detached-style tasks (one per connection...).
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <cstddef>
#include <exception>
#include <functional>

#include "netreactor/co/task.hpp"

namespace netreactor::co {

/// A set of running Task<void>s, each freed as soon as it ends: what a server
/// keeps its per-connection tasks in.
///
/// **Ownership:** owns the frames of its tasks that have not ended (an
/// intrusive list: nothing is allocated besides each frame). Destroying the
/// group destroys those frames where they are suspended, which closes what
/// they own (their streams, timers, lookups) without resuming them: destroy
/// it after Loop::run() returns (or from the loop thread at any time) and
/// before the objects the tasks refer to. Not copyable or movable.
///
/// **Threads:** loop thread only.
class TaskGroup {
public:
    /// What happens to an exception a task lets escape (default: dropped).
    using ErrorHandler = std::function<void(std::exception_ptr)>;

    TaskGroup() = default;
    explicit TaskGroup(ErrorHandler on_error) : on_error_(std::move(on_error)) {}
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;
    /// Destroys every task still running (see the class comment).
    ~TaskGroup() {
        // Destroying one frame may end another task (it closed a stream that
        // task waited on): that one stays listed, and is destroyed here too.
        sweeping_ = true;
        while (head_ != nullptr) {
            detail::PromiseBase* p = head_;
            unlink(*p);
            p->self.destroy();
        }
    }

    /// Starts `task` now (it runs inside this call until it first suspends);
    /// the group owns it until it ends.
    void spawn(Task<void> task) {
        auto frame = task.release();
        detail::PromiseBase& p = frame.promise();
        p.owner = this;
        p.on_final = &TaskGroup::on_task_end;
        p.next = head_;
        if (head_ != nullptr) head_->prev = &p;
        head_ = &p;
        ++size_;
        frame.resume();
    }

    /// Cancels every task (each resumes with co::Cancelled inside this call).
    void cancel_all() noexcept {
        // Tasks that end meanwhile stay listed (so no frame is freed under
        // these loops) until the sweep; freeing one may end others, which the
        // next pass collects.
        sweeping_ = true;
        for (detail::PromiseBase* p = head_; p != nullptr; p = p->next) p->stop->request_stop();
        for (bool freed = true; freed;) {
            freed = false;
            for (detail::PromiseBase* p = head_; p != nullptr;) {
                detail::PromiseBase* next = p->next;
                if (p->self.done()) {
                    finish(*p);
                    freed = true;
                }
                p = next;
            }
        }
        sweeping_ = false;
    }

    /// Tasks running (started, not ended).
    std::size_t size() const noexcept { return size_; }

private:
    static std::coroutine_handle<> on_task_end(detail::PromiseBase& p) noexcept {
        auto& group = *static_cast<TaskGroup*>(p.owner);
        if (!group.sweeping_) group.finish(p);
        return std::noop_coroutine();
    }
    void finish(detail::PromiseBase& p) noexcept {
        std::exception_ptr error = std::move(p.exception);
        unlink(p);
        p.self.destroy();
        if (error && on_error_) on_error_(error);
    }
    void unlink(detail::PromiseBase& p) noexcept {
        if (p.prev != nullptr) p.prev->next = p.next;
        else head_ = p.next;
        if (p.next != nullptr) p.next->prev = p.prev;
        p.prev = p.next = nullptr;
        --size_;
    }

    detail::PromiseBase* head_ = nullptr;
    std::size_t size_ = 0;
    bool sweeping_ = false;
    ErrorHandler on_error_;
};

}  // namespace netreactor::co
