#include "netreactor/address.hpp"

#include <arpa/inet.h>
#include <net/if.h>

#include <charconv>
#include <cstring>

namespace netreactor {

SocketAddress::SocketAddress(const sockaddr* sa) {
    if (sa == nullptr) return;
    if (sa->sa_family == AF_INET) {
        std::memcpy(&storage_, sa, sizeof(sockaddr_in));
    } else if (sa->sa_family == AF_INET6) {
        std::memcpy(&storage_, sa, sizeof(sockaddr_in6));
    }
}

std::optional<SocketAddress> SocketAddress::parse(std::string_view ip, std::uint16_t port) {
    std::string text(ip);
    SocketAddress out;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage_);
    if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        return out;
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage_);
    std::string scope;
    if (auto pct = text.find('%'); pct != std::string::npos) {
        scope = text.substr(pct + 1);
        text.resize(pct);
        if (scope.empty()) return std::nullopt;
    }
    if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        if (!scope.empty()) {
            unsigned index = if_nametoindex(scope.c_str());
            if (index == 0) {
                auto [p, ec] = std::from_chars(scope.data(), scope.data() + scope.size(), index);
                if (ec != std::errc() || p != scope.data() + scope.size()) return std::nullopt;
            }
            v6->sin6_scope_id = index;
        }
        return out;
    }
    return std::nullopt;
}

static std::optional<std::uint16_t> parse_port(std::string_view text) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    unsigned value = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || p != text.data() + text.size() || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

std::optional<HostPort> split_host_port(std::string_view text) {
    if (text.empty()) return std::nullopt;
    if (text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close == 1) return std::nullopt;
        HostPort out{std::string(text.substr(1, close - 1)), std::nullopt};
        auto rest = text.substr(close + 1);
        if (rest.empty()) return out;
        if (rest.front() != ':') return std::nullopt;
        out.port = parse_port(rest.substr(1));
        if (!out.port) return std::nullopt;
        return out;
    }
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return HostPort{std::string(text), std::nullopt};
    if (text.find(':', colon + 1) != std::string_view::npos) {
        // More than one colon and no brackets: a bare IPv6 address, no port.
        return HostPort{std::string(text), std::nullopt};
    }
    if (colon == 0) return std::nullopt;
    HostPort out{std::string(text.substr(0, colon)), parse_port(text.substr(colon + 1))};
    if (!out.port) return std::nullopt;
    return out;
}

std::optional<SocketAddress> SocketAddress::parse_endpoint(std::string_view text, std::uint16_t default_port) {
    auto hp = split_host_port(text);
    if (!hp) return std::nullopt;
    return parse(hp->host, hp->port.value_or(default_port));
}

std::uint16_t SocketAddress::port() const noexcept {
    if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
    if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
    return 0;
}

void SocketAddress::set_port(std::uint16_t port) noexcept {
    if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
    if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

std::string SocketAddress::ip() const {
    char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2] = {};
    if (family() == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf, sizeof buf);
        return buf;
    }
    if (family() == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage_);
        inet_ntop(AF_INET6, &v6->sin6_addr, buf, sizeof buf);
        std::string out = buf;
        if (v6->sin6_scope_id != 0) {
            char name[IF_NAMESIZE] = {};
            out += '%';
            out += if_indextoname(v6->sin6_scope_id, name) ? name : std::to_string(v6->sin6_scope_id);
        }
        return out;
    }
    return {};
}

std::string SocketAddress::to_string() const {
    if (family() == AF_INET6) return "[" + ip() + "]:" + std::to_string(port());
    if (family() == AF_INET) return ip() + ":" + std::to_string(port());
    return {};
}

socklen_t SocketAddress::length() const noexcept {
    if (family() == AF_INET) return sizeof(sockaddr_in);
    if (family() == AF_INET6) return sizeof(sockaddr_in6);
    return 0;
}

bool operator==(const SocketAddress& a, const SocketAddress& b) noexcept {
    if (a.family() != b.family()) return false;
    if (a.family() == AF_INET) {
        const auto* x = reinterpret_cast<const sockaddr_in*>(&a.storage_);
        const auto* y = reinterpret_cast<const sockaddr_in*>(&b.storage_);
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a.family() == AF_INET6) {
        const auto* x = reinterpret_cast<const sockaddr_in6*>(&a.storage_);
        const auto* y = reinterpret_cast<const sockaddr_in6*>(&b.storage_);
        return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
               std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return true;
}

}  // namespace netreactor
