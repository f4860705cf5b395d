// Internal: what the wrappers need from a Loop. Never installed.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "netreactor/loop.hpp"
#include "internal.hpp"

namespace netreactor {

struct NETREACTOR_INTERNAL Loop::Impl {
    uv_loop_t uv{};
    uv_async_t wakeup{};
    std::mutex posted_mutex;
    std::vector<std::function<void()>> posted;
    // One read buffer shared by every stream of this loop: a read callback
    // consumes its bytes before returning, so no connection needs its own.
    static constexpr std::size_t kReadBufferSize = std::size_t{256} * 1024;
    std::unique_ptr<char[]> read_buffer{new char[kReadBufferSize]};

    void run_posted();
};

// The library's own way into a Loop's private Impl (a friend of Loop).
struct LoopAccess {
    using Impl = Loop::Impl;
    static Impl& impl(Loop& loop) noexcept { return *loop.impl_; }
};

inline uv_loop_t* uv_loop_of(Loop& loop) { return &LoopAccess::impl(loop).uv; }

// The libuv due time for a deadline `timeout_ms` from now that must never fire
// early: libuv measures timers from the loop's cached millisecond clock, which
// can lag the real time by a whole iteration plus the truncated fraction of a
// millisecond. Refreshing the clock and adding that millisecond means a
// 500 ms timeout never ends after 499.7 ms of real time.
std::uint64_t deadline_timeout(uv_loop_t* loop, std::uint64_t timeout_ms);

// libuv alloc callback handing out the loop's shared read buffer.
void alloc_shared_read_buffer(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);

}  // namespace netreactor
