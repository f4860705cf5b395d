// Internal: what the wrappers need from a Loop. Never installed.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "netreactor/loop.hpp"

namespace netreactor {

struct Loop::Impl {
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

inline uv_loop_t* uv_loop_of(Loop& loop) { return &loop.impl().uv; }

// libuv alloc callback handing out the loop's shared read buffer.
void alloc_shared_read_buffer(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);

}  // namespace netreactor
