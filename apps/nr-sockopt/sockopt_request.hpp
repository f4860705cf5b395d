// What the user asked nr-sockopt to do, checked as a whole before any socket
// exists, so a bad value never leaves a half-configured socket behind.
#pragma once

#include <optional>
#include <string>

#include "netreactor/address.hpp"

namespace sockopt {

struct SockoptRequest {
    bool tcp = true;                     // --proto tcp|udp
    int family = AF_INET;                // --family, or the family of --bind
    std::optional<int> sndbuf;           // bytes asked; the kernel applies its own figure
    std::optional<int> rcvbuf;
    std::optional<bool> nodelay;         // TCP only
    std::optional<double> timeout;       // seconds, SO_RCVTIMEO and SO_SNDTIMEO
    std::optional<bool> nonblocking;     // --nonblocking / --blocking
    std::optional<bool> reuseaddr;
    std::optional<bool> keepalive;       // TCP only
    std::optional<netreactor::SocketAddress> bind;
};

// The longest --timeout accepted (a year), far below what a timeval holds.
constexpr double kMaxTimeoutSeconds = 365.0 * 24 * 3600;

// Raw command-line values, before checking.
struct RawRequest {
    std::string proto = "tcp";
    std::string family;                  // "", "ipv4", "ipv6"
    std::optional<long long> sndbuf, rcvbuf;
    std::optional<double> timeout;
    std::optional<bool> nodelay, nonblocking, reuseaddr, keepalive;
    std::optional<std::string> bind;     // "ADDR:PORT", "[v6]:PORT", "ADDR" (port 0)
};

struct CheckedRequest {
    std::optional<SockoptRequest> request;
    std::string error;                   // set when request is empty
};

// Checks every value against every other; nothing is applied here.
CheckedRequest check_request(const RawRequest& raw);

}  // namespace sockopt
