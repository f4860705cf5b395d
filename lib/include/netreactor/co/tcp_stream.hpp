/// @file
/// @brief netreactor::co::TcpStream: a TCP connection read and written with co_await;
/// co::connect, by address or by name.
///
/// ```cpp
/// co::TcpStream s = co_await co::connect(loop, "example.test", 7);
/// co_await s.write(request);
/// std::size_t n = co_await s.read_some(buffer);   // 0: the peer sent its FIN
/// co_await s.shutdown();                           // our FIN is out
/// ```
///
/// Failures are thrown as netreactor::SystemError (its Error says what and
/// which operation: "connect", "resolve", "read", "write", "shutdown");
/// cancellation as co::Cancelled, a co::with_timeout deadline as co::TimedOut.
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netreactor/address.hpp"
#include "netreactor/co/task.hpp"
#include "netreactor/tcp_connection.hpp"
#include "netreactor/tcp_connector.hpp"

namespace netreactor::co {

class TcpStream;
class ReadAwaiter;
class WriteAwaiter;
class ShutdownAwaiter;

namespace detail {
struct StreamState;

/// Library internal: bytes a stream received with no read waiting (see
/// StreamCore::stash).
struct Stash {
    std::vector<char> bytes;
    std::size_t begin = 0;  ///< the first byte of `bytes` not yet taken
};

/// Library internal: the part of a stream's state that the awaiters' inline
/// fast paths read (an echo's read and write then cost no call into the
/// library beyond the connection's own write). The rest of the state, and
/// the code that keeps these fields, is lib/src/co/stream_state.hpp
/// (StreamState, the only class derived from this one). It is the
/// connection's handler.
struct StreamCore : ConnectionHandler {
    /// The connection (null after TcpStream::close()).
    std::unique_ptr<TcpConnection> conn;
    ReadAwaiter* reader = nullptr;          ///< the read waiting, if any
    WriteAwaiter* writer = nullptr;         ///< the write waiting, if any
    ShutdownAwaiter* shutdowner = nullptr;  ///< the shutdown waiting, if any
    /// Bytes that arrived with no read waiting (or beyond the waiting read's
    /// buffer): reading is paused until they are taken, so this holds at most
    /// one read callback's worth. Made at the first such bytes, then kept
    /// (most streams never need one: an echo's read is always waiting), so a
    /// stream without it is 16 bytes smaller than with a vector in place.
    std::unique_ptr<Stash> stash;
    bool eof = false;             ///< the peer's FIN arrived
    bool closed = false;          ///< the connection is gone (failed or closed)
    /// Reading paused: before the first read, until the stash is taken, or
    /// while a write is held with no read waiting.
    bool paused = false;
    bool loop_kept = false;  ///< the connection keeps Loop::run() going (libuv's ref)

    /// Bytes in the stash not yet taken.
    std::size_t stashed() const noexcept { return stash ? stash->bytes.size() - stash->begin : 0; }
    /// The stash holds bytes, taken or not (a read must release those it lent first).
    bool stash_in_use() const noexcept { return stash && !stash->bytes.empty(); }
};
}  // namespace detail

/// The awaiter of TcpStream::read_some. Gives the number of bytes read
/// (at least 1), or 0 once the peer has shut down its write side.
///
/// Cancelling it (or destroying the frame) leaves the stream as it was: no
/// byte is lost; bytes that arrive later wait for the next read.
class NETREACTOR_API ReadAwaiter : public detail::SlotOperation<ReadAwaiter, detail::StreamCore> {
public:
    /// Prefer TcpStream::read_some.
    explicit ReadAwaiter(detail::StreamCore& state, std::span<char> buffer) noexcept
        : SlotOperation(state), into_(buffer.data()), capacity_(buffer.size()) {}
    /// Only before it is awaited (so nothing was lent yet).
    ReadAwaiter(ReadAwaiter&& other) noexcept
        : SlotOperation(std::move(other)), lent_(nullptr), capacity_(other.capacity_), lend_(other.lend_) {
        if (!lend_) into_ = other.into_;
    }

