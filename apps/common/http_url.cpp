#include "http_url.hpp"

#include <algorithm>
#include <cctype>

#include "endpoint.hpp"

namespace nrapp {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool visible_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

// RFC 3986 section 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool is_scheme(std::string_view text) {
    if (text.empty() || !std::isalpha(static_cast<unsigned char>(text.front()))) return false;
    return std::all_of(text.begin(), text.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '-' || c == '.';
    });
}

// Removes the last segment and its '/' from `out` (section 5.2.4, 2C).
void drop_last_segment(std::string& out) {
    auto slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
}

// RFC 3986 section 5.2.4, step by step as the RFC writes it.
std::string remove_dot_segments(std::string_view in) {
    std::string out;
    while (!in.empty()) {
        if (in.starts_with("../")) {
            in.remove_prefix(3);
        } else if (in.starts_with("./")) {
            in.remove_prefix(2);
        } else if (in.starts_with("/./")) {
            in.remove_prefix(2);  // "/./g" -> "/g"
        } else if (in == "/.") {
            in = "/";
        } else if (in.starts_with("/../")) {
            in.remove_prefix(3);  // "/../g" -> "/g"
            drop_last_segment(out);
        } else if (in == "/..") {
            in = "/";
            drop_last_segment(out);
        } else if (in == "." || in == "..") {
            in = {};
        } else {
            auto end = in.find('/', 1);
            if (end == std::string_view::npos) end = in.size();
            out.append(in.substr(0, end));
            in.remove_prefix(end);
        }
    }
    return out.empty() ? "/" : out;
}

// A request target "path?query" with the dot segments of its path removed.
std::string without_dot_segments(std::string_view target) {
    auto q = target.find('?');
    std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q);
    return remove_dot_segments(target.substr(0, q)) + std::string(query);
}

}  // namespace

std::string HttpUrl::text() const {
    std::string authority = host.text;
    if (host.kind == HostKind::ipv6) {
        auto zone = authority.find('%');
        if (zone != std::string::npos) authority.insert(zone + 1, "25");
        authority = "[" + authority + "]";
    }
    if (port && *port != 80) authority += ":" + std::to_string(*port);
    return "http://" + authority + target;
}

bool looks_like_url(std::string_view text) {
    auto sep = text.find("://");
    if (sep == std::string_view::npos || sep == 0) return false;
    return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(sep), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '-' || c == '.';
    });
}

