// netreactor: a listening TCP socket that hands out accepted connections.
#pragma once

#include <memory>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"
#include "netreactor/tcp_connection.hpp"

namespace netreactor {

class Loop;

struct ListenOptions {
    int backlog = 511;
    // SO_REUSEPORT: several listeners (one per loop/thread) share the port.
    bool reuse_port = false;
    // For "::": accept only IPv6 (default: dual stack, IPv4 mapped).
    bool ipv6_only = false;
};

class AcceptHandler {
public:
    virtual ~AcceptHandler() = default;
    // A new connection, owned by the callee; call conn->start(handler) to read.
    virtual void on_accept(std::unique_ptr<TcpConnection> conn) = 0;
    // accept() failed (EMFILE, ENFILE, ENOMEM...). The listener keeps going:
    // pending connections that cannot get a descriptor are refused by closing
    // them (libuv's reserve-descriptor trick), so the loop never spins, and
    // accepting resumes by itself once descriptors are free.
    virtual void on_accept_error(const Error&) {}
};

class TcpListener {
public:
    // Binds (SO_REUSEADDR on) and listens; throws SystemError (EADDRINUSE,
    // EADDRNOTAVAIL, EACCES...) on failure.
    TcpListener(Loop& loop, const SocketAddress& address, const ListenOptions& options, AcceptHandler& handler);
    // Stops listening; connections already accepted are not affected.
    ~TcpListener();
    TcpListener(const TcpListener&) = delete;
    TcpListener& operator=(const TcpListener&) = delete;

    // The bound address, with the real port when 0 was asked.
    SocketAddress local_address() const;

    struct Impl;

private:
    Impl* impl_;  // freed in libuv's close callback
};

}  // namespace netreactor
