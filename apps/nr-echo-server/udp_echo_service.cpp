#include "udp_echo_service.hpp"

namespace echo {

UdpEchoService::UdpEchoService(netreactor::Loop& loop, EchoTotals& totals) : loop_(loop), totals_(totals) {}

void UdpEchoService::bind(const netreactor::SocketAddress& address, bool reuse_port) {
    socket_.emplace(loop_, *this);
    netreactor::UdpBindOptions options;
    options.reuse_port = reuse_port;
    socket_->bind(address, options);
    socket_->start_receiving();
}

netreactor::SocketAddress UdpEchoService::local_address() const {
    return socket_ ? socket_->local_address() : netreactor::SocketAddress();
}

void UdpEchoService::on_datagram(netreactor::UdpSocket& socket, std::span<const char> data,
                                 const netreactor::SocketAddress& from, bool truncated) {
    totals_.datagrams++;
    totals_.datagram_bytes += data.size();
    // A truncated datagram cannot be echoed faithfully: drop it rather than
    // send back something the peer did not send.
    if (!truncated) socket.send(data, from);
}

}  // namespace echo
