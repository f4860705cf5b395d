// Every server of the command line at once: each resolved by
// netreactor::HostLookup (the connect-by-name rules the TCP tools use,
// without connecting), every address of a name queried concurrently, each by
// its own AddressSession, reported in RFC 8305 order.
#pragma once

#include <memory>
#include <vector>

#include "address_session.hpp"
#include "client_config.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/host_lookup.hpp"
#include "report.hpp"

namespace sntpc {

class SntpClient {
public:
    SntpClient(netreactor::Loop& loop, const ClientConfig& config, Reporter& reporter);
    ~SntpClient();
    // Starts every query; the loop's run() returns when all are done.
    // Throws netreactor::SystemError for a malformed --dns-server.
    void start();

private:
    void on_addresses(const ServerSpec& server, const std::vector<netreactor::SocketAddress>& addresses);
    void one_done();

    netreactor::Loop& loop_;
    const ClientConfig& config_;
    Reporter& reporter_;
    std::vector<std::unique_ptr<netreactor::HostLookup>> lookups_;
    std::vector<std::unique_ptr<AddressSession>> sessions_;
    std::size_t pending_ = 0;  // servers being resolved plus sessions running
};

}  // namespace sntpc
