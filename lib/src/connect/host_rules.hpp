// Internal: the rules every connect-by-name and resolve-and-choose call
// shares, so that TcpConnector and HostLookup accept the same hosts, order
// addresses the same way and fail with the same errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"

namespace netreactor::connect_rules {

// A numeric IPv4/IPv6 literal, IPv6 with or without brackets, with an
// optional RFC 4007 zone ("fe80::1%lo", "[fe80::1%2]"); nullopt otherwise.
std::optional<SocketAddress> parse_literal(std::string_view host, std::uint16_t port);

// Nullopt when `host` may be asked of the hosts file and DNS (an RFC 1123
// host name, underscores allowed, optional trailing dot, labels of 1-63
// bytes, 253 in all); else an Error "BADNAME" (operation "resolve") saying
// why. Text such as "127.0.0.1:80" or "http://x" never reaches a resolver.
std::optional<Error> check_host_name(std::string_view host);

// "IPv4" / "IPv6" / "IP".
const char* family_label(int family);

// A literal of the wrong family under a -4/-6 restriction.
Error wrong_family(std::string_view host, int family);

// The one error of a lookup that found no address: a resolver failure other
// than "no such record" wins (NXDOMAIN, ETIMEDOUT...); otherwise NODATA
// "HOST has no IPv4 address" (or IPv6, or no address at all).
Error no_address(std::string_view host, int family, const std::vector<Error>& failures);

// RFC 8305 section 4: alternate the families, IPv6 first; within a family the
// order given (the resolver's RFC 6724 order, or the hosts file's).
std::vector<SocketAddress> interleave(const std::vector<SocketAddress>& v6, const std::vector<SocketAddress>& v4);

// True for "localhost" and "localhost." in any case (RFC 6761: loopback,
// never asked of DNS).
bool is_localhost(std::string_view host);

}  // namespace netreactor::connect_rules
