// Endpoint text as every tool reads it: HOST, HOST:PORT, [IPv6]:PORT, or a
// bare IPv6 literal (no port: it needs brackets for one). One parser, so
// nr-fetch, nr-echo-client, nr-sntp, nr-resolve's -s and the servers agree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "host.hpp"
#include "parsed.hpp"

namespace nrapp {

/// Whom the port is for: a peer must have a real port (1-65535); a local
/// address to listen on or bind may ask for 0 (the kernel picks one).
enum class PortUse { peer, local };

struct Endpoint {
    Host host;
    /// The port written in the text; nullopt when it had none.
    std::optional<std::uint16_t> port;

    /// "127.0.0.1:53", "[::1]:53", "example.test:80" with `port` or the default.
    std::string text(std::uint16_t default_port) const;
};

/// Reads a port: 1 to 5 decimal digits, 0-65535, and not 0 for a peer.
Parsed<std::uint16_t> parse_port(std::string_view text, PortUse use);

/// Reads "HOST", "HOST:PORT", "[IPv6]", "[IPv6]:PORT" or a bare IPv6 literal.
/// The host is checked by parse_host (names included).
Parsed<Endpoint> parse_endpoint(std::string_view text, PortUse use);

/// Reads a DNS server: a numeric IPv4/IPv6 address with an optional port
/// (default 53), as "IP:PORT" / "[IPv6]:PORT" ready for ResolverOptions.
/// Names, port 0 and zones are refused (c-ares cannot use a zone).
Parsed<std::string> parse_dns_server(std::string_view text);

}  // namespace nrapp
