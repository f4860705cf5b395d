// One SNTP exchange with one address: send a v4 client request carrying a
// random nonce on a connected UDP socket (the kernel then delivers only the
// asked address and port's datagrams), keep waiting through bogus replies,
// end at the first reply that answers us, at an ICMP error, or at the timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "netreactor/udp_socket.hpp"
#include "sntp_reply.hpp"

namespace sntpc {

struct QueryOutcome {
    std::optional<sntp::Sample> sample;       // set on success
    std::optional<netreactor::Error> error;   // set on failure
    std::optional<sntp::Packet> reply;        // the reply that ended the query (KoD, unsynchronized...)
    unsigned bogus_replies = 0;               // dropped datagrams
    sntp::ReplyCheck last_bogus = sntp::ReplyCheck::ok;
};

class SntpQuery final : private netreactor::UdpHandler {
public:
    using Done = std::function<void(QueryOutcome)>;

    SntpQuery(netreactor::Loop& loop, const netreactor::SocketAddress& peer, std::chrono::milliseconds timeout,
              Done done);
    ~SntpQuery() override;
    SntpQuery(const SntpQuery&) = delete;
    SntpQuery& operator=(const SntpQuery&) = delete;

    // Sends the request. `done` runs exactly once, always from the loop (never
    // inside start()); it may destroy this query.
    void start();

private:
    void on_datagram(netreactor::UdpSocket&, std::span<const char> data, const netreactor::SocketAddress& from,
                     bool truncated) override;
    void on_error(netreactor::UdpSocket&, const netreactor::Error& error) override;
    void on_timeout();
    void fail_soon(netreactor::Error error);
    void finish();

    netreactor::Loop& loop_;
    netreactor::SocketAddress peer_;
    std::chrono::milliseconds timeout_;
    Done done_;
    std::optional<netreactor::UdpSocket> socket_;
    netreactor::Timer timer_;
    sntp::NtpTimestamp nonce_ = 0;
    sntp::UnixNanos sent_realtime_ = 0;  // T1
    std::uint64_t sent_monotonic_ = 0;
    QueryOutcome outcome_;
    bool finished_ = false;
    bool starting_ = false;  // inside start(): report errors from the loop
};

}  // namespace sntpc
