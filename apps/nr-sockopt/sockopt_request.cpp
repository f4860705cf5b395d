#include "sockopt_request.hpp"

#include <climits>
#include <cmath>

#include "endpoint.hpp"

namespace sockopt {

namespace {

CheckedRequest failure(std::string why) {
    CheckedRequest r;
    r.error = std::move(why);
    return r;
}

std::optional<std::string> check_size(const char* name, const std::optional<long long>& value) {
    if (!value) return std::nullopt;
    if (*value < 0) return std::string(name) + " must not be negative: " + std::to_string(*value);
    if (*value > INT_MAX) return std::string(name) + " must be at most " + std::to_string(INT_MAX);
    return std::nullopt;
}

}  // namespace

CheckedRequest check_request(const RawRequest& raw) {
    SockoptRequest req;
    if (raw.proto != "tcp" && raw.proto != "udp") return failure("--proto must be tcp or udp: " + raw.proto);
    req.tcp = raw.proto == "tcp";

    for (auto [name, value] : {std::pair{"--sndbuf", &raw.sndbuf}, std::pair{"--rcvbuf", &raw.rcvbuf}})
        if (auto why = check_size(name, *value)) return failure(*why);
    if (raw.sndbuf) req.sndbuf = static_cast<int>(*raw.sndbuf);
    if (raw.rcvbuf) req.rcvbuf = static_cast<int>(*raw.rcvbuf);

    if (raw.timeout) {
        if (!std::isfinite(*raw.timeout) || *raw.timeout < 0 || *raw.timeout > kMaxTimeoutSeconds)
            return failure("--timeout must be a number of seconds from 0 to " +
                           std::to_string(static_cast<long>(kMaxTimeoutSeconds)));
        req.timeout = raw.timeout;
    }
    if (!req.tcp && raw.nodelay) return failure("--nodelay/--no-nodelay apply to --proto tcp only");
    if (!req.tcp && raw.keepalive) return failure("--keepalive/--no-keepalive apply to --proto tcp only");
    req.nodelay = raw.nodelay;
    req.keepalive = raw.keepalive;
    req.nonblocking = raw.nonblocking;
    req.reuseaddr = raw.reuseaddr;

    if (!raw.family.empty() && raw.family != "ipv4" && raw.family != "ipv6")
        return failure("--family must be ipv4 or ipv6: " + raw.family);
    if (raw.family == "ipv6") req.family = AF_INET6;
    if (raw.bind) {
        auto endpoint = nrapp::parse_endpoint(*raw.bind, nrapp::PortUse::local);
        if (!endpoint) return failure("--bind: " + endpoint.error());
        if (!endpoint->host.is_literal()) return failure("--bind needs a numeric IPv4 or IPv6 address: " + *raw.bind);
        auto address = endpoint->host.address(endpoint->port.value_or(0));
        if (!raw.family.empty() && address->family() != req.family)
            return failure("--bind " + *raw.bind + " is not of --family " + raw.family);
        req.family = address->family();
        req.bind = address;
    }
    CheckedRequest r;
    r.request = req;
    return r;
}

}  // namespace sockopt
