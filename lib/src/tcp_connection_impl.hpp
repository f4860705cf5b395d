// Internal: the state behind a TcpConnection, shared with TcpListener.
#pragma once

#include <uv.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "netreactor/tcp_connection.hpp"

namespace netreactor {

// Allocated only once the kernel refuses bytes (or a shutdown is needed, or the
// connection fails), so an idle connection costs no output buffers. One write is in flight at a time:
// `in_flight` is what libuv is sending, `pending` collects what arrives meanwhile;
// they swap when the write completes, keeping their capacity (no allocation per
// message in steady state).
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

struct ConnectAttempt;

// Size matters: one Impl per connection is most of an idle connection's
// memory (the target is <= 400 bytes in all, bench/echo), so rare state lives
// in OutputQueue and the flags are bits. 312 bytes fill a 320-byte malloc chunk.
struct TcpConnection::Impl {
    enum class AfterDrain : std::uint8_t { nothing, shutdown, close };

    uv_tcp_t tcp{};  // tcp.data points back here
    TcpConnection* owner = nullptr;
    ConnectionHandler* handler = nullptr;
    std::unique_ptr<OutputQueue> output;
    ConnectAttempt* connect_attempt = nullptr;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t last_activity_ms = 0;
    std::uint32_t high_water = 4 * 1024 * 1024;
    State state : 3 = State::connecting;
    AfterDrain after_drain : 2 = AfterDrain::nothing;
    bool read_wanted : 1 = true;
    bool reading : 1 = false;
    bool eof_received : 1 = false;
    bool above_high_water : 1 = false;
    bool shutdown_started : 1 = false;
    bool handle_closing : 1 = false;
    bool handle_closed : 1 = false;
    bool notify_closed : 1 = false;

    uv_stream_t* stream() noexcept { return reinterpret_cast<uv_stream_t*>(&tcp); }
    uv_handle_t* handle() noexcept { return reinterpret_cast<uv_handle_t*>(&tcp); }
    std::size_t queued() const noexcept {
        return output ? output->in_flight.size() + output->pending.size() : 0;
    }
    // Of the write in flight, what the kernel has taken already: libuv writes
    // a large buffer in several system calls and counts down what remains
    // (write_queue_size), long before the whole write completes. The public
    // byte counts use it so that a peer reading slowly is seen to progress.
    std::size_t in_flight_taken() const noexcept {
        if (!output || !output->writing) return 0;
        std::size_t remaining = uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&tcp));
        return output->in_flight.size() - std::min(remaining, output->in_flight.size());
    }

    // Called once the socket is connected (accepted or outgoing).
    void on_established();
    void update_reading();
    void enqueue(std::span<const char> data);
    void start_write();
    void on_drained();
    void begin_shutdown();
    // Ends the connection: on_closed(error) follows if `notify`.
    void finish(std::unique_ptr<Error> error, bool notify);
    void end_connect_attempt();
};

// The library's way to make the owner of an Impl (TcpConnection's
// constructor is private: programs get connections from connect() or a
// TcpListener only).
struct TcpConnectionAccess {
    static std::unique_ptr<TcpConnection> adopt(TcpConnection::Impl* impl) {
        return std::unique_ptr<TcpConnection>(new TcpConnection(impl));
    }
};

}  // namespace netreactor