    /// Takes bytes already received (no suspension), or the EOF or failure.
    /// Inline: with nothing received and no other read waiting, it only looks.
    bool await_ready() {
        const detail::StreamCore& s = *state_;
        if (s.reader == nullptr && s.stashed() == 0 && !s.eof && !s.closed && s.conn &&
            (lend_ || capacity_ != 0)) [[likely]]
            return false;
        return ready_now();
    }
    std::size_t await_resume() {
        if (outcome_ != Outcome::data || cancelled_) [[unlikely]]
            return end_of_data();
        return size_;
    }

protected:
    /// For ReadViewAwaiter: lend the bytes instead of copying them.
    struct Lend {};
    explicit ReadAwaiter(detail::StreamCore& state, Lend) noexcept
        : SlotOperation(state), lent_(nullptr), lend_(true) {}
    /// Where the bytes go or are: read_some's buffer (copied into), or the
    /// bytes read_view lends (`lend_`). One pointer for both, as a read is one
    /// or the other: 8 bytes less in every frame that reads.
    union {
        char* into_;
        const char* lent_;
    };
    std::size_t capacity_ = 0;  ///< read_some's buffer size (0 for read_view)

private:
    friend struct detail::StreamState;
    friend SlotOperation;
    enum class Outcome : std::uint8_t { pending, data, eof, failed, closed };
    static ReadAwaiter*& slot(detail::StreamCore& state) noexcept;
    /// Leaving the slot also lets the loop end (see TcpStream, "Loop").
    static void leave_slot(detail::StreamCore& state) noexcept;
    /// await_ready when something is there to take (or a read already waits).
    bool ready_now();
    /// Waits in the slot. Inline while the connection is reading, keeps the
    /// loop going and has no emptied stash to release (an echo's every read).
    bool start() noexcept {
        detail::StreamCore& s = *state_;
        if (s.loop_kept && !s.paused && !s.stash_in_use()) [[likely]] {
            s.reader = this;
            return true;
        }
        return start_waiting();
    }
    bool start_waiting() noexcept;
    /// await_resume without data: 0 at the peer's FIN, else throws why.
    std::size_t end_of_data();
    /// Inline: StreamState::on_data calls it on every read it completes.
    void finish(Outcome outcome, std::size_t size) noexcept {
        outcome_ = outcome;
        size_ = size;
        complete();
    }

    std::size_t size_ = 0;
    Outcome outcome_ = Outcome::pending;
    bool lend_ = false;
};

/// The awaiter of TcpStream::read_view: like ReadAwaiter, but lends the
/// bytes instead of copying them (no buffer in the frame, no copy).
///
/// The span points into the loop's shared read buffer or into the stream's
/// own; it is valid until the task next suspends or reads from this stream
/// again, whichever comes first. TcpStream::write consumes its bytes before
/// it suspends, so `co_await s.write(co_await s.read_view())` is fine; keep
/// anything longer by copying it. An empty span means the peer's FIN.
class ReadViewAwaiter : public ReadAwaiter {
public:
    /// Prefer TcpStream::read_view.
    explicit ReadViewAwaiter(detail::StreamCore& state) noexcept : ReadAwaiter(state, Lend{}) {}
    /// The bytes lent (see the class comment); empty at the peer's FIN.
    std::span<const char> await_resume() {
        std::size_t n = ReadAwaiter::await_resume();
        return {lent_, n};
    }
};

/// The awaiter of TcpStream::write. The bytes are handed to the kernel at
/// once, or what it does not take is copied into the connection's output
/// queue. The task goes on at once unless that queue is now above the
/// connection's high-water mark (TcpConnection::high_water_mark, 4 MiB by
/// default); then it resumes once the queue has fallen to the low-water mark
/// (TcpConnection::low_water_mark, default 0: empty). Backpressure without
/// user code: a peer that does not read holds the writer, and the stream
/// stops reading meanwhile (unless another task waits to read it), as a
/// callback handler pausing at on_high_water does. Memory per direction is
/// bounded by the high-water mark plus one write.
///
/// Cancelling it while it waits leaves the bytes queued (they are still
/// sent); only the waiting ends.
class NETREACTOR_API WriteAwaiter : public detail::SlotOperation<WriteAwaiter, detail::StreamCore> {
public:
    /// Prefer TcpStream::write.
    explicit WriteAwaiter(detail::StreamCore& state, std::span<const char> data) noexcept
        : SlotOperation(state), data_(data) {}
    /// Only before it is awaited.
    WriteAwaiter(WriteAwaiter&& other) noexcept : SlotOperation(std::move(other)), data_(other.data_) {}

