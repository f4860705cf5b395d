// http:// URLs for nr-fetch (RFC 3986 and RFC 9110 section 4.2): what curl
// users type, and where a Location field leads from the URL it came with.
// https:// is refused with a clear reason until TLS exists. Pure: text in,
// URL or reason out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "host.hpp"
#include "parsed.hpp"

namespace nrapp {

struct HttpUrl {
    Host host;
    /// The port written in the URL; nullopt for the default (80).
    std::optional<std::uint16_t> port;
    /// The request target: path and query, never the fragment ("/" when the URL has no path).
    std::string target = "/";

    /// The port to connect to: the one written, else 80.
    std::uint16_t port_or_default() const noexcept { return port.value_or(80); }
    /// "http://host[:port]/target": an IPv6 host in brackets, its zone as
    /// "%25zone" (RFC 6874), port 80 left out.
    std::string text() const;
};

/// What happens to the dot segments ("." and "..") of a path typed on the
/// command line. RFC 3986 section 5.2.4 removes them ("/a/./b/../c" is "/a/c")
/// and curl does so by default, as resolve_reference does for a Location;
/// `keep` sends the path exactly as typed (curl's --path-as-is), for servers
/// that want them or tests of how a server treats them. Only the path: the
/// query is never touched, and "%2E" is not a dot.
enum class DotSegments { remove, keep };

/// True when `text` starts like a URL ("scheme://"), whatever the scheme.
bool looks_like_url(std::string_view text);

/// Reads "http://HOST[:PORT][/PATH][?QUERY][#FRAGMENT]"; the fragment is
/// dropped (it is never sent, RFC 9110 section 7.1), the path's dot segments
/// as `dots` says. An IPv6 host goes in brackets, its zone as "%25zone"
/// (RFC 6874) or "%zone".
Parsed<HttpUrl> parse_http_url(std::string_view text, DotSegments dots = DotSegments::remove);

/// Reads a request target given on its own (--path): "/" then visible ASCII
/// only (nothing that could split the request line); the fragment is dropped,
/// the path's dot segments as `dots` says.
Parsed<std::string> parse_request_target(std::string_view text, DotSegments dots = DotSegments::remove);

/// Why a reference leads nowhere an http client can go.
struct ReferenceError {
    enum class Kind {
        unsupported_scheme,  ///< https:// (no TLS yet) or any scheme but http
        malformed,           ///< not a URI reference, or an http URL parse_http_url refuses
    };
    Kind kind;
    std::string message;  ///< why, in the project's words (the caller names the reference)
};

/// The URL a reference (a Location field value, RFC 9110 section 10.2.2)
/// leads to from `base`, as RFC 3986 section 5.2 resolves it: absolute http
/// URLs, network-path "//host/p", absolute paths, "?query", relative paths;
/// dot segments removed (section 5.2.4), the fragment dropped. Strict as
/// section 5.4.2 allows: "http:g" (a scheme without "//host") is malformed.
std::variant<HttpUrl, ReferenceError> resolve_reference(const HttpUrl& base, std::string_view reference);

}  // namespace nrapp
