/// @file
/// @brief netreactor::TcpConnector: connect to a host by name, racing its
/// addresses as RFC 8305 (Happy Eyeballs v2) says.
///
/// A host is a numeric literal ("127.0.0.1", "::1", "[::1]", "fe80::1%eth0",
/// "[fe80::1%2]"), a name from the hosts file, or a DNS name asked of the
/// Resolver. For a name, the AAAA and A lookups start together; if A answers
/// first, the race waits up to the resolution delay (50 ms) for AAAA. The
/// addresses are tried alternating families, IPv6 first; a new attempt starts
/// every connection attempt delay (250 ms) or as soon as the previous one
/// fails, earlier attempts keep running, and the first to connect wins: the
/// others are closed and reported as canceled. One deadline bounds the whole
/// operation, lookups included.
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
#include "netreactor/tcp_connection.hpp"

namespace netreactor {

class Loop;

/// How TcpConnector::connect races. A plain value.
struct ConnectOptions {
    /// AF_UNSPEC for both families, AF_INET for IPv4 only (`-4`: no AAAA
    /// query, IPv6 literals refused), AF_INET6 for IPv6 only (`-6`).
    int family = AF_UNSPEC;
    /// RFC 8305 "Connection Attempt Delay": how long an attempt runs alone
    /// before the next address is tried too (the RFC's default, 250 ms; it
    /// recommends no less than 100 ms and no more than 2 s).
    std::chrono::milliseconds attempt_delay{250};
    /// RFC 8305 "Resolution Delay": how long to wait for AAAA once A has
    /// answered first.
    std::chrono::milliseconds resolution_delay{50};
    /// Limit for each attempt by itself; zero: the kernel's own (minutes).
    std::chrono::milliseconds attempt_timeout{0};
    /// Limit for the whole operation, from connect() to the outcome, lookups
    /// included; zero: none. When it passes, the outcome is ETIMEDOUT.
    std::chrono::milliseconds deadline{0};
    /// The DNS servers, hosts file use and per-try limits of the lookups.
    ResolverOptions resolver;
};

/// One connection attempt, as the outcome reports it. A plain value.
struct ConnectAttemptReport {
    SocketAddress address;       ///< the address tried (port included)
    std::optional<Error> error;  ///< why it lost; nullopt for the winner. "ECANCELED" when another address won
    double started_ms = 0;       ///< from connect() to this attempt's start
    double elapsed_ms = 0;       ///< from this attempt's start to its outcome
};

/// The result of TcpConnector::connect.
struct NETREACTOR_API ConnectOutcome {
    std::string host;                          ///< the host as given
    std::uint16_t port = 0;                    ///< the port as given
    std::vector<SocketAddress> addresses;      ///< every address learnt: tried ones in attempt order, then the rest
    std::vector<ConnectAttemptReport> attempts;///< every attempt, in the order started
    /// The winning connection, or null on failure. Its handler is the one
    /// given to connect(), and it is reading.
    std::unique_ptr<TcpConnection> connection;
    /// Why there is no connection. Operation "resolve" when no address was
    /// found (BADNAME, EAFNOSUPPORT for a literal of the other family,
    /// NXDOMAIN, NODATA...), "connect" when every attempt failed (with one
    /// attempt its own error; with several the last one's code and a message
    /// listing each), ETIMEDOUT when the deadline passed.
    std::optional<Error> error;
    /// From connect() to the first attempt's start (lookups plus any
    /// resolution delay); nullopt when no attempt started.
    std::optional<double> first_attempt_ms;
    double elapsed_ms = 0;  ///< from connect() to the outcome

    /// The winning attempt, or null.
    const ConnectAttemptReport* winner() const noexcept;
};

/// Connects to a host by name and port, racing its addresses (RFC 8305).
///
/// ```cpp
/// TcpConnector connector(loop);
/// connector.connect("example.test", 80, handler, [&](ConnectOutcome out) {
///     if (out.connection) conn = std::move(out.connection);  // events now go to `handler`
///     else std::puts(out.error->describe().c_str());
/// });
/// ```
///
/// **Ownership:** the program owns the connector (a member or a
/// std::unique_ptr); it is neither copyable nor movable. It owns the lookups,
/// the attempts' connections and its timers until the outcome; the outcome
/// hands the winning connection to the callback, which then owns it.
/// Destroying the connector (also inside its own callback) or calling
/// cancel() ends everything in progress: no callback follows. The Loop must
/// outlive the connector; `handler` must outlive the winning connection.
///
/// **Threads:** every member is called on the loop's thread; the callback
/// runs there, always from the loop, never inside connect().
class NETREACTOR_API TcpConnector {
public:
    /// The function that receives the outcome, once per connect().
    using Callback = std::function<void(ConnectOutcome)>;

    /// An idle connector on `loop`.
    explicit TcpConnector(Loop& loop, ConnectOptions options = {});
    /// Cancels what is in progress (no callback follows).
    ~TcpConnector();
    TcpConnector(const TcpConnector&) = delete;
    TcpConnector& operator=(const TcpConnector&) = delete;

    /// Starts connecting to `host` (see the file comment for the forms) on
    /// `port`. `done` receives the outcome later, from the loop. A connect()
    /// while another is in progress cancels that one first (its callback is
    /// not called). The handler receives no on_connected: `done` is the
    /// connect event; afterwards its methods run as for any connection.
    ///
    /// Throws SystemError (code EINVAL) when a DNS server in the options is
    /// malformed and the host needs a lookup.
    void connect(std::string_view host, std::uint16_t port, ConnectionHandler& handler, Callback done);
    /// Ends the connect in progress, if any, without calling its callback.
    void cancel();
    /// True between connect() and the callback (or cancel()).
    bool active() const noexcept;
    /// The options in use.
    const ConnectOptions& options() const noexcept;

    /// The hidden implementation; defined in the library.
    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace netreactor
