// Numeric IP address literals, exactly as strict as inet_pton(3), plus an
// RFC 4007 zone on IPv6 ("fe80::1%eth0"). The one rule every tool uses for
// "is this text an address?", so that nothing else is ever taken for one.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace nrapp {

/// The longest zone accepted: an interface name (IFNAMSIZ - 1 on Linux) or a
/// decimal interface index fits.
constexpr std::size_t kMaxZoneLength = 15;

/// A parsed literal: which family, its bytes, and its zone as written.
struct IpLiteral {
    bool is_ipv6 = false;
    /// Network byte order; the first 4 bytes for IPv4.
    std::array<unsigned char, 16> bytes{};
    /// The text after '%', empty when there is none (never for IPv4).
    std::string zone;
};

/// Parses `text` as one numeric address and nothing else:
///  - IPv4 in inet_pton's form only: four decimal parts, no leading zeros
///    (no inet_aton shorthands such as 127.1 or 0x7f.1);
///  - IPv6 as inet_pton reads it, optionally followed by '%' and a zone of
///    1..kMaxZoneLength printable ASCII characters other than '%' (RFC 4007
///    section 11; a zone is an interface name or index, never empty);
///  - no brackets, no port, no spaces, no NUL byte.
/// Python's ipaddress module agrees on every input, except that it accepts
/// zones longer than kMaxZoneLength or with spaces and control characters,
/// which no interface name can hold.
/// On failure returns nullopt and, if `why` is given, a short reason
/// ("empty zone after '%'") for the caller's message.
std::optional<IpLiteral> parse_ip_literal(std::string_view text, std::string* why = nullptr);

/// True when `zone` is a zone parse_ip_literal accepts (the text after '%').
bool is_valid_zone(std::string_view zone);

}  // namespace nrapp
