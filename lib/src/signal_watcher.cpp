#include "netreactor/signal_watcher.hpp"

#include "loop_impl.hpp"
#include "uv_error.hpp"
#include "netreactor/error.hpp"
#include "internal.hpp"

namespace netreactor {

struct NETREACTOR_INTERNAL SignalWatcher::Impl {
    uv_signal_t uv{};
    Callback callback;
};

SignalWatcher::SignalWatcher(Loop& loop, int signum, Callback callback) : impl_(new Impl) {
    impl_->callback = std::move(callback);
    uv_signal_init(uv_loop_of(loop), &impl_->uv);
    impl_->uv.data = impl_;
    int rc = uv_signal_start(
        &impl_->uv,
        [](uv_signal_t* s, int received) {
            Callback cb = static_cast<Impl*>(s->data)->callback;
            if (cb) cb(received);
        },
        signum);
    if (rc < 0) {
        uv_close(reinterpret_cast<uv_handle_t*>(&impl_->uv), [](uv_handle_t* h) { delete static_cast<Impl*>(h->data); });
        throw SystemError(uv_error(rc, "signal_start"));
    }
    uv_unref(reinterpret_cast<uv_handle_t*>(&impl_->uv));
}

SignalWatcher::~SignalWatcher() {
    impl_->callback = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&impl_->uv), [](uv_handle_t* h) { delete static_cast<Impl*>(h->data); });
}

}  // namespace netreactor
