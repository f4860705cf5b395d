// Domain names and mnemonics: validation before sending, reverse names,
// type and rcode names, CNAME chains in an answer section.
#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <set>

#include "netreactor/dns_record.hpp"

namespace netreactor {

namespace {

struct TypeName {
    std::uint16_t type;
    const char* name;
};
constexpr std::array<TypeName, 11> kTypeNames{{
    {1, "A"}, {2, "NS"}, {5, "CNAME"}, {6, "SOA"}, {12, "PTR"}, {15, "MX"},
    {16, "TXT"}, {28, "AAAA"}, {33, "SRV"}, {41, "OPT"}, {257, "CAA"},
}};

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string_view without_trailing_dot(std::string_view name) {
    if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
    return name;
}

}  // namespace

std::string dns_type_name(std::uint16_t type) {
    for (const auto& t : kTypeNames)
        if (t.type == type) return t.name;
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

std::optional<Error> validate_dns_name(std::string_view name) {
    auto bad = [&](const std::string& why) {
        return Error("BADNAME", "invalid domain name: " + why, "resolve");
    };
    if (name.empty()) return bad("empty name");
    if (name == ".") return std::nullopt;
    std::string_view body = name.back() == '.' ? name.substr(0, name.size() - 1) : name;
    if (body.size() > 253) return bad("longer than 253 characters (" + std::to_string(body.size()) + ")");
    std::size_t start = 0;
    while (start <= body.size()) {
        std::size_t dot = body.find('.', start);
        if (dot == std::string_view::npos) dot = body.size();
        std::size_t length = dot - start;
        if (length == 0) return bad("empty label");
        if (length > 63) return bad("label longer than 63 characters (" + std::to_string(length) + ")");
        start = dot + 1;
    }
    return std::nullopt;
}

std::optional<std::string> reverse_name(std::string_view ip) {
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
