/// @file
/// @brief netreactor::Resolver: asynchronous DNS (c-ares) driven by the same Loop.
///
/// Every lookup returns a DnsLookup handle: keep it to keep the lookup going,
/// destroy it or call cancel() to cancel that one lookup (its callback then
/// never runs). A callback never runs inside the call that started its lookup:
/// even a bad name, a numeric address or a hosts-file answer is delivered from
/// the loop afterwards, as Asio does. Each lookup can carry its own deadline,
/// which the library holds with its own timer whatever the per-try timeout and
/// the number of tries are.
#pragma once

#include "netreactor/export.hpp"

#include <chrono>
#include <cstdint>
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
struct DnsLookupState;

/// How a lookup ended. Turn it into text only where it is written out (one
/// to_string()); compare the enum everywhere else.
enum class DnsStatus : std::uint8_t {
    NoError,     ///< NOERROR: records of the type asked (or addresses) came back
    NoData,      ///< NODATA: the name exists but has no such records (an empty NOERROR)
    NxDomain,    ///< NXDOMAIN: the name does not exist
    FormErr,     ///< FORMERR: the server could not parse the question
    ServFail,    ///< SERVFAIL
    NotImp,      ///< NOTIMP
    Refused,     ///< REFUSED
    YxDomain,    ///< YXDOMAIN (rcode 6)
    YxRrset,     ///< YXRRSET (rcode 7)
    NxRrset,     ///< NXRRSET (rcode 8)
    NotAuth,     ///< NOTAUTH (rcode 9)
    NotZone,     ///< NOTZONE (rcode 10)
    OtherRcode,  ///< RCODE: any other response code (the message has the number)
    CnameLoop,   ///< CNAME_LOOP: the answer leads through CNAMEs back to a name already seen
    Timeout,     ///< TIMEOUT: no answer within the tries or the lookup's deadline
    NoServer,    ///< NOSERVER: no server could be contacted (every one refused or failed); code ENOSERVER
    Truncated,   ///< TRUNCATED: the UDP answer was truncated and the retry over TCP failed
    BadName,     ///< BADNAME: not a valid name (or not a numeric address for reverse()); nothing was sent
    BadResp,     ///< BADRESP: an answer to this question came but cannot be decoded
    Canceled,    ///< CANCELED: Resolver::cancel_all()
    NoMemory,    ///< ENOMEM: out of memory
    Failed,      ///< EDNS: any other local failure of the resolver library
};

/// "NOERROR", "NODATA", "TIMEOUT", "NOSERVER"...: the text the tools print.
NETREACTOR_API std::string_view to_string(DnsStatus status) noexcept;

/// The Error code a failed lookup carries: the status itself for DNS answers
/// ("NXDOMAIN", "SERVFAIL"...), "ETIMEDOUT" for Timeout, "ENOSERVER" for
/// NoServer, "ECANCELED" for Canceled; "" for NoError. (Truncated carries the
/// code of what the TCP retry met instead: "EOF", "ECONNREFUSED"...)
NETREACTOR_API std::string_view error_code(DnsStatus status) noexcept;

/// The DnsStatus a response code maps to (0 is NoError).
NETREACTOR_API DnsStatus status_from_rcode(int rcode) noexcept;

/// How a Resolver asks.
struct ResolverOptions {
    /// "IP", "IP:PORT", "[IPv6]:PORT". Empty: the system's configuration.
    /// Port 0 and scoped or link-local IPv6 addresses are rejected (EINVAL):
    /// c-ares cannot send to an interface zone.
    std::vector<std::string> servers;
    /// The wait for one try. c-ares doubles it each round over the servers;
    /// its own default (5 s x 4 tries) makes a dead server cost a minute, so
    /// ours is short.
    std::chrono::milliseconds timeout{2000};
    /// How many times each server is asked (rounds over the servers).
    int tries = 2;
    /// The deadline of every lookup that does not give its own: it completes
    /// with TIMEOUT by then at the latest, whatever `timeout` and `tries` are.
    /// Zero: no deadline beyond c-ares' own schedule of tries.
    std::chrono::milliseconds deadline{0};
    /// Read the hosts file (/etc/hosts) before asking DNS (lookup_addresses only).
    bool use_hosts_file = true;
    /// Keep the additional section of answers to query() and reverse()
    /// (DnsQueryResult::message->additional). false: it is still checked but
    /// left empty, for programs that never read it (see DnsParseOptions).
    bool keep_additional_section = true;
};

/// The result of lookup_addresses(): A and AAAA merged, as getaddrinfo does.
struct AddressLookup {
    std::string name;                      ///< the name asked, exactly
    std::vector<SocketAddress> addresses;  ///< with the port given to lookup_addresses
    std::vector<std::string> cname_chain;  ///< aliases followed, in order
    DnsStatus status = DnsStatus::NoError;  ///< NoError exactly when `addresses` is not empty
    std::optional<Error> error;            ///< set unless NoError; operation "resolve", code error_code(status)
};

/// The result of query() and reverse(): one question asked of the servers,
/// exactly as given (no search domains appended, no hosts file).
struct DnsQueryResult {
    std::string name;        ///< the name asked, exactly as given (for reverse(): the PTR name)
    std::uint16_t type = 0;  ///< the type asked
    DnsStatus status = DnsStatus::NoError;  ///< see DnsStatus
    std::optional<Error> error;          ///< set unless status is NoError (operation "resolve")
    std::optional<DnsMessage> message;   ///< the decoded answer, whenever one came
    std::string server;                  ///< "IP:PORT" that answered (the first configured one if none did)
    bool tcp = false;                    ///< asked over TCP (the UDP answer was truncated)
    double rtt_ms = 0;                   ///< from submission to completion
};

