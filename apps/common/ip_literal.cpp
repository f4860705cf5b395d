#include "ip_literal.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace nrapp {

namespace {

std::nullopt_t reject(std::string* why, const char* reason) {
    if (why) *why = reason;
    return std::nullopt;
}

// inet_pton wants a NUL-terminated string; the longest text it accepts (IPv6
// with an IPv4 tail) is INET6_ADDRSTRLEN - 1 characters, so anything longer
// is rejected before the copy.
bool pton(int family, std::string_view text, unsigned char* bytes) {
    if (text.size() >= INET6_ADDRSTRLEN) return false;
    std::array<char, INET6_ADDRSTRLEN> buffer{};
    std::copy(text.begin(), text.end(), buffer.begin());
    return inet_pton(family, buffer.data(), bytes) == 1;
}

// Why `zone` is not a zone, or nullptr when it is one.
const char* zone_problem(std::string_view zone) {
    if (zone.empty()) return "empty zone after '%'";
    if (zone.find('%') != std::string_view::npos) return "more than one '%'";
    if (zone.size() > kMaxZoneLength) return "zone longer than 15 characters (an interface name or index)";
    for (char c : zone)
        if (c <= ' ' || c > '~') return "zone with a character that is not printable ASCII";
    return nullptr;
}

}  // namespace

bool is_valid_zone(std::string_view zone) { return zone_problem(zone) == nullptr; }

std::optional<IpLiteral> parse_ip_literal(std::string_view text, std::string* why) {
    if (text.find('\0') != std::string_view::npos) return reject(why, "contains a NUL byte");
    if (!text.empty() && text.front() == '[')
        return reject(why, "brackets are not part of an address (write ::1, not [::1])");

    IpLiteral literal;
    std::string_view address = text;
    if (auto percent = text.find('%'); percent != std::string_view::npos) {
        address = text.substr(0, percent);
        std::string_view zone = text.substr(percent + 1);
        if (const char* problem = zone_problem(zone)) return reject(why, problem);
        literal.zone = std::string(zone);
    }
    if (pton(AF_INET, address, literal.bytes.data())) {
        if (!literal.zone.empty()) return reject(why, "a zone belongs only to an IPv6 address");
        return literal;
    }
    if (!pton(AF_INET6, address, literal.bytes.data())) return reject(why, "not an IPv6 or IPv4 address");
    literal.is_ipv6 = true;
    return literal;
}

}  // namespace nrapp
