/// @file
/// @brief DNS messages as plain values, and the walker that reads them.
///
/// parse_dns_message() turns the raw bytes of a DNS response into a DnsMessage:
/// header flags and rcode, the question, and every record of the answer,
/// authority and additional sections with its owner name, numeric TTL, a
/// presentation string and typed fields. It never reads outside the bytes it is
/// given, follows at most 50 compression pointers per name (c-ares 1.18's rules
/// for names, kept exactly), and reports malformed input as an Error (code
/// "BADRESP"). It is the one module that decodes DNS answers; it is fuzzed on
/// its own.
///
/// Names are in RFC 1035 presentation format, without the trailing dot
/// ("www.example.com"; the root is "."): a dot or a backslash inside a label
/// as `\.` and `\\`, a space and every byte outside printable ASCII as `\DDD`
/// (decimal). What is printed can be given back to Resolver::query().
///
/// **Ownership:** every type here is a plain value (copyable, movable, owning
/// its strings); the functions keep nothing.
///
/// **Threads:** no shared state: any thread may use these functions and values
/// (each value from one thread at a time, as any standard container).
#pragma once

#include "netreactor/export.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "netreactor/error.hpp"

namespace netreactor {

/// The record types the library decodes into fields (others keep raw bytes),
/// and ANY (255), a question type only.
enum class DnsType : std::uint16_t {
    A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33, OPT = 41, ANY = 255, CAA = 257,
};

/// "A", "MX", "ANY"... or "TYPE65" (RFC 3597) for a type without a mnemonic.
NETREACTOR_API std::string dns_type_name(std::uint16_t type);
/// "A", "MX", "ANY"... for a type with a mnemonic, "" for the others: the
/// same text as dns_type_name() without building a string.
NETREACTOR_API std::string_view dns_type_mnemonic(std::uint16_t type) noexcept;
/// Parses "A", "mx", "ANY", "TYPE65" (any case); nullopt if unknown or above 65535.
NETREACTOR_API std::optional<std::uint16_t> dns_type_from_name(std::string_view name);
/// "NOERROR", "SERVFAIL"... or "RCODE12".
NETREACTOR_API std::string dns_rcode_name(int rcode);

/// A, AAAA: the address as text.
struct DnsAddressData {
    std::string address;  ///< "192.0.2.1", "2001:db8::1"
};
/// CNAME, NS, PTR: the name the record points to.
struct DnsNameData {
    std::string target;  ///< presentation format
};
/// MX.
struct DnsMxData {
    std::uint16_t preference = 0;  ///< lower is preferred
    std::string exchange;          ///< the mail server's name
};
/// SRV (RFC 2782).
struct DnsSrvData {
    std::uint16_t priority = 0;  ///< lower is preferred
    std::uint16_t weight = 0;    ///< share among equal priorities
    std::uint16_t port = 0;      ///< the service's port
    std::string target;          ///< the host's name
};
/// SOA.
struct DnsSoaData {
    std::string mname;  ///< primary server
    std::string rname;  ///< responsible mailbox, as a name
    std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;  ///< the zone's numbers, as sent
};
/// TXT.
struct DnsTxtData {
    /// The character-strings exactly as sent: any bytes, any length each
    /// (<= 255), any count.
    std::vector<std::string> strings;
};
/// CAA (RFC 8659).
struct DnsCaaData {
    std::uint8_t flags = 0;  ///< 128: critical
    std::string tag;         ///< "issue", "iodef"...
    std::string value;       ///< raw bytes
};
/// Any other type: the RDATA bytes as received.
struct DnsRawData {
    std::string bytes;  ///< RDATA, any bytes
};
/// The typed fields of a record; DnsRawData for types not decoded.
using DnsRecordData =
    std::variant<DnsRawData, DnsAddressData, DnsNameData, DnsMxData, DnsSrvData, DnsSoaData, DnsTxtData, DnsCaaData>;

/// One resource record.
struct DnsRecord {
    std::string name;         ///< owner, presentation format
    std::uint16_t type = 0;   ///< DnsType value or any other number
    std::uint16_t rclass = 1; ///< 1: IN
    std::uint32_t ttl = 0;    ///< seconds
    /// Presentation form of the RDATA, as in a zone file ("10 mail.example.com",
    /// "\"v=spf1\" \"-all\"", RFC 3597 "\# 4 0a000001" for unknown types).
    std::string data;
    DnsRecordData fields;  ///< typed fields (DnsRawData for other types)
};

/// The header flags of a message.
struct DnsHeaderFlags {
    bool qr = false;  ///< a response
    bool aa = false;  ///< authoritative answer
    bool tc = false;  ///< truncated
    bool rd = false;  ///< recursion desired
    bool ra = false;  ///< recursion available
    bool ad = false;  ///< authentic data (DNSSEC)
    bool cd = false;  ///< checking disabled (DNSSEC)
};

/// A decoded DNS message.
struct DnsMessage {
    std::uint16_t id = 0;       ///< the message ID
    int opcode = 0;             ///< 0: QUERY
    int rcode = 0;              ///< response code (see dns_rcode_name())
    DnsHeaderFlags flags;       ///< header flags
    std::string question_name;  ///< empty when the message has no question
    std::uint16_t question_type = 0;  ///< the first question's type
    std::vector<DnsRecord> answers;     ///< answer section
    std::vector<DnsRecord> authority;   ///< authority section
    std::vector<DnsRecord> additional;  ///< additional section, without the EDNS OPT pseudo-record
};

/// What parse_dns_message() gives: a message or an error, never both.
struct DnsParseResult {
    std::optional<DnsMessage> message;  ///< set on success
    std::optional<Error> error;         ///< code "BADRESP", operation "parse"
};

/// What parse_dns_message() keeps of a message.
struct DnsParseOptions {
    /// Keep the additional section's records (DnsMessage::additional). When
    /// false the section is still read and checked (a malformed one makes the
    /// message BADRESP all the same) but its records are not kept: for callers
    /// that never read them, which then do not pay for building them.
    bool additional = true;
};

/// Decodes one DNS message (bytes in, struct out; no I/O, no global state).
NETREACTOR_API DnsParseResult parse_dns_message(std::span<const std::uint8_t> bytes);
/// The same, keeping what `options` says.
NETREACTOR_API DnsParseResult parse_dns_message(std::span<const std::uint8_t> bytes, const DnsParseOptions& options);

/// The owner names an answer section leads through by CNAME records.
struct CnameChain {
    std::vector<std::string> names;  ///< in order, not including the starting name
    bool loop = false;               ///< a CNAME points back to a name already visited
};
/// Follows the CNAMEs of `answers` from `name` (case-insensitive).
NETREACTOR_API CnameChain follow_cnames(const std::vector<DnsRecord>& answers, std::string_view name);

/// Checks a domain name in presentation format before it is sent: nullopt
/// when valid, else an Error with code "BADNAME" (a raw NUL byte, an empty
/// label, a label over 63 bytes, a name over 255 bytes on the wire, a bad
/// `\DDD` or trailing `\` escape).
NETREACTOR_API std::optional<Error> validate_dns_name(std::string_view name);

/// "1.0.0.127.in-addr.arpa" / nibble form under ip6.arpa for a numeric IP;
/// nullopt when `ip` is not a numeric IPv4 or IPv6 address.
NETREACTOR_API std::optional<std::string> reverse_name(std::string_view ip);

/// Case-insensitive comparison of two domain names, ignoring a trailing dot.
NETREACTOR_API bool dns_names_equal(std::string_view a, std::string_view b);

}  // namespace netreactor
