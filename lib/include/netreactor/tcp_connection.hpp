/// @file
/// @brief netreactor::TcpConnection and netreactor::ConnectionHandler: one TCP connection, accepted or connected.
///
/// Ownership: a TcpConnection is owned by exactly one std::unique_ptr. Destroying
/// it closes the socket at once (queued output is dropped) and guarantees that no
/// handler method runs afterwards; destroying it from inside one of its own
/// handler callbacks is allowed. The socket memory is released in libuv's close
/// callback, after the owner is gone.
///
/// Output: write() first tries to hand the bytes to the kernel synchronously;
/// only what the kernel does not take is copied into the connection's output
/// queue. queued_bytes() reports that queue; crossing high_water_mark() calls
/// ConnectionHandler::on_high_water, and emptying it calls on_write_drained, so
/// a handler can stop reading a peer that does not read (backpressure).
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

/// The events of a connection. One handler may serve many connections; use
/// TcpConnection::set_context for per-connection state.
///
/// **Ownership:** the program owns the handler; the connection only keeps a
/// reference, so the handler must outlive every connection it serves (or
/// those connections must be destroyed first).
///
/// **Threads:** every method is called on the loop thread of the connection,
/// never concurrently, and never after the connection's owner destroyed it or
/// called close(). Inside any method the handler may call any member of the
/// connection, including destroying it (then it must not touch it again).
class ConnectionHandler {
public:
    virtual ~ConnectionHandler() = default;
    /// An outgoing connection is established; reading has started.
    virtual void on_connected(TcpConnection&) {}
    /// Bytes arrived. `data` is valid only during the call (it points into the
    /// loop's shared read buffer): copy what must be kept.
    virtual void on_data(TcpConnection&, std::span<const char> data) = 0;
    /// The peer shut down its write side. The default sends what is queued,
    /// then closes (and on_closed follows).
    virtual void on_eof(TcpConnection& conn);
    /// The output queue grew above the high-water mark. May be called from
    /// inside TcpConnection::write().
    virtual void on_high_water(TcpConnection&) {}
    /// The output queue became empty after having held bytes.
    virtual void on_write_drained(TcpConnection&) {}
    /// The connection is finished: `error` is null after a clean close (graceful
    /// close completed), else why it failed (ECONNRESET, ETIMEDOUT...). Called at
    /// most once, and never after the owner called close() or destroyed it.
    /// `error` is valid only during the call. The connection can no longer
    /// send or receive; the owner should destroy it (here is fine).
    virtual void on_closed(TcpConnection&, const Error* error) = 0;
};

/// One TCP connection: accepted by a TcpListener or made by connect().
///
/// **Ownership:** exactly one std::unique_ptr owns it (see the file comment);
/// it is neither copyable nor movable, so its address is stable, which is what
/// handlers and set_context rely on. It owns its socket and its output queue.
/// The Loop must outlive it.
///
/// **Threads:** every member is called on its loop's thread.
class TcpConnection {
public:
    /// Where the connection is in its life.
    enum class State {
        connecting,  ///< connect() in progress
        connected,   ///< established: reading and writing
        closing,     ///< close_gracefully(): sending what is queued, then closing
        closed       ///< finished (on_closed was or will be called, or close() was called)
    };

    /// Starts connecting to `peer`. Fails through handler.on_closed (with
    /// ETIMEDOUT after `timeout`, ECONNREFUSED...). A zero timeout waits for
    /// the kernel's own limit.
    ///
    /// The caller owns the returned connection; `handler` must outlive it.
    /// No handler method runs inside this call: the outcome (on_connected or
    /// on_closed) comes from the loop.
    static std::unique_ptr<TcpConnection> connect(Loop& loop, const SocketAddress& peer,
                                                  std::chrono::milliseconds timeout, ConnectionHandler& handler);

    /// Closes the socket now (see the file comment). No handler method runs
    /// afterwards. Allowed inside one of its own handler callbacks.
    ~TcpConnection();
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    /// For accepted connections: attach the handler and start reading. Until
    /// then nothing is read and no handler method runs. `handler` must outlive
    /// the connection.
    void start(ConnectionHandler& handler);

    /// Sends bytes (copied if the kernel does not take them at once). Returns
    /// false if the connection can no longer send; the reason reaches on_closed.
    /// `data` is only read during the call. May call on_high_water before it
    /// returns. Returns false, sending nothing, before the connection is
    /// established (wait for on_connected) and after close_gracefully() or
    /// shutdown_after_drain().
    bool write(std::span<const char> data);

    /// Stops reading from the peer (backpressure): no on_data until
    /// resume_reading(). Bytes wait in the kernel, which in turn slows the peer.
    void pause_reading();
    /// Starts reading again after pause_reading().
    void resume_reading();
    /// True while the connection reads from the peer.
    bool reading() const noexcept;

    /// Sends what is queued, then shuts down the write side (FIN); reading goes on.
    void shutdown_after_drain();
    /// Sends what is queued, shuts down, closes; on_closed(nullptr) follows.
    /// Reading stops at once.
    void close_gracefully();
    /// Closes now, dropping queued output. No handler call follows. The
    /// connection object stays valid (in State::closed) until its owner
    /// destroys it.
    void close();

    /// The current state.
    State state() const noexcept;
    /// Bytes accepted by write() that the kernel has not taken yet (exact to
    /// the byte, also while a large write is partly done). bytes_sent() +
    /// queued_bytes() is everything write() accepted.
    std::size_t queued_bytes() const noexcept;
    /// The output queue size above which on_high_water is called (default 4 MiB).
    std::size_t high_water_mark() const noexcept;
    /// Sets the high-water mark (capped at 4 GiB - 1).
    void set_high_water_mark(std::size_t bytes) noexcept;
    /// Bytes received from the peer so far.
    std::uint64_t bytes_received() const noexcept;
    /// Bytes the kernel has taken for sending so far; grows as a slow peer
    /// reads, not only when a whole write completes.
    std::uint64_t bytes_sent() const noexcept;
    /// Loop time (Loop::now_ms) of the last byte received or of establishment:
    /// what an idle timeout compares against.
    std::uint64_t last_activity_ms() const noexcept;
    /// The peer's address; empty before establishment and once closed.
    SocketAddress peer_address() const;
    /// The local address; empty once closed.
    SocketAddress local_address() const;
    /// Turns Nagle's algorithm off (true) or on (false); ignored once closed.
    void set_nodelay(bool enable);

    /// Attaches a pointer for the handler's per-connection state. The
    /// connection never reads, frees or copies it; the program owns it.
    void set_context(void* context) noexcept { context_ = context; }
    /// The pointer given to set_context (null by default).
    void* context() const noexcept { return context_; }

    /// The hidden implementation (libuv TCP handle); defined in the library.
    struct Impl;

private:
    friend struct TcpConnectionAccess;  // the library's sources make connections through it
    explicit TcpConnection(Impl* impl) noexcept : impl_(impl) {}

    Impl* impl_;  // freed when both this owner is gone and the socket is closed
    void* context_ = nullptr;
};

}  // namespace netreactor
