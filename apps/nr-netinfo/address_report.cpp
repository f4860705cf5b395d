#include "address_report.hpp"

#include <arpa/inet.h>
#include <net/if.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "ip_literal.hpp"

namespace netinfo {

namespace {

using nrapp::json;

std::string hex_bytes(const unsigned char* bytes, std::size_t n) {
    std::string out;
    char two[3];
    for (std::size_t i = 0; i < n; ++i) {
        std::snprintf(two, sizeof two, "%02x", bytes[i]);
        out += two;
    }
    return out;
}

bool in_prefix(std::uint32_t address, std::uint32_t network, int length) {
    std::uint32_t mask = length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
    return (address & mask) == network;
}

// Special-purpose ranges (RFC 6890 and the documents it names).
json ipv4_flags(std::uint32_t a) {
    return {
        {"unspecified", a == 0},
        {"loopback", in_prefix(a, 0x7f000000, 8)},
        {"private", in_prefix(a, 0x0a000000, 8) || in_prefix(a, 0xac100000, 12) || in_prefix(a, 0xc0a80000, 16)},
        {"shared", in_prefix(a, 0x64400000, 10)},
        {"link_local", in_prefix(a, 0xa9fe0000, 16)},
        {"multicast", in_prefix(a, 0xe0000000, 4)},
        {"documentation",
         in_prefix(a, 0xc0000200, 24) || in_prefix(a, 0xc6336400, 24) || in_prefix(a, 0xcb007100, 24)},
        {"benchmarking", in_prefix(a, 0xc6120000, 15)},
        {"reserved", in_prefix(a, 0xf0000000, 4)},
        {"broadcast", a == 0xffffffff},
    };
}

bool in_prefix6(const unsigned char* a, std::initializer_list<unsigned char> prefix, int length) {
    int i = 0;
    for (unsigned char byte : prefix) {
        int bits = std::min(8, length - 8 * i);
        if (bits <= 0) break;
        unsigned char mask = static_cast<unsigned char>(0xff << (8 - bits));
        if ((a[i] & mask) != (byte & mask)) return false;
        ++i;
    }
    return true;
}

json ipv6_flags(const unsigned char* a) {
    static constexpr unsigned char kZero[16] = {};
    bool unspecified = std::memcmp(a, kZero, 16) == 0;
    bool loopback = std::memcmp(a, kZero, 15) == 0 && a[15] == 1;
    return {
        {"unspecified", unspecified},
        {"loopback", loopback},
        {"unique_local", in_prefix6(a, {0xfc}, 7)},
        {"link_local", in_prefix6(a, {0xfe, 0x80}, 10)},
        {"site_local", in_prefix6(a, {0xfe, 0xc0}, 10)},
        {"multicast", in_prefix6(a, {0xff}, 8)},
        {"documentation", in_prefix6(a, {0x20, 0x01, 0x0d, 0xb8}, 32)},
        {"ipv4_mapped", in_prefix6(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96)},
    };
}

json ipv4_fields(std::string_view input, std::uint32_t host_order) {
    in_addr packed{};
    packed.s_addr = htonl(host_order);
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &packed, text, sizeof text);
    return {{"input", input},
            {"family", "ipv4"},
            {"address", text},
            {"packed_hex", hex_bytes(reinterpret_cast<const unsigned char*>(&packed.s_addr), 4)},
            {"host_order", host_order},
            {"network_order", packed.s_addr},
            {"flags", ipv4_flags(host_order)}};
}

}  // namespace

json ipv4_report(std::string_view input, Ipv4Syntax syntax) {
    Ipv4Parse parsed = parse_ipv4(input, syntax);
    const char* operation = syntax == Ipv4Syntax::aton ? "inet_aton" : "inet_pton";
    if (!parsed.ok) return error_entry(input, "EINVAL", "not an IPv4 address: " + parsed.error, operation);
    json entry = ipv4_fields(input, parsed.value);
    entry["syntax"] = syntax == Ipv4Syntax::aton ? "aton" : "strict";
    entry["parts"] = parsed.parts;
    if (parsed.consumed < input.size()) entry["ignored_suffix"] = std::string(input.substr(parsed.consumed));
    return entry;
}

json ip_report(std::string_view input) {
    std::string why;
    std::optional<nrapp::IpLiteral> literal = nrapp::parse_ip_literal(input, &why);
    if (!literal) return error_entry(input, "EINVAL", "not an IP address: " + why, "inet_pton");
    if (!literal->is_ipv6) {
        std::uint32_t network_order;
        std::memcpy(&network_order, literal->bytes.data(), 4);
        return ipv4_fields(input, ntohl(network_order));
    }
    in6_addr v6{};
    std::memcpy(v6.s6_addr, literal->bytes.data(), 16);
    const std::string& scope = literal->zone;
    char compressed[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &v6, compressed, sizeof compressed);
    const unsigned char* b = v6.s6_addr;
    std::string exploded;
    for (int i = 0; i < 16; i += 2) {
        if (i) exploded += ':';
        exploded += hex_bytes(b + i, 2);
    }
    json entry = {{"input", input},         {"family", "ipv6"},           {"address", compressed},
                  {"exploded", exploded},   {"packed_hex", hex_bytes(b, 16)}, {"flags", ipv6_flags(b)}};
    if (entry["flags"]["ipv4_mapped"].get<bool>()) {
        char mapped[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, b + 12, mapped, sizeof mapped);
        entry["ipv4_mapped"] = mapped;
    }
    if (!scope.empty()) {
        unsigned index = if_nametoindex(scope.c_str());
        if (index == 0 && scope.find_first_not_of("0123456789") == std::string::npos)
            index = static_cast<unsigned>(std::stoul(scope.substr(0, 9)));
        entry["scope"] = scope;
        entry["scope_id"] = index == 0 ? json(nullptr) : json(index);
    }
    return entry;
}


}  // namespace netinfo
