// http:// URLs for nr-fetch (RFC 3986 and RFC 9110 section 4.2): what curl
// users type. https:// is refused with a clear reason until TLS exists.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "host.hpp"
#include "parsed.hpp"

namespace nrapp {

struct HttpUrl {
    Host host;
    /// The port written in the URL; nullopt for the default (80).
    std::optional<std::uint16_t> port;
    /// The request target: path and query, never the fragment ("/" when the URL has no path).
    std::string target;
};

/// True when `text` starts like a URL ("scheme://"), whatever the scheme.
bool looks_like_url(std::string_view text);

/// Reads "http://HOST[:PORT][/PATH][?QUERY][#FRAGMENT]"; the fragment is
/// dropped (it is never sent, RFC 9110 section 7.1). An IPv6 host goes in
/// brackets, its zone as "%25zone" (RFC 6874) or "%zone".
Parsed<HttpUrl> parse_http_url(std::string_view text);

/// Reads a request target given on its own (--path): "/" then visible ASCII
/// only (nothing that could split the request line); the fragment is dropped.
Parsed<std::string> parse_request_target(std::string_view text);

}  // namespace nrapp
