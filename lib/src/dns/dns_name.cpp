// Domain names and mnemonics: validation before sending, reverse names,
// type and rcode names, CNAME chains in an answer section.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <set>

#include "dns_wire.hpp"
#include "netreactor/dns_record.hpp"

namespace netreactor {

namespace {

struct TypeName {
    std::uint16_t type;
    const char* name;
};
constexpr std::array<TypeName, 12> kTypeNames{{
    {1, "A"}, {2, "NS"}, {5, "CNAME"}, {6, "SOA"}, {12, "PTR"}, {15, "MX"},
    {16, "TXT"}, {28, "AAAA"}, {33, "SRV"}, {41, "OPT"}, {255, "ANY"}, {257, "CAA"},
}};

// The mnemonic of each type number up to CAA's (257), from kTypeNames:
// dns_type_mnemonic runs for every record written, a lookup rather than a
// search of the table.
constexpr std::array<std::string_view, 258> kMnemonicByType = [] {
    std::array<std::string_view, 258> byType{};
    for (const auto& t : kTypeNames) byType[t.type] = t.name;
    return byType;
}();

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string_view without_trailing_dot(std::string_view name) {
    if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
    return name;
}

}  // namespace

std::string_view dns_type_mnemonic(std::uint16_t type) noexcept {
    return type < kMnemonicByType.size() ? kMnemonicByType[type] : std::string_view{};
}

std::string dns_type_name(std::uint16_t type) {
    if (auto mnemonic = dns_type_mnemonic(type); !mnemonic.empty()) return std::string(mnemonic);
    return "TYPE" + std::to_string(type);
}

std::optional<std::uint16_t> dns_type_from_name(std::string_view name) {
    std::string upper;
    for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const auto& t : kTypeNames)
        if (upper == t.name) return t.type;
    if (upper.size() > 4 && upper.starts_with("TYPE")) {
        unsigned value = 0;
        for (char c : upper.substr(4)) {
            if (c < '0' || c > '9') return std::nullopt;
            value = value * 10 + static_cast<unsigned>(c - '0');
            if (value > 65535) return std::nullopt;
        }
        return static_cast<std::uint16_t>(value);
    }
    return std::nullopt;
}

std::string dns_rcode_name(int rcode) {
    static const char* const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
                                        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode >= 0 && rcode < static_cast<int>(std::size(names))) return names[rcode];
    return "RCODE" + std::to_string(rcode);
}

