// netreactor: a UDP socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"

namespace netreactor {

class Loop;
class UdpSocket;

class UdpHandler {
public:
    virtual ~UdpHandler() = default;
    // A datagram arrived. `data` is valid only during the call. `truncated`
    // is true when it was larger than the receive buffer.
    virtual void on_datagram(UdpSocket&, std::span<const char> data, const SocketAddress& from, bool truncated) = 0;
    // A receive or send failed (ECONNREFUSED from an ICMP port unreachable,
    // ENOBUFS...). The socket stays usable.
    virtual void on_error(UdpSocket&, const Error&) {}
};

struct UdpBindOptions {
    bool reuse_port = false;  // SO_REUSEPORT: sockets on several loops share the port
    bool ipv6_only = false;
};

class UdpSocket {
public:
    // The socket itself is made by bind(), or by the first send()/connect()
    // (bound then to the wildcard address of the peer's family, port 0).
    // Destroying it closes the socket; no handler call follows.
    UdpSocket(Loop& loop, UdpHandler& handler);
    ~UdpSocket();
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;

    // Throws SystemError (EADDRINUSE...). Port 0 picks a free port.
    void bind(const SocketAddress& address, const UdpBindOptions& options = {});
    // Fixes the peer: only its datagrams are received, and ICMP errors are
    // reported. Throws SystemError.
    void connect(const SocketAddress& peer);
    void start_receiving();
    void stop_receiving();

    // Sends one datagram, synchronously if the kernel takes it, else queued
    // (copied). Returns false on an immediate error, which is also reported
    // to on_error. `to` is ignored (may be empty) on a connected socket.
    bool send(std::span<const char> data, const SocketAddress& to);

    SocketAddress local_address() const;
    std::uint64_t datagrams_received() const noexcept;
    std::uint64_t datagrams_sent() const noexcept;
    // Datagrams queued in user space because the kernel was full.
    std::size_t queued_datagrams() const noexcept;

    struct Impl;

private:
    Impl* impl_;  // freed in libuv's close callback
};

}  // namespace netreactor
