// netreactor: IPv4/IPv6 socket addresses, parsed and formatted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <netinet/in.h>
#include <sys/socket.h>

namespace netreactor {

// A numeric IPv4 or IPv6 address with a port. A value type; copy freely.
class SocketAddress {
public:
    SocketAddress() = default;
    // Copies a sockaddr_in or sockaddr_in6; anything else gives an empty address.
    explicit SocketAddress(const sockaddr* sa);

    // Parses a numeric IP ("127.0.0.1", "::1", "fe80::1%lo") and a port.
    static std::optional<SocketAddress> parse(std::string_view ip, std::uint16_t port);

    // Parses an endpoint: "IP", "IP:PORT", "[IPv6]", "[IPv6]:PORT" or a bare
    // IPv6 "::1" (no port). Missing port gives default_port.
    static std::optional<SocketAddress> parse_endpoint(std::string_view text, std::uint16_t default_port);

    bool empty() const noexcept { return storage_.ss_family == AF_UNSPEC; }
    int family() const noexcept { return storage_.ss_family; }
    bool is_ipv6() const noexcept { return family() == AF_INET6; }
    std::uint16_t port() const noexcept;
    void set_port(std::uint16_t port) noexcept;
    // The numeric IP without port: "127.0.0.1", "::1".
    std::string ip() const;
    // "127.0.0.1:80" or "[::1]:80".
    std::string to_string() const;

    const sockaddr* sockaddr_ptr() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
    socklen_t length() const noexcept;

    friend bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept;

private:
    sockaddr_storage storage_{};
};

// Splits "host:port", "[v6]:port", "host" into host and optional port text.
// Returns nullopt for malformed input ("[::1", "a:b:c" with a port-looking tail is
// treated as a bare IPv6 address). The port is validated to 0-65535.
struct HostPort {
    std::string host;
    std::optional<std::uint16_t> port;
};
std::optional<HostPort> split_host_port(std::string_view text);

}  // namespace netreactor
