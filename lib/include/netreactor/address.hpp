/// @file
/// @brief netreactor::SocketAddress: IPv4/IPv6 socket addresses, parsed and formatted.
#pragma once

#include "netreactor/export.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <netinet/in.h>
#include <sys/socket.h>

namespace netreactor {

/// A numeric IPv4 or IPv6 address with a port (a `sockaddr_storage` inside).
///
/// A value type: copy freely. It owns nothing else and refers to no Loop, so
/// any thread may use its own copies (const members are safe to call
/// concurrently). No call resolves names: see Resolver for that.
class NETREACTOR_API SocketAddress {
public:
    /// The empty address (family AF_UNSPEC).
    SocketAddress() = default;
    /// Copies a sockaddr_in or sockaddr_in6; anything else gives an empty address.
    /// `sa` is only read during the call.
    explicit SocketAddress(const sockaddr* sa);

    /// Parses a numeric IP ("127.0.0.1", "::1", "fe80::1%lo") and a port.
    /// Returns nullopt for anything else (host names included).
    static std::optional<SocketAddress> parse(std::string_view ip, std::uint16_t port);

    /// Parses an endpoint: "IP", "IP:PORT", "[IPv6]", "[IPv6]:PORT" or a bare
    /// IPv6 "::1" (no port). Missing port gives default_port.
    static std::optional<SocketAddress> parse_endpoint(std::string_view text, std::uint16_t default_port);

    /// True for the default-constructed address (no family).
    bool empty() const noexcept { return storage_.ss_family == AF_UNSPEC; }
    /// AF_INET, AF_INET6, or AF_UNSPEC when empty.
    int family() const noexcept { return storage_.ss_family; }
    /// True for an IPv6 address (including IPv4-mapped ones).
    bool is_ipv6() const noexcept { return family() == AF_INET6; }
    /// The port in host byte order; 0 when empty.
    std::uint16_t port() const noexcept;
    /// Sets the port (host byte order); does nothing on an empty address.
    void set_port(std::uint16_t port) noexcept;
    /// The numeric IP without port: "127.0.0.1", "::1" (with "%zone" when scoped);
    /// "" when empty.
    std::string ip() const;
    /// "127.0.0.1:80" or "[::1]:80"; "" when empty.
    std::string to_string() const;

    /// The address for socket calls; points into this object, so it is valid
    /// as long as this SocketAddress is alive and unchanged.
    const sockaddr* sockaddr_ptr() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
    /// The length of *sockaddr_ptr() for its family (0 when empty).
    socklen_t length() const noexcept;

    /// Same family, IP, port (and IPv6 scope); two empty addresses are equal.
    friend NETREACTOR_API bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept;

private:
    sockaddr_storage storage_{};
};

/// A host (name or numeric IP, brackets removed) and an optional port, as
/// split_host_port() returns them. A plain value.
struct HostPort {
    std::string host;                   ///< "example.com", "127.0.0.1", "::1"
    std::optional<std::uint16_t> port;  ///< nullopt when the text had no port
};
/// Splits "host:port", "[v6]:port", "host" into host and optional port text.
/// Returns nullopt for malformed input ("[::1", "a:b:c" with a port-looking tail is
/// treated as a bare IPv6 address). The port is validated to 0-65535.
/// Pure: safe from any thread.
NETREACTOR_API std::optional<HostPort> split_host_port(std::string_view text);

}  // namespace netreactor
