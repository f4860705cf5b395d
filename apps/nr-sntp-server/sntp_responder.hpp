// Answers SNTP client requests from the system clock (RFC 4330 section 5):
// receive stamped on arrival, transmit just before sending, the client's
// transmit copied into origin, version and poll echoed. Anything that is not
// a client request (short, truncated, wrong mode or version) is ignored.
#pragma once

#include <cstdint>
#include <optional>

#include "netreactor/loop.hpp"
#include "netreactor/udp_socket.hpp"
#include "sntp_packet.hpp"

namespace sntps {

struct ResponderConfig {
    std::uint8_t stratum = 1;
    std::uint32_t ref_id = 0x4c4f434c;  // "LOCL": an undisciplined local clock
    std::uint8_t leap = 0;
};

struct ResponderTotals {
    std::uint64_t requests = 0;  // datagrams received
    std::uint64_t answered = 0;  // replies the kernel took (a failed send is taken back in on_error)
    std::uint64_t ignored = 0;   // not a client request
};

// The reply to `request`; `receive` and `transmit` are the server's clock.
sntp::Packet make_reply(const sntp::Packet& request, const ResponderConfig& config, std::int8_t precision,
                        sntp::NtpTimestamp reference, sntp::UnixNanos receive, sntp::UnixNanos transmit) noexcept;

// Whether a datagram is a client request worth answering.
std::optional<sntp::Packet> client_request(std::span<const char> data, bool truncated) noexcept;

// log2 of the real-time clock's resolution, rounded up: -29 for 1 ns.
std::int8_t clock_precision() noexcept;

class SntpResponder final : private netreactor::UdpHandler {
public:
    SntpResponder(netreactor::Loop& loop, const ResponderConfig& config);
    // Binds and starts answering; throws netreactor::SystemError.
    void bind(const netreactor::SocketAddress& address);
    netreactor::SocketAddress local_address() const;
    void close() { socket_.reset(); }
    const ResponderTotals& totals() const noexcept { return totals_; }

private:
    void on_datagram(netreactor::UdpSocket& socket, std::span<const char> data, const netreactor::SocketAddress& from,
                     bool truncated) override;
    void on_error(netreactor::UdpSocket& socket, const netreactor::Error& error) override;

    netreactor::Loop& loop_;
    ResponderConfig config_;
    std::int8_t precision_;
    sntp::NtpTimestamp reference_;  // when the server started: its clock was "set" then
    std::optional<netreactor::UdpSocket> socket_;
    ResponderTotals totals_;
};

}  // namespace sntps
