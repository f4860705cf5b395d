#include "location.hpp"

#include <cctype>
#include <charconv>
#include <vector>

namespace fetch {

namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    return true;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> out;
    bool trailing_slash = false;
    std::size_t at = 1;  // past the leading '/'
    while (at <= path.size()) {
        std::size_t end = path.find('/', at);
        if (end == std::string_view::npos) end = path.size();
        std::string_view segment = path.substr(at, end - at);
        bool last = end == path.size();
        if (segment == ".") {
            trailing_slash = last;
        } else if (segment == "..") {
            if (!out.empty()) out.pop_back();
            trailing_slash = last;
        } else {
            out.push_back(segment);
            trailing_slash = false;
        }
        at = end + 1;
    }
    std::string result;
    for (auto s : out) result += "/" + std::string(s);
    if (trailing_slash || result.empty()) result += "/";
    return result;
}

// Splits "path?query" into a dot-free path with its query kept.
std::string normalize(std::string_view path_and_query) {
    auto q = path_and_query.find('?');
    std::string query = q == std::string_view::npos ? "" : std::string(path_and_query.substr(q));
    return remove_dot_segments(path_and_query.substr(0, q)) + query;
}

bool visible_ascii(std::string_view text) {
    for (unsigned char c : text)
        if (c <= 0x20 || c >= 0x7f) return false;
    return true;
}

// "host[:port]" or "[v6][:port]" of an http URL.
bool parse_authority(std::string_view authority, HttpTarget& target) {
    if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
    std::string_view host = authority, port;
    if (authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return false;
        host = authority.substr(1, close - 1);
        auto rest = authority.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            port = rest.substr(1);
        }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return false;
    target.host = std::string(host);
    target.port = 80;
    if (!port.empty()) {
        unsigned value = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535) return false;
        target.port = static_cast<std::uint16_t>(value);
    }
    return true;
}

}  // namespace

std::string HttpTarget::url() const {
    std::string text = "http://";
    text += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != 80) text += ":" + std::to_string(port);
    return text + path;
}

std::string without_fragment(std::string_view path) { return std::string(path.substr(0, path.find('#'))); }

std::variant<HttpTarget, LocationError> resolve_location(const HttpTarget& base, std::string_view location) {
    auto malformed = [&](const std::string& why) {
        return LocationError{"EPROTO", "cannot follow Location \"" + std::string(location) + "\": " + why};
    };
    if (!visible_ascii(location)) return malformed("not visible ASCII");
    std::string_view ref = location.substr(0, location.find('#'));
    HttpTarget target = base;
    // A scheme: letters, digits, + - . before the first ':' (and before any '/', '?').
    auto colon = ref.find(':');
    auto first_delim = ref.find_first_of("/?");
    if (colon != std::string_view::npos && colon > 0 && (first_delim == std::string_view::npos || colon < first_delim) &&
        std::isalpha(static_cast<unsigned char>(ref[0]))) {
        if (starts_with_ci(ref, "https:"))
            return LocationError{"EPROTONOSUPPORT",
                                 "redirect to " + std::string(location) + ": https is not supported (no TLS)"};
        if (!starts_with_ci(ref, "http:"))
            return LocationError{"EPROTONOSUPPORT", "redirect to " + std::string(location) +
                                                        ": only http:// URLs can be followed"};
        ref.remove_prefix(5);
        if (!ref.starts_with("//")) return malformed("an http URL needs //host");
    }
    if (ref.starts_with("//")) {
        ref.remove_prefix(2);
        auto end = ref.find_first_of("/?");
        if (!parse_authority(ref.substr(0, end), target)) return malformed("bad host or port");
        ref = end == std::string_view::npos ? std::string_view() : ref.substr(end);
        target.path = ref.empty() ? "/" : ref.front() == '?' ? "/" + std::string(ref) : normalize(ref);
        return target;
    }
    if (ref.empty()) return target;  // "same document"
    std::string base_path = base.path.substr(0, base.path.find('?'));
    if (ref.front() == '/') {
        target.path = normalize(ref);
    } else if (ref.front() == '?') {
        target.path = base_path + std::string(ref);
    } else {
        std::string merged = base_path.substr(0, base_path.rfind('/') + 1) + std::string(ref);
        target.path = normalize(merged);
    }
    return target;
}

}  // namespace fetch
