#include "sntp_client.hpp"

#include "connect_report.hpp"

namespace sntpc {

using netreactor::SocketAddress;

SntpClient::SntpClient(netreactor::Loop& loop, const ClientConfig& config, Reporter& reporter)
    : loop_(loop), config_(config), reporter_(reporter) {}

SntpClient::~SntpClient() = default;

void SntpClient::start() {
    pending_ = config_.servers.size();
    netreactor::HostLookupOptions options;
    options.family = config_.family;
    options.resolver.servers = config_.dns_servers;
    // --timeout bounds the wait for a name's addresses too, as every tool's
    // limit covers its name lookup (nr-fetch's --connect-timeout,
    // nr-echo-client's --timeout): a mute DNS server costs S, not the
    // resolver's own tries.
    options.deadline = config_.timeout;
    for (const ServerSpec& server : config_.servers) {
        // The library's rules: literals at once, the hosts file before DNS,
        // AAAA and A together, addresses in RFC 8305 order, one error set.
        lookups_.push_back(std::make_unique<netreactor::HostLookup>(loop_, options));
        lookups_.back()->start(server.host, server.port, [this, &server](netreactor::HostAddresses found) {
            if (found.error) {
                reporter_.resolve_failed(server, nrapp::in_option_words(*found.error, found.elapsed_ms,
                                                                        config_.timeout, server.host, "--timeout"));
                one_done();
                return;
            }
            on_addresses(server, found.addresses);
        });
    }
}

void SntpClient::on_addresses(const ServerSpec& server, const std::vector<SocketAddress>& addresses) {
    pending_ += addresses.size() - 1;  // the server's own count becomes one per address
    for (const SocketAddress& address : addresses) {
        QueryLabel label{&server, address, 0, config_.samples};
        sessions_.push_back(std::make_unique<AddressSession>(loop_, config_, label, reporter_, [this] { one_done(); }));
        sessions_.back()->start();
    }
}

void SntpClient::one_done() {
    if (--pending_ > 0) return;
    // Nothing left to ask: drop the lookups' handles so run() can return.
    lookups_.clear();
    loop_.stop();
}

}  // namespace sntpc