// Exported; declared apart because GCC takes no GNU attribute after [[nodiscard]].
class NETREACTOR_API DnsLookup;

/// One lookup in flight, owned by whoever started it.
///
/// **Ownership:** move-only. Destroying the handle, assigning another lookup
/// to it or calling cancel() cancels the lookup: its callback never runs
/// afterwards (not even with a canceled status). detach() lets the lookup run
/// on without a handle. The handle may outlive its Resolver (it is then
/// inactive); a default-constructed handle holds nothing.
///
/// **Threads:** the loop's thread only, like the Resolver.
class [[nodiscard]] DnsLookup {
public:
    /// A handle that holds no lookup.
    DnsLookup() noexcept = default;
    /// Cancels the lookup if it is still pending.
    ~DnsLookup();
    /// Takes over `other`'s lookup; `other` then holds none.
    DnsLookup(DnsLookup&& other) noexcept;
    /// Cancels this handle's own lookup (if pending), then takes over `other`'s.
    DnsLookup& operator=(DnsLookup&& other) noexcept;
    DnsLookup(const DnsLookup&) = delete;
    DnsLookup& operator=(const DnsLookup&) = delete;

    /// Cancels the lookup: its callback will not run. Safe to call at any
    /// time, inside any callback, and more than once.
    void cancel() noexcept;
    /// Lets the lookup complete without this handle (the callback still runs,
    /// unless the Resolver is destroyed first); the handle then holds nothing.
    void detach() noexcept;
    /// True while the lookup's callback is still to run.
    bool pending() const noexcept { return state_ != nullptr; }

private:
    friend class Resolver;
    friend struct DnsLookupState;
    explicit DnsLookup(DnsLookupState* state) noexcept;
    DnsLookupState* state_ = nullptr;
};

/// A c-ares channel on a Loop: address lookups, questions of any type, reverse lookups.
///
/// **Ownership:** the program owns the Resolver; it belongs to one Loop and
/// must be destroyed before it. It owns the c-ares channel, its sockets, and a
/// copy of every pending lookup's callback. Destroying it (even from inside one
/// of its callbacks) drops every pending lookup: their callbacks never run and
/// their handles become inactive. cancel_all() instead completes them with
/// Canceled. c-ares 1.18 cannot abandon one query: a canceled or timed-out
/// lookup's query may still be retried in the background (never reported)
/// until no lookup is left, when the library cancels them all in c-ares.
///
/// **Threads:** the loop's thread only; every callback runs on it, from the
/// loop, never inside the call that started the lookup.
class NETREACTOR_API Resolver {
public:
    using AddressCallback = std::function<void(AddressLookup result)>;
    using QueryCallback = std::function<void(DnsQueryResult result)>;

    /// Throws SystemError with code EINVAL for a malformed server address
    /// (port 0, a scoped or link-local IPv6 address included).
    explicit Resolver(Loop& loop, const ResolverOptions& options = {});
    /// Drops every pending lookup (see the class comment).
    ~Resolver();
    Resolver(const Resolver&) = delete;
    Resolver& operator=(const Resolver&) = delete;

    /// Looks up the addresses of `name` for `family` (AF_INET, AF_INET6 or
    /// AF_UNSPEC for both), the hosts file first if the options say so. A
    /// numeric address answers without a query (still from the loop).
    /// `deadline` zero: the options' deadline.
    DnsLookup lookup_addresses(std::string_view name, int family, std::uint16_t port, AddressCallback callback,
                               std::chrono::milliseconds deadline = std::chrono::milliseconds{0});

    /// Asks the servers for records of `type` (a DnsType value or any other
    /// number; 255 is ANY) at exactly `name`, in presentation format: `\.`,
    /// `\\`, `\X` and `\DDD` escapes are read as RFC 1035 says. An invalid name
    /// (a raw NUL byte, an empty or overlong label, a bad escape) completes
    /// with BadName and nothing is sent. `deadline` zero: the options' deadline.
    DnsLookup query(std::string_view name, std::uint16_t type, QueryCallback callback,
                    std::chrono::milliseconds deadline = std::chrono::milliseconds{0});
    /// The PTR records of a numeric IPv4/IPv6 address (the in-addr.arpa or
    /// ip6.arpa name); BadName if `ip` is not a numeric address.
    DnsLookup reverse(std::string_view ip, QueryCallback callback,
                      std::chrono::milliseconds deadline = std::chrono::milliseconds{0});
    /// The addresses the hosts file lists for `name` (empty when the options
    /// turned the hosts file off). The file is read once, on first use. Synchronous.
    std::vector<SocketAddress> hosts_file_addresses(std::string_view name, int family = AF_UNSPEC);

    /// Gives back a result the caller has finished with, so that later
    /// query() and reverse() calls reuse its storage (the capacity of its
    /// name and of its message's strings and record vectors) instead of
    /// allocating their own: for programs that ask many questions and read
    /// each answer once. Optional; the result is taken (moved from) and none
    /// of its contents ever reach another result: a later answer overwrites
    /// every field it reuses, and a lookup without an answer gets no message.
    /// The Resolver keeps a bounded number of spent results (the rest are
    /// freed here).
    void recycle(DnsQueryResult&& spent) noexcept;

    /// Completes every pending lookup with Canceled (from the loop, after
    /// this call returns). Lookups started afterwards are not affected.
    void cancel_all();
    /// Lookups started whose callback has neither run nor been canceled.
    std::size_t pending() const noexcept;
    /// The servers in use, as "IP:PORT" / "[IPv6]:PORT".
    std::vector<std::string> servers() const;

    /// The hidden implementation (library sources only).
    struct Impl;

private:
    Impl* impl_;  // freed once the c-ares channel and the loop handles are closed
};

}  // namespace netreactor
