// netreactor: one TCP connection, accepted or connected.
//
// Ownership: a TcpConnection is owned by exactly one std::unique_ptr. Destroying
// it closes the socket at once (queued output is dropped) and guarantees that no
// handler method runs afterwards; destroying it from inside one of its own
// handler callbacks is allowed. The socket memory is released in libuv's close
// callback, after the owner is gone.
//
// Output: write() first tries to hand the bytes to the kernel synchronously;
// only what the kernel does not take is copied into the connection's output
// queue. queued_bytes() reports that queue; crossing high_water_mark() calls
// ConnectionHandler::on_high_water, and emptying it calls on_write_drained, so
// a handler can stop reading a peer that does not read (backpressure).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"

namespace netreactor {

class Loop;
class TcpConnection;

// The events of a connection. One handler may serve many connections; use
// TcpConnection::set_context for per-connection state.
class ConnectionHandler {
public:
    virtual ~ConnectionHandler() = default;
    // An outgoing connection is established; reading has started.
    virtual void on_connected(TcpConnection&) {}
    // Bytes arrived. `data` is valid only during the call.
    virtual void on_data(TcpConnection&, std::span<const char> data) = 0;
    // The peer shut down its write side. The default sends what is queued,
    // then closes (and on_closed follows).
    virtual void on_eof(TcpConnection& conn);
    // The output queue grew above the high-water mark.
    virtual void on_high_water(TcpConnection&) {}
    // The output queue became empty after having held bytes.
    virtual void on_write_drained(TcpConnection&) {}
    // The connection is finished: `error` is null after a clean close (graceful
    // close completed), else why it failed (ECONNRESET, ETIMEDOUT...). Called at
    // most once, and never after the owner called close() or destroyed it.
    virtual void on_closed(TcpConnection&, const Error* error) = 0;
};

class TcpConnection {
public:
    enum class State { connecting, connected, closing, closed };

    // Starts connecting to `peer`. Fails through handler.on_closed (with
    // ETIMEDOUT after `timeout`, ECONNREFUSED...). A zero timeout waits for
    // the kernel's own limit.
    static std::unique_ptr<TcpConnection> connect(Loop& loop, const SocketAddress& peer,
                                                  std::chrono::milliseconds timeout, ConnectionHandler& handler);

    ~TcpConnection();
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    // For accepted connections: attach the handler and start reading.
    void start(ConnectionHandler& handler);

    // Sends bytes (copied if the kernel does not take them at once). Returns
    // false if the connection can no longer send; the reason reaches on_closed.
    bool write(std::span<const char> data);

    // Stops reading from the peer / starts again (backpressure).
    void pause_reading();
    void resume_reading();
    bool reading() const noexcept;

    // Sends what is queued, then shuts down the write side (FIN); reading goes on.
    void shutdown_after_drain();
    // Sends what is queued, shuts down, closes; on_closed(nullptr) follows.
    void close_gracefully();
    // Closes now, dropping queued output. No handler call follows.
    void close();

    State state() const noexcept;
    std::size_t queued_bytes() const noexcept;
    std::size_t high_water_mark() const noexcept;
    void set_high_water_mark(std::size_t bytes) noexcept;
    std::uint64_t bytes_received() const noexcept;
    std::uint64_t bytes_sent() const noexcept;
    // Loop time (Loop::now_ms) of the last byte received or of establishment:
    // what an idle timeout compares against.
    std::uint64_t last_activity_ms() const noexcept;
    SocketAddress peer_address() const;
    SocketAddress local_address() const;
    void set_nodelay(bool enable);

    void set_context(void* context) noexcept { context_ = context; }
    void* context() const noexcept { return context_; }

    struct Impl;
    // Used by TcpListener; not part of the public contract.
    explicit TcpConnection(Impl* impl) noexcept : impl_(impl) {}

private:
    Impl* impl_;  // freed when both this owner is gone and the socket is closed
    void* context_ = nullptr;
};

}  // namespace netreactor
