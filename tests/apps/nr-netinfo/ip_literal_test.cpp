// nrapp::parse_ip_literal (apps/common/ip_literal.hpp), the one address rule
// of every tool: without a zone it must agree with inet_pton(3) on every
// input; a zone follows RFC 4007 with the limits of an interface name.
#include <arpa/inet.h>
#include <net/if.h>

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ip_literal.hpp"

namespace {

using nrapp::parse_ip_literal;

// inet_pton's verdict on `text` as IPv4 then IPv6, and the bytes.
struct LibcVerdict {
    bool ok = false;
    bool ipv6 = false;
    unsigned char bytes[16] = {};
};

LibcVerdict libc_pton(const std::string& text) {
    LibcVerdict v;
    if (inet_pton(AF_INET, text.c_str(), v.bytes) == 1) {
        v.ok = true;
    } else if (inet_pton(AF_INET6, text.c_str(), v.bytes) == 1) {
        v.ok = v.ipv6 = true;
    }
    return v;
}

const std::vector<std::string> kInputs = {
    "", "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
    "1::2::3", ":::", "::ffff:10.0.0.1", "::10.0.0.1", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
    "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::00001", "fe80::1", "FE80::a", "g::1", "::1 ",
    " ::1", "::1\n", "127.0.0.1", "127.1", "0x7f.0.0.1", "01.2.3.4", "1.2.3.04", "256.1.1.1", "1.2.3.4.",
    "1.2.3", "1.2.3.4.5", "0.0.0.0", "255.255.255.255", "1..2.3", "+1.2.3.4", "[::1]", "[::1]:53",
    "::1:53", "::ffff:1.2.3.4.5", "::ffff:1.2.3", "12345::", "abcd", "localhost", "1:2:3:4:5:6:7:8:",
    ":1:2:3:4:5:6:7:8", "::1.2.3.4:5", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:001.2.3.4",
};

TEST(IpLiteral, WithoutAZoneAgreesWithInetPton) {
    for (const auto& text : kInputs) {
        LibcVerdict libc = libc_pton(text);
        std::string why;
        auto ours = parse_ip_literal(text, &why);
        EXPECT_EQ(ours.has_value(), libc.ok) << "'" << text << "': " << why;
        if (!ours || !libc.ok) continue;
        EXPECT_EQ(ours->is_ipv6, libc.ipv6) << text;
        EXPECT_EQ(std::memcmp(ours->bytes.data(), libc.bytes, libc.ipv6 ? 16 : 4), 0) << text;
        EXPECT_TRUE(ours->zone.empty()) << text;
        EXPECT_TRUE(why.empty()) << text;
    }
}

TEST(IpLiteral, EveryIpv6InputWithAGoodZoneKeepsTheZone) {
    for (const auto& text : kInputs) {
        LibcVerdict libc = libc_pton(text);
        auto ours = parse_ip_literal(text + "%eth0");
        EXPECT_EQ(ours.has_value(), libc.ok && libc.ipv6) << text << "%eth0";
        if (ours) {
            EXPECT_EQ(ours->zone, "eth0");
        }
    }
}

TEST(IpLiteral, ZonesFollowRfc4007AndInterfaceNames) {
    std::string longest(IFNAMSIZ - 1, 'z');
    for (const std::string& good : std::vector<std::string>{"fe80::1%lo", "fe80::1%1", "ff02::1%eth0.100", "::1%x", "fe80::1%" + longest}) {
        std::string why;
        EXPECT_TRUE(parse_ip_literal(good, &why)) << good << ": " << why;
    }
    struct Bad {
        std::string text;
        const char* reason;
    };
    for (const Bad& bad : std::vector<Bad>{{"fe80::1%", "empty zone"},
                                           {"fe80::1%lo%lo", "more than one '%'"},
                                           {"fe80::1%%", "more than one '%'"},
                                           {"%lo", "not an IPv6 or IPv4"},
                                           {"fe80::1%" + longest + "z", "zone longer than 15"},
                                           {"fe80::1%" + std::string(300, 'a'), "zone longer than 15"},
                                           {"fe80::1%a b", "not printable ASCII"},
                                           {"fe80::1%\xc3\xa9", "not printable ASCII"},
                                           {"127.0.0.1%lo", "only to an IPv6"},
                                           {"[::1]", "brackets"},
                                           {"[fe80::1%lo]", "brackets"},
                                           {std::string("::1\0", 4), "NUL byte"},
                                           {std::string("::1%l\0o", 7), "NUL byte"}}) {
        std::string why;
        EXPECT_FALSE(parse_ip_literal(bad.text, &why)) << bad.text;
        EXPECT_NE(why.find(bad.reason), std::string::npos) << bad.text << ": " << why;
    }
    EXPECT_TRUE(nrapp::is_valid_zone("eth0"));
    EXPECT_FALSE(nrapp::is_valid_zone(""));
}

TEST(IpLiteral, LongInputsAreRejectedNotTruncated) {
    // A valid address followed by padding must not be cut to the valid part.
    std::string text = "::1" + std::string(100, '0');
    EXPECT_FALSE(parse_ip_literal(text));
    EXPECT_FALSE(parse_ip_literal(std::string(INET6_ADDRSTRLEN, '1')));
}

}  // namespace