    bool await_ready() const noexcept { return false; }
    void await_resume() {
        if (outcome_ != Outcome::done || cancelled_) [[unlikely]]
            throw_failure();
    }

private:
    friend struct detail::StreamState;
    friend SlotOperation;
    enum class Outcome : std::uint8_t { pending, done, failed, closed };
    static WriteAwaiter*& slot(detail::StreamCore& state) noexcept;
    [[noreturn]] void throw_failure();
    /// False: done at once, resumes without suspending. Inline while the
    /// connection is open, no other write waits and the queue stays below the
    /// high-water mark.
    bool start() {
        detail::StreamCore& s = *state_;
        if (s.writer != nullptr || s.shutdowner != nullptr || !s.conn || s.closed) [[unlikely]]
            return start_unusual();
        bool accepted = s.conn->write(data_);
        if (!accepted || s.conn->above_high_water_mark()) [[unlikely]]
            return start_held(accepted);
        outcome_ = Outcome::done;
        settle();
        return false;
    }
    /// start() with another write waiting or the connection gone.
    bool start_unusual();
    /// start() after a write the connection refused (`accepted` false) or
    /// that left its queue above the high-water mark.
    bool start_held(bool accepted);
    void finish(Outcome outcome) noexcept;

    std::span<const char> data_;
    Outcome outcome_ = Outcome::pending;
};

/// The awaiter of TcpStream::shutdown: sends what is queued, then the FIN.
/// Reading goes on. Cancelling it leaves the shutdown under way.
class NETREACTOR_API ShutdownAwaiter : public detail::SlotOperation<ShutdownAwaiter, detail::StreamCore> {
public:
    /// Prefer TcpStream::shutdown.
    explicit ShutdownAwaiter(detail::StreamCore& state) noexcept : SlotOperation(state) {}
    /// Only before it is awaited.
    ShutdownAwaiter(ShutdownAwaiter&& other) noexcept : SlotOperation(std::move(other)) {}

    bool await_ready() const noexcept { return false; }
    void await_resume();

private:
    friend struct detail::StreamState;
    friend SlotOperation;
    enum class Outcome : std::uint8_t { pending, done, failed, closed };
    static ShutdownAwaiter*& slot(detail::StreamCore& state) noexcept;
    bool start();
    void finish(Outcome outcome) noexcept;

