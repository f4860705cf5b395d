/// @file
/// @brief netreactor::TcpConnection and netreactor::ConnectionHandler: one TCP connection, accepted or connected.
///
/// Ownership: a TcpConnection is owned by exactly one std::unique_ptr. Destroying
/// it closes the socket at once (queued output is dropped) and guarantees that no
/// handler method runs afterwards; destroying it from inside one of its own
/// handler callbacks is allowed. The socket memory is released in libuv's close
/// callback, after the owner is gone.
///
/// Per-connection state: one handler object per connection. Derive from
/// ConnectionHandler, keep the connection's state (and usually the owning
/// std::unique_ptr) in it, and pass it to TcpConnection::start or connect:
///
/// @code
/// struct Session final : netreactor::ConnectionHandler {
///     std::unique_ptr<netreactor::TcpConnection> conn;  // the session owns its connection
///     std::string partial_line;                         // typed per-connection state
///     void on_data(netreactor::TcpConnection& c, std::span<const char> d) override { ... }
///     void on_closed(netreactor::TcpConnection&, const netreactor::Error*) override {
///         sessions.erase(this);  // destroys the connection: allowed here
///     }
/// };
/// @endcode
///
/// One handler may also serve many connections (it then tells them apart by the
/// TcpConnection& every method receives); there is no untyped context pointer.
///
/// Output and memory: write() first tries to hand the bytes to the kernel
/// synchronously; only what the kernel does not take is copied into the
/// connection's output queue. queued_bytes() reports that queue. Crossing
/// high_water_mark() calls ConnectionHandler::on_high_water; falling back to
/// low_water_mark() or below calls on_low_water (backpressure: pause reading the
/// other side at the first, resume at the second); emptying it calls
/// on_write_drained. write() never refuses bytes for being above the mark, so
/// the bound holds only if the handler stops producing at on_high_water.
///
/// Memory bound per connection: idle, one 320-byte allocation (libuv's socket
/// handle included). With output queued, 336 bytes more (the queue's own state) plus its bytes:
/// at most high_water_mark() plus what the handler writes inside the crossing
/// callback (for a relay, one read: at most 256 KiB, the loop's read buffer).
/// The queue is two vectors (the one being sent, the one collecting), each with
/// a capacity up to twice what it held; up to 256 KiB each is kept after it
/// drains. libuv holds no copy (its one write request points into the queue);
/// the rest is in the kernel's socket buffers.
///
/// State machine (state() on the left; eof_received() and shutdown_sent()
/// describe the two directions while connected):
///
/// @verbatim
///  connect()                        accepted by TcpListener
///     |                                      |
///     v                                      |
///  connecting --- failure/timeout ---------------------------------------+
///     | on_connected                         |                           |
///     v                                      v                           |
///  connected: both directions open <---------+  (reads once a handler is  |
///     |      |                                   started, see attach())  |
///     |      | peer's FIN: on_eof, eof_received()                        |
///     |      v                                                           |
///     |   connected, read side closed (we may still write)               |
///     |                                                                  |
///     | shutdown_after_drain(): write() refused, queue drains, FIN sent: |
///     v on_shutdown(nullptr), shutdown_sent()                            |
///  connected, write side closed (reading goes on; the peer's FIN         |
///     |   then gives on_eof; both directions done when                   |
///     |   eof_received() && shutdown_sent())                             |
///     |                                                                  |
///     | close_gracefully() from any connected sub-state: reading stops,  |
///     v queue drains, FIN (awaited if already under way)                  |
///  closing                                                               |
///     | FIN sent                    reset, write/read/shutdown error ----+
///     v                                                                  v
///  closed: on_closed(nullptr)                               closed: on_closed(error)
///
///  close() or destroying the owner, from any state: closed, no handler call.
/// @endverbatim
///
/// Every event is reported at most once per occurrence: on_connected once,
/// on_eof once, on_shutdown once per accepted shutdown_after_drain(), each
/// on_low_water after one on_high_water, on_closed once. A shutdown that the
/// connection's failure overtakes is reported too: on_shutdown(error), then
/// on_closed(error). on_closed, on_connected and on_shutdown always come from the
/// loop, never from inside the call that caused them.
#pragma once

