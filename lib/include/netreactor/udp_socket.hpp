/// @file
/// @brief netreactor::UdpSocket and netreactor::UdpHandler: a UDP socket on a Loop.
#pragma once

#include "netreactor/export.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"

namespace netreactor {

class Loop;
class UdpSocket;

/// The events of a UdpSocket.
///
/// **Ownership:** the program owns the handler; the socket keeps a reference,
/// so the handler must outlive the socket.
///
/// **Threads:** called on the socket's loop thread, never after the socket
/// was destroyed. Inside a call the handler may use or destroy the socket.
class NETREACTOR_API UdpHandler {
public:
    virtual ~UdpHandler() = default;
    /// A datagram arrived. `data` is valid only during the call (it points
    /// into the loop's shared 256 KiB read buffer). `truncated` is true when
    /// it was larger than the receive buffer. `from` is valid only during the call.
    virtual void on_datagram(UdpSocket&, std::span<const char> data, const SocketAddress& from, bool truncated) = 0;
    /// A receive or send failed (ECONNREFUSED from an ICMP port unreachable,
    /// ENETUNREACH, EMSGSIZE, ENOBUFS...). The socket stays usable. The only
    /// channel for send failures: each is reported once, from the loop, never
    /// inside send().
    virtual void on_error(UdpSocket&, const Error&) {}
};

/// How UdpSocket::bind binds. A plain value.
struct UdpBindOptions {
    bool reuse_port = false;  ///< SO_REUSEPORT: sockets on several loops share the port
    bool ipv6_only = false;   ///< for "::": IPv6 only (default: dual stack)
};

/// A UDP socket.
///
/// **Ownership:** owned by the program; not copyable or movable. It owns its
/// socket and the datagrams it had to queue (copies). The Loop must outlive it.
///
/// **Threads:** every member is called on its loop's thread; handler calls
/// run there.
class NETREACTOR_API UdpSocket {
public:
    /// The socket itself is made by bind(), or by the first send()/connect()
    /// (bound then to the wildcard address of the peer's family, port 0).
    /// Destroying it closes the socket; no handler call follows.
    /// `handler` must outlive the socket.
    explicit UdpSocket(Loop& loop, UdpHandler& handler);
    /// Closes the socket; queued datagrams are dropped and no handler call
    /// follows. Allowed inside a handler call.
    ~UdpSocket();
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;

    /// Throws SystemError (EADDRINUSE...). Port 0 picks a free port.
    void bind(const SocketAddress& address, const UdpBindOptions& options = {});
    /// Fixes the peer: only its datagrams are received, and ICMP errors are
    /// reported. Throws SystemError.
    void connect(const SocketAddress& peer);
    /// Starts delivering datagrams to UdpHandler::on_datagram. While
    /// receiving, the socket keeps Loop::run() going (unless
    /// keep_loop_alive(false)). Throws SystemError.
    void start_receiving();
    /// Stops delivering datagrams (they wait in the kernel's buffer, or are
    /// dropped when it is full). Called from on_datagram, it takes effect at
    /// once: each receive reads one datagram, so no other has left the
    /// kernel, and the next one is delivered after start_receiving().
    void stop_receiving();

    /// Sends one datagram, synchronously if the kernel takes it, else queued
    /// (copied). A failure, found at once or later, is reported exactly once
    /// to UdpHandler::on_error, from the loop (never inside this call), so
    /// the handler may destroy the socket there. `to` is ignored (may be
    /// empty) on a connected socket. `data` and `to` are only read during the call.
    void send(std::span<const char> data, const SocketAddress& to);

    /// Whether receiving keeps Loop::run() going (default: true). With false,
    /// the socket still receives while the loop runs for other work, but
    /// alone it does not keep the loop running: for a socket that only
    /// listens in the background, or a layer that keeps receiving between
    /// the reads it was asked for (co::UdpSocket). Datagrams still queued for
    /// sending and errors not yet reported keep the loop going either way.
    /// Cheap (a counter, no system call): may be called per datagram.
    void keep_loop_alive(bool keep) noexcept;

    /// The bound address (with the real port); empty before the socket exists.
    SocketAddress local_address() const;
    /// Datagrams delivered to on_datagram so far.
    std::uint64_t datagrams_received() const noexcept;
    /// Datagrams the kernel has taken so far.
    std::uint64_t datagrams_sent() const noexcept;
    /// Datagrams queued in user space because the kernel was full.
    std::size_t queued_datagrams() const noexcept;

    /// The hidden implementation (the socket, watched by libuv); defined in the library.
    struct Impl;

private:
    Impl* impl_;  // freed in libuv's close callback
};

}  // namespace netreactor
