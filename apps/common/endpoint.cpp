#include "endpoint.hpp"

#include <algorithm>

namespace nrapp {

std::string Endpoint::text(std::uint16_t default_port) const {
    return host.bracketed() + ":" + std::to_string(port.value_or(default_port));
}

Parsed<std::uint16_t> parse_port(std::string_view text, PortUse use) {
    if (text.empty()) return Parsed<std::uint16_t>::failure("the port is empty");
    bool digits = std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || text.size() > 5 || std::stoul(std::string(text)) > 65535)
        return Parsed<std::uint16_t>::failure("port " + in_quotes(text) + " is not a number from " +
                                             (use == PortUse::peer ? "1" : "0") + " to 65535");
    auto port = static_cast<std::uint16_t>(std::stoul(std::string(text)));
    if (port == 0 && use == PortUse::peer)
        return Parsed<std::uint16_t>::failure("port 0 is no peer's port (a peer listens on 1 to 65535)");
    return port;
}

Parsed<Endpoint> parse_endpoint(std::string_view text, PortUse use) {
    if (text.empty()) return Parsed<Endpoint>::failure("the address is empty");
    std::string_view host_text = text;
    std::optional<std::string_view> port_text;
    if (text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) return Parsed<Endpoint>::failure(in_quotes(text) + ": '[' without its closing ']'");
        host_text = text.substr(0, close + 1);
        auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return Parsed<Endpoint>::failure(in_quotes(text) + ": after ']' only ':PORT' may follow");
            port_text = rest.substr(1);
        }
    } else if (auto colon = text.find(':'); colon != std::string_view::npos) {
        if (text.find(':', colon + 1) == std::string_view::npos) {
            host_text = text.substr(0, colon);
            port_text = text.substr(colon + 1);
        }
        // Two colons or more: a bare IPv6 literal, which cannot carry a port.
    }
    auto host = parse_host(host_text);
    if (!host) {
        if (!port_text && text.front() != '[' && text.find(':') != std::string_view::npos)
            return Parsed<Endpoint>::failure(host.error() + " (an IPv6 address with a port goes in brackets: [::1]:80)");
        return Parsed<Endpoint>::failure(host.error());
    }
    Endpoint out{*host, std::nullopt};
    if (port_text) {
        auto port = parse_port(*port_text, use);
        if (!port) return Parsed<Endpoint>::failure(in_quotes(text) + ": " + port.error());
        out.port = *port;
    }
    return out;
}

Parsed<std::string> parse_dns_server(std::string_view text) {
    auto endpoint = parse_endpoint(text, PortUse::peer);
    if (!endpoint) return Parsed<std::string>::failure(endpoint.error());
    if (!endpoint->host.is_literal())
        return Parsed<std::string>::failure(in_quotes(text) + ": a DNS server is a numeric IP address, not a name");
    if (!endpoint->host.zone.empty())
        return Parsed<std::string>::failure(in_quotes(text) + ": a DNS server address cannot carry a zone (%" +
                                            printable(endpoint->host.zone) + "): the resolver has no use for it");
    return endpoint->host.address(endpoint->port.value_or(53))->to_string();
}

}  // namespace nrapp