#include "netreactor/export.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"

namespace netreactor {

class Loop;
class TcpConnection;

/// The events of a connection. The documented pattern is one handler object per
/// connection holding that connection's state (see the file comment).
///
/// **Ownership:** the program owns the handler; the connection only keeps a
/// reference, so the handler must outlive every connection it serves (or
/// those connections must be destroyed first).
///
/// **Threads:** every method is called on the loop thread of the connection,
/// never concurrently, and never after the connection's owner destroyed it or
/// called close(). Inside any method the handler may call any member of the
/// connection, including destroying it (then it must not touch it again).
class NETREACTOR_API ConnectionHandler {
public:
    virtual ~ConnectionHandler() = default;
    /// An outgoing connection is established; reading has started. Once.
    virtual void on_connected(TcpConnection&) {}
    /// Bytes arrived. `data` is valid only during the call (it points into the
    /// loop's shared read buffer): copy what must be kept.
    virtual void on_data(TcpConnection&, std::span<const char> data) = 0;
    /// The peer shut down its write side (its FIN arrived); eof_received() is
    /// true from now on and nothing more is read. Once. The default sends what
    /// is queued, then closes (close_gracefully(); on_closed follows).
    virtual void on_eof(TcpConnection& conn);
    /// The half-close asked for by shutdown_after_drain() is done: `error` is
    /// null when the FIN was handed to the kernel (shutdown_sent() is true),
    /// else why it could not be (the connection then fails: on_closed(error)
    /// follows). Once per accepted shutdown_after_drain(), from the loop.
    virtual void on_shutdown(TcpConnection&, const Error* error) { (void)error; }
    /// The output queue grew above the high-water mark. May be called from
    /// inside TcpConnection::write(). Once per crossing.
    virtual void on_high_water(TcpConnection&) {}
    /// After on_high_water, the output queue fell to the low-water mark or
    /// below. Once per on_high_water.
    virtual void on_low_water(TcpConnection&) {}
    /// The output queue became empty after having held bytes (after on_low_water
    /// when both happen at once).
    virtual void on_write_drained(TcpConnection&) {}
    /// The connection is finished: `error` is null after a clean close (graceful
    /// close completed), else why it failed (ECONNRESET, ETIMEDOUT...). Called
    /// once, from the loop, and never after the owner called close() or
    /// destroyed it. `error` is valid only during the call. The connection can
    /// no longer send or receive; the owner should destroy it (here is fine).
    virtual void on_closed(TcpConnection&, const Error* error) = 0;
};

/// One TCP connection: accepted by a TcpListener or made by connect().
///
/// **Ownership:** exactly one std::unique_ptr owns it (see the file comment);
/// it is neither copyable nor movable, so its address is stable, which is what
/// handlers rely on. It owns its socket and its output queue. The Loop must
/// outlive it.
///
/// **Threads:** every member is called on its loop's thread.
class NETREACTOR_API TcpConnection {
public:
    /// Where the connection is in its life (the diagram is in the file comment).
    enum class State {
        connecting,  ///< connect() in progress
        connected,   ///< established; see eof_received() and shutdown_sent() for each direction
        closing,     ///< close_gracefully(): sending what is queued, then the FIN, then closing
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

    /// The connection lives inside its libuv state, which outlives it until the
    /// socket's close callback: `delete` (what std::unique_ptr does) closes the
    /// socket now (see the file comment) and leaves the memory to that callback.
    /// No handler method runs afterwards. Allowed inside one of its own handler
    /// callbacks.
    void operator delete(TcpConnection* conn, std::destroying_delete_t);
    ~TcpConnection() = default;
    TcpConnection(const TcpConnection&) = delete;
    TcpConnection& operator=(const TcpConnection&) = delete;

