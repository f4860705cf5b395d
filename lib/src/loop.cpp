#include "loop_impl.hpp"
#include "uv_error.hpp"

#include <csignal>
#include <cstdio>

#include "netreactor/error.hpp"

namespace netreactor {

Loop::Loop() : impl_(std::make_unique<Impl>()) {
    check_uv(uv_loop_init(&impl_->uv), "loop_init");
    impl_->uv.data = impl_.get();
    check_uv(uv_async_init(&impl_->uv, &impl_->wakeup,
                           [](uv_async_t* a) { static_cast<Impl*>(a->data)->run_posted(); }),
             "async_init");
    impl_->wakeup.data = impl_.get();
    // Posting must not keep the loop alive on its own.
    uv_unref(reinterpret_cast<uv_handle_t*>(&impl_->wakeup));
}

Loop::~Loop() {
    uv_close(reinterpret_cast<uv_handle_t*>(&impl_->wakeup), nullptr);
    // Let close callbacks of handles destroyed just before us run, so their
    // memory is released. Bounded: a handle still owned elsewhere is a bug of
    // the caller, reported rather than freed under its owner.
    int rc = uv_loop_close(&impl_->uv);
    for (int i = 0; i < 16 && rc == UV_EBUSY; ++i) {
        uv_run(&impl_->uv, UV_RUN_NOWAIT);
        rc = uv_loop_close(&impl_->uv);
    }
    if (rc == UV_EBUSY) {
        std::fputs("netreactor: Loop destroyed while handles are still alive; leaking it\n", stderr);
        uv_walk(
            &impl_->uv,
            [](uv_handle_t* h, void*) { std::fprintf(stderr, "  open handle: %s\n", uv_handle_type_name(h->type)); },
            nullptr);
        (void)impl_.release();
    }
}

void Loop::run() { uv_run(&impl_->uv, UV_RUN_DEFAULT); }

bool Loop::run_once(bool wait) { return uv_run(&impl_->uv, wait ? UV_RUN_ONCE : UV_RUN_NOWAIT) != 0; }

void Loop::stop() { uv_stop(&impl_->uv); }

void Loop::post(std::function<void()> task) {
    {
        std::lock_guard lock(impl_->posted_mutex);
        impl_->posted.push_back(std::move(task));
    }
    uv_async_send(&impl_->wakeup);
}

void Loop::Impl::run_posted() {
    std::vector<std::function<void()>> batch;
    {
        std::lock_guard lock(posted_mutex);
        batch.swap(posted);
    }
    for (auto& task : batch) task();
}

std::uint64_t Loop::now_ms() const noexcept { return uv_now(&impl_->uv); }

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

std::uint64_t monotonic_ns() noexcept { return uv_hrtime(); }

std::uint64_t deadline_timeout(uv_loop_t* loop, std::uint64_t timeout_ms) {
    uv_update_time(loop);
    return timeout_ms == 0 ? 0 : timeout_ms + 1;
}

void alloc_shared_read_buffer(uv_handle_t* handle, size_t, uv_buf_t* buf) {
    auto* loop = static_cast<LoopAccess::Impl*>(handle->loop->data);
    buf->base = loop->read_buffer.get();
    buf->len = LoopAccess::Impl::kReadBufferSize;
}

}  // namespace netreactor
