// netreactor: DNS messages as plain values, and the walker that reads them.
//
// parse_dns_message() turns the raw bytes of a DNS response into a DnsMessage:
// header flags and rcode, the question, and every record of the answer,
// authority and additional sections with its owner name, numeric TTL, a
// presentation string and typed fields. It never reads outside the bytes it is
// given, follows compression pointers only backwards and a bounded number of
// times, and reports malformed input as an Error (code "BADRESP"). It is the
// one module that decodes DNS answers; it is fuzzed on its own.
//
// Names are given without the trailing dot ("www.example.com"; the root is
// "."); bytes that are not printable in a label appear as \DDD, a dot or a
// backslash inside a label as \. and \\ (c-ares' own escaping).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "netreactor/error.hpp"

namespace netreactor {

// The record types the library decodes into fields (others keep raw bytes).
enum class DnsType : std::uint16_t {
    A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33, OPT = 41, ANY = 255, CAA = 257,
};

// "A", "MX"... or "TYPE65" for a type without a mnemonic.
std::string dns_type_name(std::uint16_t type);
// Parses "A", "mx", "TYPE65"; nullopt if unknown.
std::optional<std::uint16_t> dns_type_from_name(std::string_view name);
// "NOERROR", "SERVFAIL"... or "RCODE12".
std::string dns_rcode_name(int rcode);

struct DnsAddressData {  // A, AAAA
    std::string address;
};
struct DnsNameData {  // CNAME, NS, PTR
    std::string target;
};
struct DnsMxData {
    std::uint16_t preference = 0;
    std::string exchange;
};
struct DnsSrvData {
    std::uint16_t priority = 0, weight = 0, port = 0;
    std::string target;
};
struct DnsSoaData {
    std::string mname, rname;
    std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};
struct DnsTxtData {
    // The character-strings exactly as sent: any bytes, any length each
    // (<= 255), any count.
    std::vector<std::string> strings;
};
struct DnsCaaData {
    std::uint8_t flags = 0;
    std::string tag;
    std::string value;  // raw bytes
};
struct DnsRawData {  // any other type: RDATA bytes as received
    std::string bytes;
};
using DnsRecordData =
    std::variant<DnsRawData, DnsAddressData, DnsNameData, DnsMxData, DnsSrvData, DnsSoaData, DnsTxtData, DnsCaaData>;

struct DnsRecord {
    std::string name;  // owner
    std::uint16_t type = 0;
    std::uint16_t rclass = 1;
    std::uint32_t ttl = 0;
    // Presentation form of the RDATA, as in a zone file ("10 mail.example.com",
    // "\"v=spf1\" \"-all\"", RFC 3597 "\# 4 0a000001" for unknown types).
    std::string data;
    DnsRecordData fields;
};

struct DnsHeaderFlags {
    bool qr = false, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
};

struct DnsMessage {
    std::uint16_t id = 0;
    int opcode = 0;
    int rcode = 0;
    DnsHeaderFlags flags;
    std::string question_name;  // empty when the message has no question
    std::uint16_t question_type = 0;
    std::vector<DnsRecord> answers;
    std::vector<DnsRecord> authority;
    std::vector<DnsRecord> additional;  // without the EDNS OPT pseudo-record
};

struct DnsParseResult {
    std::optional<DnsMessage> message;
    std::optional<Error> error;  // code "BADRESP", operation "parse"
};

// Decodes one DNS message (bytes in, struct out; no I/O, no global state).
DnsParseResult parse_dns_message(std::span<const std::uint8_t> bytes);

// The owner names an answer section leads through from `name` by CNAME
// records, in order (not including `name`). Sets `loop` when a CNAME points
// back to a name already visited.
struct CnameChain {
    std::vector<std::string> names;
    bool loop = false;
};
CnameChain follow_cnames(const std::vector<DnsRecord>& answers, std::string_view name);

// Checks a domain name before it is sent: nullopt when valid, else an Error
// with code "BADNAME" (empty label, label over 63 bytes, name over 253).
std::optional<Error> validate_dns_name(std::string_view name);

// "1.0.0.127.in-addr.arpa" / nibble form under ip6.arpa for a numeric IP;
// nullopt when `ip` is not a numeric IPv4 or IPv6 address.
std::optional<std::string> reverse_name(std::string_view ip);

// Case-insensitive comparison of two domain names, ignoring a trailing dot.
bool dns_names_equal(std::string_view a, std::string_view b);

}  // namespace netreactor
