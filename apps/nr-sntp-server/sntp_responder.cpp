#include "sntp_responder.hpp"

#include <time.h>

namespace sntps {

sntp::Packet make_reply(const sntp::Packet& request, const ResponderConfig& config, std::int8_t precision,
                        sntp::NtpTimestamp reference, sntp::UnixNanos receive, sntp::UnixNanos transmit) noexcept {
    sntp::Packet reply;
    reply.leap = config.leap;
    reply.version = request.version;
    reply.mode = sntp::mode_server;
    reply.stratum = config.stratum;
    reply.poll = request.poll;
    reply.precision = precision;
    reply.ref_id = config.ref_id;
    reply.reference = reference;
    reply.origin = request.transmit;
    reply.receive = sntp::to_ntp(receive);
    reply.transmit = sntp::to_ntp(transmit);
    return reply;
}

std::optional<sntp::Packet> client_request(std::span<const char> data, bool truncated) noexcept {
    if (truncated) return std::nullopt;
    auto request = sntp::decode_packet(data);
    if (!request || request->mode != sntp::mode_client || request->version < 1 || request->version > 4)
        return std::nullopt;
    return request;
}

std::int8_t clock_precision() noexcept {
    timespec res{};
    clock_getres(CLOCK_REALTIME, &res);
    std::int64_t ns = static_cast<std::int64_t>(res.tv_sec) * sntp::kNanosPerSecond + res.tv_nsec;
    if (ns <= 0) ns = 1;
    // The smallest p with 2^p s >= the resolution.
    std::int8_t p = 0;
    while (p > -32 && static_cast<double>(sntp::kNanosPerSecond) / static_cast<double>(1ull << -(p - 1)) >=
                          static_cast<double>(ns))
        --p;
    return p;
}

SntpResponder::SntpResponder(netreactor::Loop& loop, const ResponderConfig& config)
    : loop_(loop), config_(config), precision_(clock_precision()), reference_(sntp::to_ntp(sntp::realtime_now())) {}

void SntpResponder::bind(const netreactor::SocketAddress& address) {
    socket_.emplace(loop_, static_cast<netreactor::UdpHandler&>(*this));
    socket_->bind(address);
    socket_->start_receiving();
}

netreactor::SocketAddress SntpResponder::local_address() const {
    return socket_ ? socket_->local_address() : netreactor::SocketAddress();
}

void SntpResponder::on_datagram(netreactor::UdpSocket& socket, std::span<const char> data,
                                const netreactor::SocketAddress& from, bool truncated) {
    sntp::UnixNanos received = sntp::realtime_now();
    totals_.requests++;
    auto request = client_request(data, truncated);
    if (!request) {
        totals_.ignored++;
        return;
    }
    auto reply = make_reply(*request, config_, precision_, reference_, received, sntp::realtime_now());
    auto bytes = sntp::encode_packet(reply);
    socket.send(bytes, from);
    totals_.answered++;
}

void SntpResponder::on_error(netreactor::UdpSocket&, const netreactor::Error& error) {
    // The one report of a reply that could not be sent (counted as answered above).
    if (error.operation() == "send" && totals_.answered > 0) totals_.answered--;
}

}  // namespace sntps
