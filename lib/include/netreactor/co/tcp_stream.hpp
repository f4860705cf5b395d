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

#include "netreactor/address.hpp"
#include "netreactor/co/task.hpp"
#include "netreactor/co/tcp_stream_awaiters.hpp"
#include "netreactor/tcp_connection.hpp"
#include "netreactor/tcp_connector.hpp"

namespace netreactor::co {

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