bool dns_names_equal(std::string_view a, std::string_view b) {
    a = without_trailing_dot(a);
    b = without_trailing_dot(b);
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

CnameChain follow_cnames(const std::vector<DnsRecord>& answers, std::string_view name) {
    CnameChain chain;
    std::string current(without_trailing_dot(name));
    std::set<std::string> seen{current};
    for (std::size_t step = 0; step <= answers.size(); ++step) {
        const DnsRecord* next = nullptr;
        for (const auto& r : answers) {
            if (r.type == static_cast<std::uint16_t>(DnsType::CNAME) && dns_names_equal(r.name, current)) {
                next = &r;
                break;
            }
        }
        if (next == nullptr) break;
        current = std::get<DnsNameData>(next->fields).target;
        std::string key;
        for (char c : without_trailing_dot(current)) key += lower(c);
        chain.names.push_back(current);
        if (!seen.insert(key).second) {
            chain.loop = true;
            break;
        }
    }
    return chain;
}

namespace {

// The common case, a name without escapes or NUL bytes, in one copy: each
// dot becomes the length byte of the label after it (the dot at name[i]
// lands at out[i + 1], where that label's length goes), and the loop only
// measures labels. False, with `out` in any state, for anything else (an
// escape, a NUL, an empty or overlong label, an overlong name, the root):
// the general encoder below then encodes it or says why not. It cost half
// as much again per query as building the rest of the query.
bool encode_plain_name(std::string_view name, std::uint8_t* out, std::size_t& size) {
    const std::size_t n = name.size();
    if (n == 0 || n > 254 || std::memchr(name.data(), '\\', n) != nullptr || std::memchr(name.data(), '\0', n) != nullptr)
        return false;
    std::memcpy(out + 1, name.data(), n);  // out has room for 256 bytes: n + 2 at most here
    std::size_t label_at = 0;  // where the current label's length byte goes (= where it starts in `name`)
    for (std::size_t i = 0; i < n; ++i) {
        if (name[i] != '.') continue;
        std::size_t label = i - label_at;
        if (label == 0 || label > 63) return false;
        out[label_at] = static_cast<std::uint8_t>(label);
        label_at = i + 1;
    }
    std::size_t wire;
    if (label_at == n) {
        out[n] = 0;  // a trailing dot: its place is the root's zero
        wire = n + 1;
    } else {
        std::size_t label = n - label_at;
        if (label > 63) return false;
        out[label_at] = static_cast<std::uint8_t>(label);
        out[n + 1] = 0;
        wire = n + 2;
    }
    if (wire > 255) return false;
    size = wire;
    return true;
}

// Writes the wire form of `name` into `out` (room for 256 bytes) and its
// length into `size`; false and `why` if the name is not valid. One pass, no
// allocation (this runs once per query).
bool encode_dns_name(std::string_view name, std::uint8_t* out, std::size_t& size, std::string& why) {
    constexpr std::size_t kRoom = 256;  // one past the longest valid name: writing stops there
    if (encode_plain_name(name, out, size)) return true;
    if (name.empty()) {
        why = "empty name";
        return false;
    }
    std::size_t wire = 0;  // bytes the name takes so far, written while they fit
    auto put = [&](std::uint8_t byte) {
        if (wire < kRoom) out[wire] = byte;
        wire++;
    };
    if (name == ".") {
        put(0);
        size = wire;
        return true;
    }
    std::size_t label_at = wire;  // the current label's length byte
    std::size_t label = 0;
    put(0);
    auto end_label = [&]() -> bool {
        if (label == 0) {
            why = "empty label";
            return false;
        }
        if (label > 63) {
            why = "label longer than 63 bytes (" + std::to_string(label) + ")";
            return false;
        }
        if (label_at < kRoom) out[label_at] = static_cast<std::uint8_t>(label);
        return true;
    };
    bool ended_with_dot = false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        ended_with_dot = false;
        if (c == '\0') {
            why = "contains a NUL byte";
            return false;
        }
        if (c == '.') {
            if (!end_label()) return false;
            ended_with_dot = true;
            if (i + 1 < name.size()) {
                label_at = wire;
                label = 0;
                put(0);
            }
            continue;
        }
        if (c != '\\') {
            // A run of plain bytes, copied at once.
            std::size_t run_end = i + 1;
            while (run_end < name.size() && name[run_end] != '.' && name[run_end] != '\\' && name[run_end] != '\0')
                ++run_end;
            std::size_t run = run_end - i;
            if (wire + run <= kRoom) std::memcpy(out + wire, name.data() + i, run);
            wire += run;
            label += run;
            i = run_end - 1;
            continue;
        }
        if (i + 1 >= name.size()) {
            why = "ends with a lone backslash";
            return false;
        }
        char next = name[i + 1];
        if (next >= '0' && next <= '9') {
            // \DDD: exactly three decimal digits, at most 255 (RFC 1035 section 5.1).
            auto digit = [&](std::size_t at) { return at < name.size() && name[at] >= '0' && name[at] <= '9'; };
            if (!digit(i + 2) || !digit(i + 3)) {
                why = "a \\DDD escape needs three decimal digits";
                return false;
            }
            int value = (next - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
            if (value > 255) {
                why = "a \\DDD escape above 255";
                return false;
            }
            put(static_cast<std::uint8_t>(value));
            label++;
            i += 3;
        } else {
            if (next == '\0') {
                why = "contains a NUL byte";
                return false;
            }
            put(static_cast<std::uint8_t>(next));  // \X: X itself
            label++;
            i += 1;
        }
    }
    if (!ended_with_dot && !end_label()) return false;
    put(0);
    if (wire > 255) {
        why = "longer than a name may be (253 characters, 255 bytes on the wire): " + std::to_string(wire) +
              " bytes on the wire";
        return false;
    }
    size = wire;
    return true;
}

}  // namespace

bool build_dns_query(std::string_view name, std::uint16_t type, std::uint16_t id, DnsQueryBytes& query,
                     std::string& why) {
    std::uint8_t* q = query.bytes.data();
    std::size_t name_size = 0;
    if (!encode_dns_name(name, q + 12, name_size, why)) return false;
    const std::uint8_t header[12] = {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id & 0xff), 0x01, 0x00, 0, 1,
                                     0, 0, 0, 0, 0, 0};
    std::copy(std::begin(header), std::end(header), q);
    std::uint8_t* tail = q + 12 + name_size;
    tail[0] = static_cast<std::uint8_t>(type >> 8);
    tail[1] = static_cast<std::uint8_t>(type & 0xff);
    tail[2] = 0;
    tail[3] = 1;
    query.size = 12 + name_size + 4;
    return true;
}

std::optional<Error> validate_dns_name(std::string_view name) {
    std::string why;
    std::uint8_t wire[256];
    std::size_t size = 0;
    if (encode_dns_name(name, wire, size, why)) return std::nullopt;
    return Error("BADNAME", "invalid domain name: " + why, "resolve");
}

std::optional<std::string> reverse_name(std::string_view ip) {
    if (ip.find('\0') != std::string_view::npos) return std::nullopt;  // inet_pton would read a prefix
    std::string text(ip);
    unsigned char bytes[16];
    if (inet_pton(AF_INET, text.c_str(), bytes) == 1) {
        char out[32];
        std::snprintf(out, sizeof out, "%u.%u.%u.%u.in-addr.arpa", bytes[3], bytes[2], bytes[1], bytes[0]);
        return std::string(out);
    }
    if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
        static const char hex[] = "0123456789abcdef";
        std::string out;
        for (int i = 15; i >= 0; --i) {
            out += hex[bytes[i] & 0x0f];
            out += '.';
            out += hex[bytes[i] >> 4];
            out += '.';
        }
        return out + "ip6.arpa";
    }
    return std::nullopt;
}

}  // namespace netreactor
