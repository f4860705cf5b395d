// Internal: the state behind a TcpConnection, shared with TcpListener.
//
// Where each part lives:
//   tcp_connection.cpp          the owner's API (TcpConnection's members)
//   tcp_connection_state.cpp    the state machine: reading, shutdown, finishing, the close callback
//   tcp_connection_output.cpp   the output queue: what the kernel did not take, written by libuv
//   tcp_connection_connect.cpp  outgoing connections: the connect request and its timeout
#pragma once

#include <uv.h>

#include <algorithm>
#include <memory>

#include "netreactor/tcp_connection.hpp"
#include "internal.hpp"
#include "tcp_connection_output.hpp"

namespace netreactor {

struct ConnectAttempt;

// Size matters: one Impl per connection is most of an idle connection's
// memory (the target is <= 400 bytes in all, bench/echo), so rare state lives
// in OutputQueue, the flags are bits, the owner object is embedded (its
// destroying delete leaves the memory to the close callback) and the connect
// attempt shares a word with the received-byte count. 312 bytes fill a
// 320-byte malloc chunk.
struct NETREACTOR_INTERNAL TcpConnection::Impl {
    enum class AfterDrain : std::uint8_t { nothing, shutdown, close };

    uv_tcp_t tcp{};  // tcp.data points back here
    TcpConnection self{this};  // what the owner's unique_ptr points to
    ConnectionHandler* handler = nullptr;
    std::unique_ptr<OutputQueue> output;
    // While has_connect_attempt (only in State::connecting) the attempt; from
    // then on the count of bytes received, which is zero until established.
    union {
        ConnectAttempt* connect_attempt;
        std::uint64_t bytes_in = 0;
    };
    std::uint64_t bytes_out = 0;
    std::uint64_t last_activity_ms = 0;
    std::uint32_t high_water = 4 * 1024 * 1024;
    std::uint32_t low_water = 0;
    // The socket, from establishment: write() hands bytes to the kernel itself
    // (send_now). Fills what was padding before the flags.
    int fd = -1;
    State state : 3 = State::connecting;
    AfterDrain after_drain : 2 = AfterDrain::nothing;
    bool owner_alive : 1 = true;          // `self` not yet deleted
    bool has_connect_attempt : 1 = false;
    bool read_wanted : 1 = true;          // accepted connections start without
    bool reading : 1 = false;
    bool eof_received : 1 = false;
    bool above_high_water : 1 = false;
    bool shutdown_started : 1 = false;    // uv_shutdown issued
    bool shutdown_sent : 1 = false;       // ... and completed: the FIN is out
    bool shutdown_owed : 1 = false;       // shutdown_after_drain() awaits its on_shutdown
    bool handle_closing : 1 = false;
    bool handle_closed : 1 = false;
    bool notify_closed : 1 = false;
    bool close_deferred : 1 = false;      // ended with no handler: closed on attach or delete
    bool ever_attached : 1 = false;

    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

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
    // queued_bytes() and bytes_sent() once something was queued (out of line:
    // without a queue, the usual case, the public accessors return at once).
    [[gnu::noinline]] std::size_t unsent_bytes() const noexcept { return queued() - in_flight_taken(); }
    [[gnu::noinline]] std::uint64_t sent_bytes() const noexcept { return bytes_out + in_flight_taken(); }
    // Handler calls are made only while someone can receive them.
    bool can_notify() const noexcept { return owner_alive && handler != nullptr; }

    // --- the state machine (tcp_connection_state.cpp)
    // Called once the socket is connected (accepted or outgoing).
    void on_established();
    void update_reading();
    void begin_shutdown();
    void on_shutdown_complete(int status);
    // A read that brought no bytes: the peer's FIN or an error (never on the
    // per-message path, so kept out of the read callback).
    void on_read_end(int status);
    // Ends the connection: on_closed(error) follows if `notify` (and
    // on_shutdown(error) first if one is owed).
    void finish(std::unique_ptr<Error> error, bool notify);
    // finish() with the error of libuv status `status` in `operation`; out of
    // line so the callers' fast paths do not build an Error.
    void fail(int status, const char* operation);
    void close_handle();

    // --- the output path (tcp_connection_output.cpp)
    // Hands `data` to the kernel now: the bytes it took, or a libuv status
    // (UV_EAGAIN when it takes none).
    ssize_t send_now(std::span<const char> data) noexcept;
    [[gnu::noinline]] ssize_t send_failed(std::span<const char> data) noexcept;
    // What write() does when the kernel did not take everything: `sent` is
    // send_now's result (or UV_EAGAIN when bytes are queued already).
    bool write_rest(std::span<const char> data, ssize_t sent);
    void enqueue(std::span<const char> data);
    void start_write();
    void after_write_progress();

    // --- outgoing connections (tcp_connection_connect.cpp)
    void end_connect_attempt();
};

// The error the kernel holds for the socket (SO_ERROR, as a libuv status), or 0.
int pending_socket_error(uv_stream_t* stream);

static_assert(sizeof(TcpConnection::Impl) <= 312, "an idle connection must stay in a 320-byte allocation");

}  // namespace netreactor
