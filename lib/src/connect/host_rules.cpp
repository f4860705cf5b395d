#include "host_rules.hpp"

#include <cctype>

namespace netreactor::connect_rules {

std::optional<SocketAddress> parse_literal(std::string_view host, std::uint16_t port) {
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        auto inner = host.substr(1, host.size() - 2);
        auto address = SocketAddress::parse(inner, port);
        if (address && address->is_ipv6()) return address;  // "[127.0.0.1]" is not a literal
        return std::nullopt;
    }
    return SocketAddress::parse(host, port);
}

std::optional<Error> check_host_name(std::string_view host) {
    auto bad = [&](const std::string& why) {
        return Error("BADNAME", "not a host name (" + why + "): " + std::string(host), "resolve");
    };
    if (host.empty()) return bad("empty");
    std::string_view name = host;
    if (name.back() == '.' && name.size() > 1) name.remove_suffix(1);
    if (name.size() > 253) return bad("longer than 253 bytes");
    std::size_t label = 0;
    for (char c : name) {
        auto u = static_cast<unsigned char>(c);
        if (c == '.') {
            if (label == 0) return bad("empty label");
            label = 0;
            continue;
        }
        if (!std::isalnum(u) && c != '-' && c != '_')
            return bad(u < 0x20 || u >= 0x7f ? "control or non-ASCII byte" : std::string("'") + c + "'");
        if (++label > 63) return bad("label longer than 63 bytes");
    }
    if (label == 0) return bad("empty label");
    return std::nullopt;
}

const char* family_label(int family) {
    return family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : "IP";
}

Error wrong_family(std::string_view host, int family) {
    return Error("EAFNOSUPPORT",
                 std::string(host) + " is not an " + family_label(family) + " address, and only " +
                     family_label(family) + " was asked",
                 "resolve");
}

Error no_address(std::string_view host, int family, const std::vector<Error>& failures) {
    for (const Error& e : failures)
        if (e.code() != "NODATA" && e.code() != "ENODATA") return e;
    std::string what = family == AF_UNSPEC ? "no address" : std::string("no ") + family_label(family) + " address";
    return Error("NODATA", std::string(host) + " has " + what, "resolve");
}

std::vector<SocketAddress> interleave(const std::vector<SocketAddress>& v6, const std::vector<SocketAddress>& v4) {
    std::vector<SocketAddress> out;
    out.reserve(v6.size() + v4.size());
    for (std::size_t i = 0; i < v6.size() || i < v4.size(); ++i) {
        if (i < v6.size()) out.push_back(v6[i]);
        if (i < v4.size()) out.push_back(v4[i]);
    }
    return out;
}

bool is_localhost(std::string_view host) {
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);
    constexpr std::string_view kLocalhost = "localhost";
    if (host.size() != kLocalhost.size()) return false;
    for (std::size_t i = 0; i < host.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(host[i])) != kLocalhost[i]) return false;
    return true;
}

}  // namespace netreactor::connect_rules