    Outcome outcome_ = Outcome::pending;
};

/// A TCP connection used from coroutines.
///
/// **Ownership:** move-only; owns its TcpConnection (and so the socket) and a
/// small state block (the waiting operations, bytes received while no read
/// was waiting). Destroying it closes the socket at once (queued output is
/// dropped: await shutdown() first to send it) and completes a read, write or
/// shutdown another task is waiting on with co::Cancelled, inside the
/// destructor (that task must not touch the stream again). The Loop must
/// outlive it.
///
/// **Loop:** a stream keeps Loop::run() (and co::run) going while a task
/// waits on it (a read, a write, a shutdown, a connect), and while bytes it
/// was given are still being sent; an idle stream (no read awaited: its task
/// finished, or waits on something else) does not, though it stays open and
/// keeps what arrives for the next read. A loop whose tasks have finished
/// ends even while their streams are alive.
///
/// **Threads:** loop thread only. At most one read and one write (or
/// shutdown) may wait at a time; a second one throws std::logic_error.
class NETREACTOR_API TcpStream {
public:
    /// An empty stream (moved-from state); only destruction and assignment.
    TcpStream() noexcept;
    /// Takes an accepted connection (e.g. from a TcpListener); it is read
    /// from the first read on (until then its bytes wait in the kernel).
    explicit TcpStream(std::unique_ptr<TcpConnection> connection);
    TcpStream(TcpStream&&) noexcept;
    TcpStream& operator=(TcpStream&&) noexcept;
    /// See the class comment.
    ~TcpStream();

    /// Reads what has arrived, up to buffer.size() bytes, waiting for at least
    /// one. Gives 0 at the end of the peer's data (its FIN); throws
    /// SystemError on a failed connection (ECONNRESET...). `buffer` must stay
    /// valid until the read completes.
    ReadAwaiter read_some(std::span<char> buffer) noexcept { return ReadAwaiter(*state_, buffer); }
    /// Reads what has arrived without copying it (see ReadViewAwaiter for how
    /// long the bytes stay valid). Gives an empty span at the end of the
    /// peer's data; throws as read_some().
    ReadViewAwaiter read_view() noexcept { return ReadViewAwaiter(*state_); }
    /// Sends all of `data` (see WriteAwaiter). Throws SystemError when the
    /// connection can no longer send (failed, closed, or after shutdown()).
    /// `data` is only read before the first suspension.
    WriteAwaiter write(std::span<const char> data) noexcept { return WriteAwaiter(*state_, data); }
    /// Sends `text` (see write()).
    WriteAwaiter write(std::string_view text) noexcept {
        return WriteAwaiter(*state_, std::span<const char>(text.data(), text.size()));
    }
    /// Sends `text` (see write()).
    WriteAwaiter write(const std::string& text) noexcept { return write(std::string_view(text)); }
    /// Half-closes: sends what is queued, then the FIN; resumes once the FIN
    /// was handed to the kernel. Throws SystemError if the connection failed
    /// first.
    ShutdownAwaiter shutdown() noexcept { return ShutdownAwaiter(*state_); }
    /// Closes now, dropping queued output; later operations throw.
    void close() noexcept;

    /// True once the peer's FIN has been read (a read gave 0).
    bool eof_received() const noexcept;
    /// The connection underneath (addresses, Nagle, marks, counters).
    TcpConnection& connection() noexcept;
    /// True unless empty (moved from).
    explicit operator bool() const noexcept { return state_ != nullptr; }

    /// From a state made by connect (library internal).
    explicit TcpStream(std::unique_ptr<detail::StreamCore> state) noexcept;

private:
    std::unique_ptr<detail::StreamCore> state_;
};

/// The awaiter of co::connect by address.
///
/// Cancelling it (or destroying the frame) closes the connection attempt.
class NETREACTOR_API ConnectAwaiter : public detail::Operation {
public:
    /// Prefer co::connect.
    explicit ConnectAwaiter(Loop& loop, const SocketAddress& peer, std::chrono::milliseconds timeout) noexcept;
    /// Only before it is awaited.
    ConnectAwaiter(ConnectAwaiter&& other) noexcept;
    ~ConnectAwaiter();

    bool await_ready() const noexcept { return false; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
        if (!begin(h)) return false;
        start();
        return true;
    }
    TcpStream await_resume();
    /// Cancellation: closes the attempt.
    void on_cancel() noexcept;

private:
    friend struct detail::StreamState;
    void start();
    void finish() noexcept { complete(); }

