/// @file
/// @brief netreactor::HostLookup: a host's addresses in RFC 8305 order, for
/// protocols that choose an address themselves (UDP, SNTP...).
///
/// The same rules as TcpConnector, without connecting: literals (brackets and
/// RFC 4007 zones allowed) answer at once, the hosts file comes before DNS,
/// AAAA and A are asked together, the addresses alternate families IPv6
/// first, and the errors are the same (BADNAME, EAFNOSUPPORT for a literal of
/// the other family, NXDOMAIN, NODATA "HOST has no IPv4 address"...).
#pragma once

#include "netreactor/export.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/socket.h>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"
#include "netreactor/resolver.hpp"

namespace netreactor {

class Loop;

/// What HostLookup asks. A plain value.
struct HostLookupOptions {
    /// AF_UNSPEC (both families), AF_INET (`-4`) or AF_INET6 (`-6`).
    int family = AF_UNSPEC;
    /// Limit for the whole lookup; zero: the resolver's own tries and timeouts.
    std::chrono::milliseconds deadline{0};
    /// DNS servers, hosts file use, per-try limits.
    ResolverOptions resolver;
};

/// The result of HostLookup::start. A plain value.
struct HostAddresses {
    std::string host;                      ///< the host as given
    std::vector<SocketAddress> addresses;  ///< RFC 8305 order, the port set; empty on failure
    std::optional<Error> error;            ///< operation "resolve"; set exactly when `addresses` is empty
    double elapsed_ms = 0;                 ///< from start() to the result
};

/// Resolves a host to its addresses, ordered as TcpConnector would try them.
///
/// **Ownership:** the program owns it; not copyable or movable. Destroying it
/// (also inside its callback) or cancel() ends the lookup: no callback follows.
/// The Loop must outlive it.
///
/// **Threads:** loop thread only; the callback runs on the loop, never inside
/// start().
class NETREACTOR_API HostLookup {
public:
    /// Receives the result, once per start().
    using Callback = std::function<void(HostAddresses)>;

    /// An idle lookup on `loop`.
    explicit HostLookup(Loop& loop, HostLookupOptions options = {});
    /// Cancels what is in progress (no callback follows).
    ~HostLookup();
    HostLookup(const HostLookup&) = delete;
    HostLookup& operator=(const HostLookup&) = delete;

    /// Looks `host` up; the addresses carry `port`. A start() while another is
    /// in progress cancels that one. Throws SystemError (EINVAL) for a
    /// malformed DNS server when the host needs DNS.
    void start(std::string_view host, std::uint16_t port, Callback done);
    /// Ends the lookup in progress without calling its callback.
    void cancel();
    /// True between start() and the callback.
    bool active() const noexcept;

    /// The hidden implementation; defined in the library.
    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace netreactor
