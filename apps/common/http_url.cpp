#include "http_url.hpp"

#include <algorithm>
#include <cctype>

#include "endpoint.hpp"

namespace nrapp {

namespace {

std::string in_quotes(std::string_view text) { return "'" + printable(text) + "'"; }

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool visible_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

bool looks_like_url(std::string_view text) {
    auto sep = text.find("://");
    if (sep == std::string_view::npos || sep == 0) return false;
    return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(sep), [](unsigned char c) {
        return std::isalnum(c) || c == '+' || c == '-' || c == '.';
    });
}

Parsed<std::string> parse_request_target(std::string_view text) {
    if (auto hash = text.find('#'); hash != std::string_view::npos) text = text.substr(0, hash);
    if (text.empty() || text.front() != '/')
        return Parsed<std::string>::failure("the path must start with /: " + in_quotes(text));
    if (!visible_ascii(text))
        return Parsed<std::string>::failure("the path may hold only visible ASCII (spaces and control bytes "
                                            "percent-encoded): " + in_quotes(text));
    return std::string(text);
}

Parsed<HttpUrl> parse_http_url(std::string_view text) {
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
    auto target = parse_request_target(path);
    if (!target) return Parsed<HttpUrl>::failure(target.error());
    url.target = *target;
    return url;
}

}  // namespace nrapp
