#include "netreactor/timer.hpp"

#include "loop_impl.hpp"
#include "uv_error.hpp"
#include "netreactor/error.hpp"
#include "internal.hpp"
#include "uv_handle_ref.hpp"

namespace netreactor {

struct NETREACTOR_INTERNAL Timer::Impl {
    uv_timer_t uv{};
    Callback callback;
};

Timer::Timer(Loop& loop) : impl_(new Impl) {
    uv_timer_init(uv_loop_of(loop), &impl_->uv);
    impl_->uv.data = impl_;
}

Timer::~Timer() {
    impl_->callback = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&impl_->uv),
             [](uv_handle_t* h) { delete static_cast<Impl*>(h->data); });
}

void Timer::start(std::chrono::milliseconds timeout, Callback callback, std::chrono::milliseconds repeat) {
    impl_->callback = std::move(callback);
    check_uv(uv_timer_start(
                 &impl_->uv,
                 [](uv_timer_t* t) {
                     auto* impl = static_cast<Impl*>(t->data);
                     // Copy: the callback may restart or destroy this timer.
                     Callback cb = impl->callback;
                     if (cb) cb();
                 },
                 deadline_timeout(impl_->uv.loop, static_cast<std::uint64_t>(timeout.count())),
                 static_cast<std::uint64_t>(repeat.count())),
             "timer_start");
}

void Timer::stop() { uv_timer_stop(&impl_->uv); }

bool Timer::active() const noexcept {
    return uv_is_active(reinterpret_cast<const uv_handle_t*>(&impl_->uv)) != 0;
}

void Timer::keep_loop_alive(bool keep) noexcept {
    detail::keep_loop_alive(reinterpret_cast<uv_handle_t*>(&impl_->uv), keep);
}

}  // namespace netreactor
