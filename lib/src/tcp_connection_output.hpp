// Internal: a TcpConnection's output queue, what the kernel did not take at once.
#pragma once

#include <uv.h>

#include <memory>
#include <vector>

#include "netreactor/error.hpp"

namespace netreactor {

// Allocated only once the kernel refuses bytes (or a shutdown is needed, or the
// connection fails), so an idle connection costs no output buffers. One write is in flight at a time:
// `in_flight` is what libuv is sending, `pending` collects what arrives meanwhile;
// they swap when the write completes, keeping their capacity (no allocation per
// message in steady state). The code that fills and drains it is in
// tcp_connection_output.cpp.
struct OutputQueue {
    uv_write_t write_req{};
    uv_shutdown_t shutdown_req{};
    std::vector<char> in_flight;
    std::vector<char> pending;
    bool writing = false;
    // Why the connection failed, from finish() until the close callback
    // reports it. Kept here, not in the Impl, so idle connections do not pay
    // for it (see the size note on TcpConnection::Impl).
    std::unique_ptr<Error> close_error;
};

}  // namespace netreactor
