#include "target.hpp"

#include <algorithm>
#include <optional>

#include "connect_report.hpp"
#include "netreactor/host_lookup.hpp"

namespace echo_client {

using netreactor::Error;
using netreactor::SocketAddress;

std::optional<Error> family_mismatch(const std::string& host, int family) {
    std::string ip = host;
    if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    auto address = SocketAddress::parse(ip, 0);
    if (!address || family == AF_UNSPEC || address->family() == family) return std::nullopt;
    return Error("EUSAGE",
                 "--host " + host + " is not an " + (family == AF_INET6 ? "IPv6" : "IPv4") + " address (see --help)",
                 "arguments");
}

netreactor::ConnectOptions connect_options(int family, std::chrono::milliseconds timeout,
                                           const std::vector<std::string>& dns_servers) {
    netreactor::ConnectOptions options;
    options.family = family;
    options.deadline = timeout;
    options.resolver.servers = dns_servers;
    return options;
}

std::variant<SocketAddress, Error> resolve_target(netreactor::Loop& loop, const std::string& host, std::uint16_t port,
                                                  int family, std::chrono::milliseconds timeout,
                                                  const std::vector<std::string>& dns_servers) {
    if (auto mismatch = family_mismatch(host, family)) return *mismatch;
    netreactor::HostLookupOptions options;
    options.family = family;
    options.deadline = timeout;
    options.resolver.servers = dns_servers;
    std::optional<netreactor::HostAddresses> answer;
    try {
        netreactor::HostLookup lookup(loop, options);
        lookup.start(host, port, [&](netreactor::HostAddresses result) { answer = std::move(result); });
        while (!answer) loop.run_once(true);
    } catch (const netreactor::SystemError& e) {
        return Error("EUSAGE", "--dns-server: " + e.error().message() + " (see --help)", "arguments");
    }
    if (answer->error) return nrapp::in_option_words(*answer->error, answer->elapsed_ms, timeout, host, "--timeout");
    const auto& found = answer->addresses;
    auto v4 = std::find_if(found.begin(), found.end(), [](const SocketAddress& a) { return !a.is_ipv6(); });
    return v4 != found.end() ? *v4 : found.front();
}

}  // namespace echo_client
