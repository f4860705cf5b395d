// Host text as every tool reads it: an IPv4 literal, an IPv6 literal (with or
// without brackets, with an RFC 4007 zone), or a DNS host name. Exactly as
// strict as inet_pton for literals; a name is checked before any resolver
// sees it (RFC 1035/1123 lengths and bytes), so nothing that is not a name is
// ever sent to DNS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sys/socket.h>

#include "ip_literal.hpp"
#include "netreactor/address.hpp"
#include "parsed.hpp"

namespace nrapp {

enum class HostKind { ipv4, ipv6, name };

struct Host {
    HostKind kind = HostKind::name;
    /// How the host is reported: a literal without brackets, zone kept
    /// ("fe80::1%lo"); a name as given ("example.test", "www.lab.test.").
    std::string text;
    /// The zone of an IPv6 literal ("lo", "2"); empty when none.
    std::string zone;

    bool is_literal() const noexcept { return kind != HostKind::name; }
    /// AF_INET or AF_INET6 for a literal, AF_UNSPEC for a name.
    int family() const noexcept;
    /// The literal as a socket address with `port`; nullopt for a name.
    std::optional<netreactor::SocketAddress> address(std::uint16_t port) const;
    /// "[::1]" for an IPv6 literal (as it goes before ":PORT"), text otherwise.
    std::string bracketed() const;
};

/// Reads a host: "127.0.0.1", "::1", "[::1]", "fe80::1%lo", "[fe80::1%2]",
/// "example.test". A zone must be a number or the name of an interface of this
/// machine (IFNAMSIZ-1 characters at most). Brackets may hold either family
/// ("[127.0.0.1]:123" as older releases read it); they are not part of `text`.
Parsed<Host> parse_host(std::string_view text);

/// An IPv4 or IPv6 literal only (brackets and zone allowed); names refused.
/// The literal itself is read by parse_ip_literal (ip_literal.hpp, the one
/// address rule); a zone that is not a number must name an interface here.
Parsed<Host> parse_numeric_host(std::string_view text);

/// Why `name` is not a DNS host name: empty when it is one. Labels of 1-63
/// letters, digits, '-' (not first or last) or '_', 253 characters at most
/// without the optional final dot, and a last label that is not all digits
/// (so "127.1" or "1.2.3.256" is neither an address nor a name).
std::string host_name_error(std::string_view name);

/// The IP a server reports as listening on: the bound address, with the zone
/// the user asked for when the kernel does not give it back (it keeps a scope
/// only on link-local addresses: "--host ::1%lo" binds ::1).
std::string listening_ip(const netreactor::SocketAddress& bound, const Host& requested);

/// `text` with bytes outside printable ASCII written as \xNN, for messages.
std::string printable(std::string_view text);

/// `text` printable and in single quotes ('a b'): how every message quotes
/// what the user gave.
std::string in_quotes(std::string_view text);

/// The usage error of a literal of the other family than -4/-6 asked, or
/// empty when `host` fits `family` (AF_UNSPEC fits everything; names always fit).
std::string family_mismatch(const Host& host, int family);

}  // namespace nrapp