    Loop* loop_;
    SocketAddress peer_;
    std::chrono::milliseconds timeout_;
    std::unique_ptr<detail::StreamState> state_;
};

/// The awaiter of co::connect by name (a TcpConnector underneath).
///
/// Cancelling it (or destroying the frame) cancels the lookups and attempts.
class NETREACTOR_API ConnectByNameAwaiter : public detail::Operation {
public:
    /// Prefer co::connect.
    explicit ConnectByNameAwaiter(Loop& loop, std::string_view host, std::uint16_t port, const ConnectOptions& options);
    /// Only before it is awaited.
    ConnectByNameAwaiter(ConnectByNameAwaiter&& other) noexcept;
    ~ConnectByNameAwaiter();

    bool await_ready() const noexcept { return false; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
        if (!begin(h)) return false;
        start();
        return true;
    }
    TcpStream await_resume();
    /// Cancellation: cancels the lookups and attempts.
    void on_cancel() noexcept;

protected:
    /// The connector's report (its connection moved into the stream).
    ConnectOutcome outcome_;
    /// For ConnectReportAwaiter: the stream (empty on failure); throws only
    /// co::Cancelled.
    TcpStream take_stream();

private:
    void start();

    Loop* loop_;
    std::string host_;
    std::uint16_t port_;
    ConnectOptions options_;
    std::unique_ptr<TcpConnector> connector_;
    std::unique_ptr<detail::StreamState> state_;
};

/// What co::connect_reporting gives: the stream (empty when the connect
/// failed) and the whole report of the race.
struct ConnectReport {
    TcpStream stream;         ///< empty (false) on failure
    ConnectOutcome outcome;   ///< addresses, every attempt, the error; its `connection` is null (moved into `stream`)

    /// The winning attempt, or null on failure (outcome.winner() is always
    /// null here: the connection moved into the stream).
    const ConnectAttemptReport* winner() const noexcept {
        if (!stream) return nullptr;
        for (const ConnectAttemptReport& attempt : outcome.attempts)
            if (!attempt.error) return &attempt;
        return nullptr;
    }
};

/// The awaiter of co::connect_reporting: like ConnectByNameAwaiter, but a
/// failed connect is a result (outcome.error), not an exception.
class ConnectReportAwaiter : public ConnectByNameAwaiter {
public:
    using ConnectByNameAwaiter::ConnectByNameAwaiter;
    /// The stream and the report (see ConnectReport); throws only co::Cancelled.
    ConnectReport await_resume() {
        TcpStream stream = take_stream();
        return ConnectReport{std::move(stream), std::move(outcome_)};
    }
};

/// Connects to `peer`. Throws SystemError (operation "connect":
/// ECONNREFUSED, ETIMEDOUT after `timeout` when it is non-zero...).
inline ConnectAwaiter connect(Loop& loop, const SocketAddress& peer,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) noexcept {
    return ConnectAwaiter(loop, peer, timeout);
}

/// Connects to `host` (numeric, hosts file or DNS name) on `port`, racing its
/// addresses as RFC 8305 says (see TcpConnector and ConnectOptions, whose
/// `deadline` bounds the whole operation). Throws SystemError: operation
/// "resolve" when no address was found, "connect" when every attempt failed,
/// code ETIMEDOUT when the deadline passed. stream.connection().peer_address()
/// tells which address won.
inline ConnectByNameAwaiter connect(Loop& loop, std::string_view host, std::uint16_t port,
                                    const ConnectOptions& options = {}) {
    return ConnectByNameAwaiter(loop, host, port, options);
}

/// Connects as co::connect by name does, and gives the whole report: which
/// addresses were learnt, every attempt and why it lost (for tools that print
/// them). A failure is reported in it, not thrown.
inline ConnectReportAwaiter connect_reporting(Loop& loop, std::string_view host, std::uint16_t port,
                                              const ConnectOptions& options = {}) {
    return ConnectReportAwaiter(loop, host, port, options);
}

}  // namespace netreactor::co
