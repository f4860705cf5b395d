// What nr-echo-client was asked to do.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "netreactor/address.hpp"

namespace echo_client {

enum class Proto { tcp, udp };

inline const char* proto_name(Proto proto) { return proto == Proto::tcp ? "tcp" : "udp"; }

// The largest UDP payload over IPv4 (65535 - 20 IP - 8 UDP header bytes).
constexpr std::size_t kMaxDatagram = 65507;

struct ClientOptions {
    std::string host = "localhost";
    netreactor::SocketAddress server;  // resolved from host and port
    Proto proto = Proto::tcp;
    std::chrono::milliseconds timeout{5000};  // the connect phase (lookup included), and each reply; 0: wait forever
    // Load mode: when the connect phase began (the lookup's start, from
    // netreactor::monotonic_ns()): every connection must be made within
    // --timeout of it.
    std::uint64_t connect_started_ns = 0;

    // The payload: `message`, or `size` random bytes when size > 0.
    std::string message = "Test message. This will be echoed";
    std::size_t size = 0;
    bool random_payload = false;
    std::uint64_t seed = 0;  // 0: a random seed
    std::uint64_t count = 1;  // exchange: round trips; load: per-connection limit (0: none)

    // Load mode (any of --connections, --duration, --pipeline, --warmup).
    bool load = false;
    std::size_t connections = 1;
    std::chrono::milliseconds duration{5000};
    // The load runs this long before the window, measured apart and not
    // counted in it (iperf3's --omit); 0: the window starts at once.
    std::chrono::milliseconds warmup{0};
    std::size_t pipeline = 1;
};

}  // namespace echo_client
