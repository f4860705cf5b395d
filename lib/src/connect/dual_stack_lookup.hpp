// Internal: the AAAA and A lookups of one host, started together, each
// family's addresses reported as they arrive (RFC 8305 section 3). Numeric
// literals, the hosts file and "localhost" answer without a query. The shared
// front half of TcpConnector and HostLookup.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"
#include "netreactor/resolver.hpp"
#include "netreactor/timer.hpp"

namespace netreactor {

class Loop;

class DualStackLookup {
public:
    // One arrival: new addresses of either family (the port set), and whether
    // more can come. `error` is set only on the last answer, when no address
    // at all was found (the connect_rules errors: BADNAME, EAFNOSUPPORT,
    // NXDOMAIN, NODATA, ETIMEDOUT...).
    struct Answer {
        std::vector<SocketAddress> v6;
        std::vector<SocketAddress> v4;
        bool complete = false;
        std::optional<Error> error;
    };
    // Called once per answer, the last with complete = true; never inside
    // start(). The callback may destroy the DualStackLookup.
    using Callback = std::function<void(Answer)>;

    // `family`: AF_UNSPEC (both), AF_INET or AF_INET6 (only that one asked).
    // Throws SystemError (EINVAL) for a malformed DNS server in `options`,
    // and only when `host` needs a resolver at all.
    DualStackLookup(Loop& loop, std::string_view host, std::uint16_t port, int family, const ResolverOptions& options,
                    Callback callback);
    // Cancels what is pending: no callback afterwards.
    ~DualStackLookup();
    DualStackLookup(const DualStackLookup&) = delete;
    DualStackLookup& operator=(const DualStackLookup&) = delete;

private:
    void run();
    void answer_now(std::vector<SocketAddress> found);
    void on_family(int family, AddressLookup lookup);
    // Hands `answer` to the callback; touches nothing afterwards (the callback
    // may have destroyed this object).
    void deliver(Answer answer);

    std::string host_;
    std::uint16_t port_;
    int family_;
    Callback callback_;
    std::optional<SocketAddress> literal_;
    std::unique_ptr<Resolver> resolver_;
    std::vector<DnsLookup> lookups_;  // the AAAA and A lookups in flight (destroyed first: canceled)
    Timer kick_;  // runs run() from the loop: nothing answers inside the constructor
    int outstanding_ = 0;
    bool found_any_ = false;
    std::vector<Error> failures_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace netreactor
