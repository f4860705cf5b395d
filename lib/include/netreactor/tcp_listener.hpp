/// @file
/// @brief netreactor::TcpListener: a listening TCP socket that hands out accepted connections.
#pragma once

#include "netreactor/export.hpp"

#include <memory>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"
#include "netreactor/tcp_connection.hpp"

namespace netreactor {

class Loop;

/// How a TcpListener binds and listens. A plain value.
struct ListenOptions {
    /// The listen() backlog.
    int backlog = 511;
    /// SO_REUSEPORT: several listeners (one per loop/thread) share the port.
    bool reuse_port = false;
    /// For "::": accept only IPv6 (default: dual stack, IPv4 mapped).
    bool ipv6_only = false;
};

/// Receives the connections a TcpListener accepts.
///
/// **Ownership:** the program owns the handler; the listener keeps a
/// reference, so the handler must outlive the listener.
///
/// **Threads:** called on the listener's loop thread. Inside a call the
/// handler may destroy the listener.
class NETREACTOR_API AcceptHandler {
public:
    virtual ~AcceptHandler() = default;
    /// A new connection, owned by the callee; call conn->start(handler) to read.
    /// The connection is established (State::connected) but reads nothing
    /// until start(). Dropping `conn` closes it.
    virtual void on_accept(std::unique_ptr<TcpConnection> conn) = 0;
    /// accept() failed (EMFILE, ENFILE, ENOMEM...). The listener keeps going:
    /// pending connections that cannot get a descriptor are refused by closing
    /// them (libuv's reserve-descriptor trick), so the loop never spins, and
    /// accepting resumes by itself once descriptors are free.
    virtual void on_accept_error(const Error&) {}
};

/// A listening TCP socket.
///
/// **Ownership:** owned by the program; not copyable or movable. It owns the
/// listening socket only: each accepted connection is handed to the
/// AcceptHandler, which owns it from then on. The Loop must outlive it.
///
/// **Threads:** constructed, used and destroyed on its loop's thread.
class NETREACTOR_API TcpListener {
public:
    /// Binds (SO_REUSEADDR on) and listens; throws SystemError (EADDRINUSE,
    /// EADDRNOTAVAIL, EACCES...) on failure. `handler` must outlive the listener.
    explicit TcpListener(Loop& loop, const SocketAddress& address, const ListenOptions& options, AcceptHandler& handler);
    /// Stops listening; connections already accepted are not affected.
    /// Allowed inside the AcceptHandler's callbacks.
    ~TcpListener();
    TcpListener(const TcpListener&) = delete;
    TcpListener& operator=(const TcpListener&) = delete;

    /// The bound address, with the real port when 0 was asked.
    SocketAddress local_address() const;
    /// Whether listening keeps Loop::run() going (default: true). With false,
    /// the listener still accepts while the loop runs for other work, but
    /// alone it does not keep the loop running (co::TcpAcceptor while no
    /// accept waits). Cheap (a counter, no system call).
    void keep_loop_alive(bool keep) noexcept;

    /// The hidden implementation (libuv TCP handle); defined in the library.
    struct Impl;

private:
    Impl* impl_;  // freed in libuv's close callback
};

}  // namespace netreactor
