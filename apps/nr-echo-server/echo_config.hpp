// What nr-echo-server was asked to do.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "netreactor/address.hpp"

namespace echo {

struct EchoConfig {
    netreactor::SocketAddress address;
    bool tcp = true;
    bool udp = true;
    int backlog = 511;
    unsigned workers = 1;
    std::size_t max_connections = 0;               // 0: no limit
    std::chrono::milliseconds idle_timeout{0};     // 0: never
    std::chrono::milliseconds stall_timeout{0};    // 0: never; a peer whose queued echo makes no progress
    std::size_t max_queued = std::size_t{64} << 20;  // bytes queued by all connections together; 0: no limit
    std::chrono::milliseconds drain_timeout{5000};
    std::size_t high_water_mark = std::size_t{1024} * 1024;
    bool log_connections = false;
};

// Totals kept by one worker; summed for the shutdown event.
struct EchoTotals {
    std::uint64_t connections = 0;        // accepted
    std::uint64_t rejected = 0;           // over --max-connections
    std::uint64_t idle_closed = 0;        // closed by --idle-timeout
    std::uint64_t errors = 0;             // connections that ended with an error
    std::uint64_t accept_errors = 0;      // EMFILE and friends
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t datagrams = 0;
    std::uint64_t datagram_bytes = 0;
    std::uint64_t forced_closed = 0;      // still open when the drain timed out
    std::uint64_t bytes_discarded = 0;    // read but not echoed: sent by a peer after our shutdown began
    std::uint64_t bytes_dropped = 0;      // echo queued but never sent: the connection closed or failed first
    std::uint64_t stall_closed = 0;       // closed by --stall-timeout
    std::uint64_t queue_limit_pauses = 0; // peers paused because --max-queued was reached

    EchoTotals& operator+=(const EchoTotals& other);
};

}  // namespace echo
