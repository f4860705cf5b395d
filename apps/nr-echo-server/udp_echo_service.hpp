// UDP echo on one loop: every datagram goes back to its sender unchanged.
#pragma once

#include <optional>

#include "echo_config.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/udp_socket.hpp"

namespace echo {

class UdpEchoService final : public netreactor::UdpHandler {
public:
    UdpEchoService(netreactor::Loop& loop, EchoTotals& totals);

    void bind(const netreactor::SocketAddress& address, bool reuse_port);  // throws SystemError
    netreactor::SocketAddress local_address() const;
    void close() { socket_.reset(); }

    void on_datagram(netreactor::UdpSocket& socket, std::span<const char> data, const netreactor::SocketAddress& from,
                     bool truncated) override;

private:
    netreactor::Loop& loop_;
    EchoTotals& totals_;
    std::optional<netreactor::UdpSocket> socket_;
};

}  // namespace echo