    /// For accepted connections: attach the handler and start reading. Until a
    /// handler is attached nothing is read and no handler method runs.
    /// Equivalent to attach(handler) then resume_reading(). `handler` must
    /// outlive the connection.
    void start(ConnectionHandler& handler);
    /// Attaches `handler` without changing whether the connection reads: an
    /// accepted connection then stays unread until resume_reading() (for
    /// instance while a relay's other side is still connecting); an outgoing one
    /// reads from establishment. May replace the current handler at any time,
    /// even inside one of its callbacks: later events go to the new one.
    ///
    /// A connection that ended before any handler was attached reports to the
    /// first one: if the peer reset it (seen now) or it was closed with
    /// close_gracefully(), on_closed follows from the loop. A connection never
    /// given a handler and destroyed reports nothing.
    void attach(ConnectionHandler& handler);

    /// Sends bytes (copied if the kernel does not take them at once). Returns
    /// false if the connection can no longer send; the reason reaches on_closed.
    /// `data` is only read during the call. May call on_high_water before it
    /// returns. Returns false, sending nothing, before the connection is
    /// established (wait for on_connected) and after close_gracefully() or
    /// shutdown_after_drain().
    bool write(std::span<const char> data);

    /// Stops reading from the peer (backpressure): no on_data until
    /// resume_reading(). Bytes wait in the kernel, which in turn slows the peer.
    /// A peer's reset is then noticed at the next write or resume_reading().
    void pause_reading();
    /// Starts reading again after pause_reading() (or, with a handler attached,
    /// for the first time on an accepted connection).
    void resume_reading();
    /// True while the connection reads from the peer.
    bool reading() const noexcept;
    /// Whether reading keeps Loop::run() going (default: true). With false,
    /// the connection still reads while the loop runs for other work, but
    /// alone it does not keep the loop running: for a layer that keeps
    /// reading between the reads it was asked for (co::TcpStream). Bytes
    /// still queued for sending, a connect and a shutdown under way keep the
    /// loop going either way. Cheap (a counter, no system call).
    void keep_loop_alive(bool keep) noexcept;

    /// Half-close: sends what is queued, then shuts down the write side (FIN);
    /// reading goes on. on_shutdown reports the outcome. Ignored (no
    /// on_shutdown) unless connected with no shutdown or close asked before.
    void shutdown_after_drain();
    /// Sends what is queued, shuts down (or waits for a shutdown already under
    /// way to send its FIN), closes; on_closed(nullptr) follows. Reading stops at
    /// once. After eof_received() and shutdown_sent() this closes at once.
    void close_gracefully();
    /// Closes now, dropping queued output. No handler call follows (an
    /// on_closed or on_shutdown not yet delivered is dropped with it). The
    /// connection object stays valid (in State::closed) until its owner
    /// destroys it.
    void close();

    /// The current state.
    State state() const noexcept;
    /// The peer's FIN arrived (on_eof was or is being called): the read side is done.
    bool eof_received() const noexcept;
    /// Our FIN was handed to the kernel (after shutdown_after_drain() or during
    /// close_gracefully()): the write side is done.
    bool shutdown_sent() const noexcept;
    /// Bytes accepted by write() that the kernel has not taken yet (exact to
    /// the byte, also while a large write is partly done). bytes_sent() +
    /// queued_bytes() is everything write() accepted.
    std::size_t queued_bytes() const noexcept;
    /// The output queue size above which on_high_water is called (default 4 MiB).
    std::size_t high_water_mark() const noexcept;
    /// Sets the high-water mark (capped at 4 GiB - 1).
    void set_high_water_mark(std::size_t bytes) noexcept;
    /// queued_bytes() > high_water_mark(), in one call (a writer asks this
    /// after every write).
    bool above_high_water_mark() const noexcept;
    /// The output queue size at or below which on_low_water follows an
    /// on_high_water (default 0: when the queue is empty). A mark at or above
    /// the high-water mark acts as the high-water mark.
    std::size_t low_water_mark() const noexcept;
    /// Sets the low-water mark (capped at 4 GiB - 1).
    void set_low_water_mark(std::size_t bytes) noexcept;
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

    /// The hidden implementation (libuv TCP handle); defined in the library.
    struct Impl;

private:
    explicit TcpConnection(Impl* impl) noexcept : impl_(impl) {}

    Impl* impl_;  // the state this object is embedded in
};

}  // namespace netreactor
