// Internal: whether a libuv handle keeps its loop running, for every class
// with keep_loop_alive(bool). Never installed.
#pragma once

#include <uv.h>

namespace netreactor::detail {

// uv_ref/uv_unref only set a flag (no system call): cheap to call per change.
inline void keep_loop_alive(uv_handle_t* handle, bool keep) noexcept {
    if (keep) {
        uv_ref(handle);
    } else {
        uv_unref(handle);
    }
}

}  // namespace netreactor::detail
