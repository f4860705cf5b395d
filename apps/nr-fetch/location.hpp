// Where a redirect leads: an http URL split into what nr-fetch needs, and a
// Location field value resolved against the URL it came from (RFC 9110
// section 10.2.2, RFC 3986 section 5.2). Pure: text in, target or error out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace fetch {

struct HttpTarget {
    std::string host;  // name or numeric address, no brackets
    std::uint16_t port = 80;
    std::string path = "/";  // path and query; never a fragment

    // "http://host[:port]/path", IPv6 hosts in brackets, port 80 left out.
    std::string url() const;
};

// Why a Location cannot be followed: `code` is EPROTONOSUPPORT for https://
// (no TLS yet) and any other scheme, EPROTO for a malformed value.
struct LocationError {
    std::string code;
    std::string message;
};

// The target `location` points to from `base`: absolute http URLs,
// scheme-relative "//host/p", absolute paths, "?query" and relative paths
// (dot segments removed). The fragment is dropped.
std::variant<HttpTarget, LocationError> resolve_location(const HttpTarget& base, std::string_view location);

// The request target to send for `path`: everything before a '#' (a
// fragment is for the client only and never goes on the wire).
std::string without_fragment(std::string_view path);

}  // namespace fetch
