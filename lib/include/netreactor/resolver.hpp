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
#include "netreactor/dns_record.hpp"
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

// The result of query() and reverse(): one question asked of the servers,
// exactly as given (no search domains appended, no hosts file).
struct DnsQueryResult {
    std::string name;        // the name asked
    std::uint16_t type = 0;  // the type asked
    // NOERROR: the answer section holds records of the type asked.
    // NODATA: the name exists but has no such records (an empty NOERROR).
    // NXDOMAIN, SERVFAIL, REFUSED, FORMERR, NOTIMP...: the server's rcode.
    // CNAME_LOOP: the answer leads through CNAMEs back to a name already seen.
    // TIMEOUT, CONNREFUSED: no answer; BADNAME: not sent (invalid name);
    // BADRESP: an answer we cannot decode; CANCELED: cancel_all().
    std::string status;
    std::optional<Error> error;          // set unless status is NOERROR (operation "resolve")
    std::optional<DnsMessage> message;   // the decoded answer, whenever one came
    std::string server;                  // "IP:PORT" that answered (the first configured one if none did)
    bool tcp = false;                    // the answer came over TCP (the UDP one was truncated)
    double rtt_ms = 0;                   // from submission to completion
};

class Resolver {
public:
    using AddressCallback = std::function<void(AddressLookup result)>;
    using QueryCallback = std::function<void(DnsQueryResult result)>;

    // Throws SystemError (code EINVAL) for a malformed server address.
    Resolver(Loop& loop, const ResolverOptions& options = {});
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    // Looks up the addresses of `name` for `family` (AF_INET, AF_INET6 or
    // AF_UNSPEC for both). A numeric address answers at once without a query.
    void lookup_addresses(std::string_view name, int family, std::uint16_t port, AddressCallback callback);

    // Asks the servers for records of `type` (a DnsType value or any other
    // number) at exactly `name`. An invalid name completes at once with BADNAME.
    void query(std::string_view name, std::uint16_t type, QueryCallback callback);
    // The PTR records of a numeric IPv4/IPv6 address (the in-addr.arpa or
    // ip6.arpa name); BADNAME at once if `ip` is not a numeric address.
    void reverse(std::string_view ip, QueryCallback callback);
    // The addresses the hosts file lists for `name` (empty when the options
    // turned the hosts file off). The file is read once, on first use.
    std::vector<SocketAddress> hosts_file_addresses(std::string_view name, int family = AF_UNSPEC);

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
