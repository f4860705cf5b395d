// netreactor: asynchronous DNS (c-ares) driven by the same Loop.
//
// Ownership and threads: a Resolver belongs to one Loop and is used on that
// loop's thread. Callbacks run on the loop thread, possibly synchronously
// inside the call that submits the query (a bad name, a numeric address, an
// answer from the hosts file). Destroying the Resolver (even from inside one
// of its callbacks) drops every pending query: their callbacks are never
// called. cancel_all() instead completes them with ECANCELED.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"

namespace netreactor {

class Loop;

struct ResolverOptions {
    // "IP", "IP:PORT", "[IPv6]:PORT". Empty: the system's configuration.
    std::vector<std::string> servers;
    // Per try; c-ares' own default (5 s x 4 tries) makes a dead server cost a
    // minute, so ours is short.
    std::chrono::milliseconds timeout{2000};
    int tries = 2;
    // Read the hosts file (/etc/hosts) before asking DNS.
    bool use_hosts_file = true;
};

// The result of lookup_addresses: A and AAAA merged, as getaddrinfo does.
struct AddressLookup {
    std::string name;
    std::vector<SocketAddress> addresses;  // port as given to lookup_addresses
    std::vector<std::string> cname_chain;  // aliases followed, in order
    std::optional<Error> error;            // operation "resolve": NXDOMAIN, NODATA, ETIMEDOUT...
};

class Resolver {
public:
    using AddressCallback = std::function<void(AddressLookup result)>;

    // Throws SystemError (code EINVAL) for a malformed server address.
    Resolver(Loop& loop, const ResolverOptions& options = {});
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // Looks up the addresses of `name` for `family` (AF_INET, AF_INET6 or
    // AF_UNSPEC for both). A numeric address answers at once without a query.
    void lookup_addresses(std::string_view name, int family, std::uint16_t port, AddressCallback callback);

    // Completes every pending query now with error ECANCELED.
    void cancel_all();
    // Queries submitted and not yet completed.
    std::size_t pending() const noexcept;
    // The servers in use, as "IP:PORT" / "[IPv6]:PORT".
    std::vector<std::string> servers() const;

    struct Impl;

private:
    Impl* impl_;  // freed once the c-ares channel and the loop handles are closed
};

}  // namespace netreactor
