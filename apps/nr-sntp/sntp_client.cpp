#include "sntp_client.hpp"

namespace sntpc {

using netreactor::Error;
using netreactor::SocketAddress;

namespace {

const char* family_name(int family) { return family == AF_INET ? "IPv4" : "IPv6"; }

}  // namespace

SntpClient::SntpClient(netreactor::Loop& loop, const ClientConfig& config, Reporter& reporter)
    : loop_(loop), config_(config), reporter_(reporter) {}

SntpClient::~SntpClient() = default;

void SntpClient::start() {
    pending_ = config_.servers.size();
    for (const ServerSpec& server : config_.servers) {
        if (auto numeric = SocketAddress::parse(server.host, server.port)) {
            if (config_.family != AF_UNSPEC && numeric->family() != config_.family) {
                reporter_.resolve_failed(server, Error("NODATA", server.host + " is not an " +
                                                                     family_name(config_.family) + " address",
                                                       "resolve"));
                one_done();
                continue;
            }
            on_addresses(server, {*numeric});
            continue;
        }
        if (!resolver_) {
            netreactor::ResolverOptions options;
            options.servers = config_.dns_servers;
            resolver_ = std::make_unique<netreactor::Resolver>(loop_, options);
        }
        resolver_->lookup_addresses(server.host, config_.family, server.port,
                                    [this, &server](netreactor::AddressLookup lookup) {
                                        if (lookup.error || lookup.addresses.empty()) {
                                            reporter_.resolve_failed(
                                                server, lookup.error ? *lookup.error
                                                                     : Error("NODATA", "the name has no address",
                                                                             "resolve"));
                                            one_done();
                                            return;
                                        }
                                        on_addresses(server, lookup.addresses);
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
    // Nothing left to ask: drop the resolver's handles so run() can return.
    resolver_.reset();
    loop_.stop();
}

}  // namespace sntpc
