// The default mode: send the message --count times, one round trip after the
// other, and check every echoed byte (seed recipe 1.13's client).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client_options.hpp"
#include "netreactor/error.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/tcp_connector.hpp"
#include "payload.hpp"

namespace echo_client {

struct ExchangeResult {
    std::uint64_t messages = 0;  // complete, matching round trips
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    bool match = true;
    std::uint64_t mismatch_offset = 0;  // byte offset in the stream, when !match
    std::uint64_t connect_ns = 0;       // TCP only: from the start to the winning handshake
    // TCP: the connect race (netreactor::TcpConnector); the winner's address,
    // or the last one tried, becomes the server.
    std::vector<netreactor::ConnectAttemptReport> attempts;
    netreactor::SocketAddress server;
    bool resolve_failed = false;  // `error` is the lookup's: nothing was connected
    std::uint64_t rtt_min_ns = 0;
    std::uint64_t rtt_max_ns = 0;
    std::uint64_t rtt_total_ns = 0;
    std::string first_reply;  // the first echo, kept when `keep_reply`
    std::optional<netreactor::Error> error;
};

// Runs the exchange on `loop` until it ends. `keep_reply` keeps the first echo
// for printing. TCP connects to options.host by name with `connect` (the
// race); UDP sends to options.server.
ExchangeResult run_exchange(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload,
                            bool keep_reply, const netreactor::ConnectOptions& connect = {});

}  // namespace echo_client
