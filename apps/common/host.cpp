#include "host.hpp"

#include <net/if.h>

#include <algorithm>
#include <cstdio>

namespace nrapp {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// `inside`: an address without brackets, zone included ("fe80::1%lo").
Parsed<Host> parse_literal(std::string_view inside) {
    std::string why;
    auto literal = parse_ip_literal(inside, &why);
    if (!literal) return Parsed<Host>::failure(in_quotes(inside) + " is not an IP address: " + why);
    Host host{literal->is_ipv6 ? HostKind::ipv6 : HostKind::ipv4, std::string(inside), literal->zone};
    bool numeric = std::all_of(host.zone.begin(), host.zone.end(), is_digit);
    if (!numeric && if_nametoindex(host.zone.c_str()) == 0)
        return Parsed<Host>::failure(in_quotes(inside) + ": no network interface named " + in_quotes(host.zone));
    if (numeric && !host.zone.empty() && (host.zone.size() > 10 || std::stoull(host.zone) > 0xffffffffULL))
        return Parsed<Host>::failure(in_quotes(inside) + ": zone index " + host.zone + " is out of range");
    return host;
}

bool is_ipv4(std::string_view text) {
    auto literal = parse_ip_literal(text);
    return literal && !literal->is_ipv6;
}

}  // namespace

int Host::family() const noexcept {
    return kind == HostKind::ipv4 ? AF_INET : kind == HostKind::ipv6 ? AF_INET6 : AF_UNSPEC;
}

std::optional<netreactor::SocketAddress> Host::address(std::uint16_t port) const {
    if (!is_literal()) return std::nullopt;
    return netreactor::SocketAddress::parse(text, port);
}

std::string Host::bracketed() const { return kind == HostKind::ipv6 ? "[" + text + "]" : text; }

std::string listening_ip(const netreactor::SocketAddress& bound, const Host& requested) {
    std::string ip = bound.ip();
    if (!requested.zone.empty() && bound.is_ipv6() && ip.find('%') == std::string::npos) ip += "%" + requested.zone;
    return ip;
}

std::string printable(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    return out;
}

std::string in_quotes(std::string_view text) { return "'" + printable(text) + "'"; }

std::string host_name_error(std::string_view name) {
    if (name.empty()) return "the host name is empty";
    std::string_view body = name;
    if (body.back() == '.') body.remove_suffix(1);
    if (body.empty()) return "'.' is the root, not a host name";
    if (body.size() > 253) return "a host name has at most 253 characters, this one " + std::to_string(body.size());
    std::string_view last_label;
    std::size_t start = 0;
    while (start <= body.size()) {
        std::size_t dot = body.find('.', start);
        if (dot == std::string_view::npos) dot = body.size();
        std::string_view label = body.substr(start, dot - start);
        if (label.empty()) return "empty label (two dots in a row, or a leading dot)";
        if (label.size() > 63) return "label " + in_quotes(label.substr(0, 20)) + "... is longer than 63 characters";
        for (char c : label)
            if (!is_letter(c) && !is_digit(c) && c != '-' && c != '_')
                return "a host name holds only letters, digits, '-', '_' and dots, not " + in_quotes(std::string(1, c));
        if (label.front() == '-' || label.back() == '-') return "label " + in_quotes(label) + " begins or ends with '-'";
        last_label = label;
        start = dot + 1;
    }
    if (std::all_of(last_label.begin(), last_label.end(), is_digit))
        return "not an IPv4 address (four decimal numbers, as inet_pton reads them) and not a host name "
               "(its last label is all digits)";
    return {};
}

Parsed<Host> parse_numeric_host(std::string_view text) {
    if (text.empty()) return Parsed<Host>::failure("the address is empty");
    if (text.front() == '[') {
        if (text.size() < 2 || text.back() != ']')
            return Parsed<Host>::failure(in_quotes(text) + ": '[' without its closing ']'");
        // "[127.0.0.1]:123" was always accepted, though RFC 3986 brackets only IPv6.
        return parse_literal(text.substr(1, text.size() - 2));
    }
    if (is_ipv4(text) || text.find(':') != std::string_view::npos) return parse_literal(text);
    return Parsed<Host>::failure(in_quotes(text) + " is not a numeric IPv4 or IPv6 address");
}

Parsed<Host> parse_host(std::string_view text) {
    if (text.empty()) return Parsed<Host>::failure("the host is empty");
    if (text.front() == '[' || text.find(':') != std::string_view::npos || is_ipv4(text)) return parse_numeric_host(text);
    if (text.find('%') != std::string_view::npos)
        return Parsed<Host>::failure(in_quotes(text) + ": a zone (%) follows an IPv6 address only");
    if (auto why = host_name_error(text); !why.empty()) return Parsed<Host>::failure(in_quotes(text) + ": " + why);
    return Host{HostKind::name, std::string(text), {}};
}

std::string family_mismatch(const Host& host, int family) {
    if (family == AF_UNSPEC || !host.is_literal() || host.family() == family) return {};
    return std::string(family == AF_INET ? "-4" : "-6") + " was given, but " + host.text + " is an " +
           (host.family() == AF_INET ? "IPv4" : "IPv6") + " address";
}

}  // namespace nrapp