Parsed<std::string> parse_request_target(std::string_view text, DotSegments dots) {
    if (auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
    if (text.empty() || text.front() != '/')
        return Parsed<std::string>::failure("the path must start with /: " + in_quotes(text));
    if (!visible_ascii(text))
        return Parsed<std::string>::failure("the path may hold only visible ASCII (spaces and control bytes "
                                            "percent-encoded): " + in_quotes(text));
    return dots == DotSegments::remove ? without_dot_segments(text) : std::string(text);
}

Parsed<HttpUrl> parse_http_url(std::string_view text, DotSegments dots) {
    auto sep = text.find("://");
    if (!looks_like_url(text)) return Parsed<HttpUrl>::failure(in_quotes(text) + " is not a URL");
    std::string scheme = lower(text.substr(0, sep));
    if (scheme == "https")
        return Parsed<HttpUrl>::failure("https:// needs TLS, which nr-fetch does not speak yet; use an http:// URL");
    if (scheme != "http") return Parsed<HttpUrl>::failure("only http:// URLs are supported, not " + scheme + "://");
    std::string_view rest = text.substr(sep + 3);
    std::size_t authority_end = rest.find_first_of("/?#");
    if (authority_end == std::string_view::npos) authority_end = rest.size();
    std::string authority(rest.substr(0, authority_end));
    std::string_view target_text = rest.substr(authority_end);
    if (authority.empty()) return Parsed<HttpUrl>::failure(in_quotes(text) + ": the URL has no host");
    if (authority.find('@') != std::string::npos)
        return Parsed<HttpUrl>::failure(in_quotes(text) + ": user names and passwords in URLs are not supported");
    // RFC 6874: a zone in a URL is written %25zone.
    if (auto pct = authority.find("%25"); authority.front() == '[' && pct != std::string::npos) authority.erase(pct + 1, 2);
    // "http://host:/" has an empty port: the default (RFC 3986 section 3.2.3).
    if (authority.back() == ':' && authority.find(':') == authority.size() - 1) authority.pop_back();
    if (authority.size() > 1 && authority.back() == ':' && authority[authority.size() - 2] == ']') authority.pop_back();
    if (authority.front() != '[' && std::count(authority.begin(), authority.end(), ':') > 1)
        return Parsed<HttpUrl>::failure(in_quotes(text) + ": an IPv6 address in a URL goes in brackets: http://[::1]:8080/");
    auto endpoint = parse_endpoint(authority, PortUse::peer);
    if (!endpoint) return Parsed<HttpUrl>::failure(endpoint.error());
    if (auto hash = target_text.find('#'); hash != std::string_view::npos) target_text = target_text.substr(0, hash);
    std::string path = target_text.empty() || target_text.front() == '?' ? "/" + std::string(target_text)
                                                                          : std::string(target_text);
    HttpUrl url{endpoint->host, endpoint->port, {}};
    auto target = parse_request_target(path, dots);
    if (!target) return Parsed<HttpUrl>::failure(target.error());
    url.target = *target;
    return url;
}

std::variant<HttpUrl, ReferenceError> resolve_reference(const HttpUrl& base, std::string_view reference) {
    using Kind = ReferenceError::Kind;
    auto malformed = [](std::string why) { return ReferenceError{Kind::malformed, std::move(why)}; };
    if (!visible_ascii(reference)) return malformed("not visible ASCII (spaces and control bytes percent-encoded)");
    std::string_view ref = reference.substr(0, reference.find('#'));  // the fragment stays on the client

    // Section 4.2: a colon before the first '/' or '?' ends a scheme; a
    // relative reference cannot have one there.
    auto colon = ref.find(':');
    bool has_scheme = colon != std::string_view::npos && colon < ref.find_first_of("/?");
    std::optional<Parsed<HttpUrl>> absolute;
    if (has_scheme) {
        std::string scheme = lower(ref.substr(0, colon));
        if (!is_scheme(scheme)) return malformed("a relative reference cannot hold ':' in its first segment");
        if (scheme == "https")
            return ReferenceError{Kind::unsupported_scheme, "https:// needs TLS, which nr-fetch does not speak yet"};
        if (scheme != "http")
            return ReferenceError{Kind::unsupported_scheme, "only http:// URLs can be followed, not " + scheme + ":"};
        // Section 5.4.2 lets a parser read "http:g" as relative; we are strict.
        if (!ref.substr(colon + 1).starts_with("//")) return malformed("an http URL needs //host");
        absolute = parse_http_url(ref);
    } else if (ref.starts_with("//")) {
        absolute = parse_http_url("http:" + std::string(ref));  // network-path: the base's scheme
    }
    // Section 5.2.2: whatever the reference does not give comes from the base.
    HttpUrl target = base;
    if (absolute) {
        if (!*absolute) return malformed(absolute->error());
        target = std::move(**absolute);  // dot segments removed by parse_http_url
    } else if (ref.empty()) {
        // The base itself.
    } else if (ref.front() == '?') {
        target.target = base.target.substr(0, base.target.find('?')) + std::string(ref);
    } else if (ref.front() == '/') {
        target.target = without_dot_segments(ref);
    } else {
        // Section 5.2.3: merged with the base path up to its last '/'.
        std::string base_path = base.target.substr(0, base.target.find('?'));
        target.target = without_dot_segments(base_path.substr(0, base_path.rfind('/') + 1) + std::string(ref));
    }
    return target;
}

}  // namespace nrapp
