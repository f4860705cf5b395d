#include "target.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "netreactor/resolver.hpp"

namespace echo_client {

namespace {

using netreactor::Error;
using netreactor::SocketAddress;

bool is_localhost(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (!name.empty() && name.back() == '.') name.pop_back();
    return name == "localhost";
}

std::variant<SocketAddress, Error> look_up(netreactor::Loop& loop, const std::string& host, std::uint16_t port,
                                           int family, const std::vector<std::string>& dns_servers) {
    netreactor::ResolverOptions options;
    options.servers = dns_servers;
    std::optional<netreactor::AddressLookup> answer;
    try {
        netreactor::Resolver resolver(loop, options);
        resolver.lookup_addresses(host, family, port, [&](netreactor::AddressLookup result) { answer = std::move(result); });
        while (!answer) loop.run_once(true);
    } catch (const netreactor::SystemError& e) {
        return Error("EUSAGE", "--dns-server: " + e.error().message() + " (see --help)", "arguments");
    }
    if (answer->error) return *answer->error;
    auto& found = answer->addresses;
    // The echo server listens on 127.0.0.1 by default: prefer IPv4 unless -6.
    auto v4 = std::find_if(found.begin(), found.end(), [](const SocketAddress& a) { return !a.is_ipv6(); });
    if (v4 != found.end()) return *v4;
    if (!found.empty()) return found.front();
    return Error("NODATA", host + " has no address", "resolve");
}

}  // namespace

std::variant<SocketAddress, Error> resolve_target(netreactor::Loop& loop, const std::string& host, std::uint16_t port,
                                                  int family, const std::vector<std::string>& dns_servers) {
    std::string ip = host;
    if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    if (auto address = SocketAddress::parse(ip, port)) {
        if (family != AF_UNSPEC && address->family() != family) {
            return Error("EUSAGE",
                         "--host " + host + " is not an " + (family == AF_INET6 ? "IPv6" : "IPv4") + " address (see --help)",
                         "arguments");
        }
        return *address;
    }
    if (is_localhost(host)) return *SocketAddress::parse(family == AF_INET6 ? "::1" : "127.0.0.1", port);
    return look_up(loop, host, port, family, dns_servers);
}

}  // namespace echo_client
