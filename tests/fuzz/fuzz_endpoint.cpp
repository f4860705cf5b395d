// Fuzz target: the tools' one parser of host, endpoint and URL text
// (apps/common). Oracles: an accepted literal is a socket address that
// formats and parses back to itself; an accepted name holds only the bytes a
// host name may hold; a DNS server comes out as an endpoint that reads again;
// a URL resolved from the text as a Location formats and reads back to itself;
// a typed URL's path loses its dot segments exactly as a Location's does.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "endpoint.hpp"
#include "http_url.hpp"

namespace {

void check_host(const nrapp::Host& host) {
    if (host.is_literal()) {
        auto address = host.address(80);
        if (!address) std::abort();
        auto again = netreactor::SocketAddress::parse_endpoint(address->to_string(), 0);
        if (!again || !(*again == *address)) std::abort();
    } else {
        if (!nrapp::host_name_error(host.text).empty()) std::abort();
        for (unsigned char c : host.text)
            if (c <= 0x20 || c >= 0x7f || c == ':' || c == '%' || c == '/' || c == '@') std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto host = nrapp::parse_host(text)) check_host(*host);
    for (auto use : {nrapp::PortUse::peer, nrapp::PortUse::local}) {
        if (auto endpoint = nrapp::parse_endpoint(text, use)) {
            check_host(endpoint->host);
            if (use == nrapp::PortUse::peer && endpoint->port == 0) std::abort();
        }
    }
    if (auto server = nrapp::parse_dns_server(text)) {
        auto again = nrapp::parse_dns_server(*server);
        if (!again || *again != *server) std::abort();
    }
    if (auto url = nrapp::parse_http_url(text)) {
        check_host(url->host);
        if (url->target.empty() || url->target.front() != '/' || url->target.find('#') != std::string::npos) std::abort();
        // A typed URL loses its dot segments as the same path given as a
        // Location does, and --path-as-is keeps every byte: the as-is target,
        // resolved against the URL, is the typed target ("//x" would be a
        // network-path reference, another host: skipped).
        auto as_is = nrapp::parse_http_url(text, nrapp::DotSegments::keep);
        if (!as_is) std::abort();
        if (!as_is->target.starts_with("//")) {
            auto resolved = nrapp::resolve_reference(*as_is, as_is->target);
            auto* same = std::get_if<nrapp::HttpUrl>(&resolved);
            if (same == nullptr || same->target != url->target) std::abort();
        }
    }
    // The same bytes as a Location: whatever it resolves to is an http URL
    // whose text reads back to itself.
    static const nrapp::HttpUrl base = *nrapp::parse_http_url("http://a.test:8080/b/c/d;p?q");
    auto next = nrapp::resolve_reference(base, text);
    if (auto* url = std::get_if<nrapp::HttpUrl>(&next)) {
        check_host(url->host);
        auto again = nrapp::parse_http_url(url->text());
        if (!again || again->host.text != url->host.text || again->port_or_default() != url->port_or_default() ||
            again->target != url->target)
            std::abort();
    }
    return 0;
}
