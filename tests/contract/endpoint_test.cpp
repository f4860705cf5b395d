// The one parser of host and endpoint text (apps/common): a table of what every
// tool accepts and refuses, checked against inet_pton's strictness and RFC 4007.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "endpoint.hpp"
#include "host.hpp"
#include "http_url.hpp"

using namespace nrapp;

namespace {

struct HostCase {
    std::string input;
    bool ok;
    HostKind kind = HostKind::name;
    std::string text = {};  // expected Host::text when ok
};

class HostTable : public ::testing::TestWithParam<HostCase> {};

TEST_P(HostTable, ParsesAsTheTableSays) {
    const auto& c = GetParam();
    auto host = parse_host(c.input);
    ASSERT_EQ(static_cast<bool>(host), c.ok) << printable(c.input) << " -> " << host.error();
    if (!c.ok) {
        EXPECT_FALSE(host.error().empty());
        return;
    }
    EXPECT_EQ(host->kind, c.kind);
    EXPECT_EQ(host->text, c.text.empty() ? c.input : c.text);
    if (host->is_literal()) {
        EXPECT_TRUE(host->address(1).has_value()) << c.input;
    }
}

const std::string k63(63, 'a');
const std::string k64(64, 'a');
// 4 labels of 63 + 3 dots = 255 characters: too long; 3 x 63 + 61 + 3 dots = 253: fits.
const std::string k253 = k63 + "." + k63 + "." + k63 + "." + std::string(61, 'b');
const std::string k254 = k253 + "c";

INSTANTIATE_TEST_SUITE_P(
    Literals, HostTable,
    ::testing::Values(
        HostCase{"127.0.0.1", true, HostKind::ipv4}, HostCase{"0.0.0.0", true, HostKind::ipv4},
        HostCase{"255.255.255.255", true, HostKind::ipv4}, HostCase{"::1", true, HostKind::ipv6},
        HostCase{"[::1]", true, HostKind::ipv6, "::1"}, HostCase{"::", true, HostKind::ipv6},
        HostCase{"2001:db8::1", true, HostKind::ipv6}, HostCase{"::ffff:10.0.0.1", true, HostKind::ipv6},
        HostCase{"fe80::1%lo", true, HostKind::ipv6}, HostCase{"[fe80::1%lo]", true, HostKind::ipv6, "fe80::1%lo"},
        HostCase{"fe80::1%2", true, HostKind::ipv6}, HostCase{"::1%lo", true, HostKind::ipv6},
        // inet_pton refuses these, and so do we.
        HostCase{"256.0.0.1", false}, HostCase{"1.2.3", false}, HostCase{"127.1", false}, HostCase{"0x7f.0.0.1", false},
        HostCase{"1.2.3.4.5", false}, HostCase{"01.2.3.4", false}, HostCase{" 1.2.3.4", false},
        HostCase{"1.2.3.4 ", false}, HostCase{"1.2.3.4%lo", false}, HostCase{"::1::", false}, HostCase{":::", false},
        HostCase{"1:2:3:4:5:6:7:8:9", false}, HostCase{"::g", false}, HostCase{"[::1", false}, HostCase{"::1]", false},
        HostCase{"[]", false}, HostCase{"[", false}, HostCase{"[127.0.0.1]", true, HostKind::ipv4, "127.0.0.1"}, HostCase{"[localhost]", false},
        HostCase{"[::1]x", false},
        // RFC 4007 zones: one %, not empty, an interface name (at most 15 bytes) or a number.
        HostCase{"fe80::1%", false}, HostCase{"fe80::1%lo%lo", false}, HostCase{"fe80::1%" + std::string(300, 'x'), false},
        HostCase{"fe80::1%" + std::string(16, 'x'), false}, HostCase{"fe80::1%nosuchif0", false},
        HostCase{"fe80::1%a/b", false}, HostCase{"fe80::1%a b", false}, HostCase{"fe80::1%99999999999", false},
        HostCase{"fe80::1%.", false}, HostCase{"%lo", false}, HostCase{std::string("::1\0", 4), false},
        HostCase{std::string("127.0.0.1\0x", 11), false}));

INSTANTIATE_TEST_SUITE_P(
    Names, HostTable,
    ::testing::Values(
        HostCase{"localhost", true}, HostCase{"example.test", true}, HostCase{"www.lab.test.", true},
        HostCase{"xn--bcher-kva.example", true}, HostCase{"_dmarc.example.org", true}, HostCase{"a-b.c", true},
        HostCase{"1.2.3.com", true}, HostCase{"123abc", true}, HostCase{k63 + ".test", true}, HostCase{k253, true},
        HostCase{k253 + ".", true}, HostCase{"", false}, HostCase{".", false}, HostCase{"..", false},
        HostCase{".example", false}, HostCase{"a..b", false}, HostCase{k64 + ".test", false}, HostCase{k254, false},
        HostCase{"-a.test", false}, HostCase{"a-.test", false}, HostCase{"a b", false}, HostCase{"a/b", false},
        HostCase{"bücher.example", false}, HostCase{std::string("w\0ww.lab.test", 12), false},
        HostCase{"www.lab.test\n", false}, HostCase{"http://x", false}, HostCase{"a@b", false},
        HostCase{"123", false}, HostCase{"1.2.3.256", false}, HostCase{"host%lo", false}, HostCase{"-4", false}));

struct EndpointCase {
    std::string input;
    PortUse use;
    bool ok;
    std::string host = {};
    int port = -1;  // -1: no port in the text
};

class EndpointTable : public ::testing::TestWithParam<EndpointCase> {};

TEST_P(EndpointTable, ParsesAsTheTableSays) {
    const auto& c = GetParam();
    auto endpoint = parse_endpoint(c.input, c.use);
    ASSERT_EQ(static_cast<bool>(endpoint), c.ok) << printable(c.input) << " -> " << endpoint.error();
    if (!c.ok) return;
    EXPECT_EQ(endpoint->host.text, c.host);
    EXPECT_EQ(endpoint->port.has_value() ? *endpoint->port : -1, c.port);
}

constexpr PortUse peer = PortUse::peer;
constexpr PortUse local = PortUse::local;

INSTANTIATE_TEST_SUITE_P(
    All, EndpointTable,
    ::testing::Values(
        EndpointCase{"127.0.0.1", peer, true, "127.0.0.1"}, EndpointCase{"127.0.0.1:53", peer, true, "127.0.0.1", 53},
        EndpointCase{"[::1]:5353", peer, true, "::1", 5353}, EndpointCase{"[::1]", peer, true, "::1"},
        EndpointCase{"::1", peer, true, "::1"}, EndpointCase{"2001:db8::53", peer, true, "2001:db8::53"},
        EndpointCase{"[fe80::1%lo]:123", peer, true, "fe80::1%lo", 123},
        EndpointCase{"example.test:8080", peer, true, "example.test", 8080},
        EndpointCase{"localhost", peer, true, "localhost"}, EndpointCase{"127.0.0.1:65535", peer, true, "127.0.0.1", 65535},
        EndpointCase{"127.0.0.1:0", local, true, "127.0.0.1", 0}, EndpointCase{"[::]:0", local, true, "::", 0},
        EndpointCase{"127.0.0.1:0", peer, false}, EndpointCase{"[::1]:0", peer, false},
        EndpointCase{"127.0.0.1:65536", peer, false}, EndpointCase{"127.0.0.1:-1", peer, false},
        EndpointCase{"127.0.0.1:", peer, false}, EndpointCase{"127.0.0.1:x", peer, false},
        EndpointCase{"127.0.0.1:+53", peer, false}, EndpointCase{"127.0.0.1:053000", peer, false},
        EndpointCase{"127.0.0.1: 53", peer, false}, EndpointCase{":53", peer, false}, EndpointCase{"", peer, false},
        EndpointCase{"[::1]53", peer, false}, EndpointCase{"[::1]:", peer, false}, EndpointCase{"::1:53x", peer, false},
        EndpointCase{"[127.0.0.1]:53", peer, true, "127.0.0.1", 53}, EndpointCase{"a:b:c", peer, false},
        EndpointCase{"http://127.0.0.1:8000/x", peer, false}, EndpointCase{"host name:80", peer, false},
        EndpointCase{"[fe80::1%]:5399", peer, false}));

TEST(DnsServer, NumericWithDefaultPort53) {
    EXPECT_EQ(*parse_dns_server("127.0.0.1"), "127.0.0.1:53");
    EXPECT_EQ(*parse_dns_server("127.0.0.1:5353"), "127.0.0.1:5353");
    EXPECT_EQ(*parse_dns_server("[::1]:5353"), "[::1]:5353");
    EXPECT_EQ(*parse_dns_server("::1"), "[::1]:53");
    EXPECT_EQ(*parse_dns_server("[::1]"), "[::1]:53");
}

TEST(DnsServer, RefusesNamesPortZeroAndZones) {
    for (const char* bad : {"127.0.0.1:0", "localhost", "ns.example:53", "", "[fe80::1%lo]:5399", "fe80::1%lo",
                            "127.0.0.1:99999", "1.2.3", "[::1]:0"}) {
        auto server = parse_dns_server(bad);
        EXPECT_FALSE(server) << bad;
        EXPECT_FALSE(server.error().empty()) << bad;
    }
}

TEST(DnsServer, PortZeroSaysSo) {
    EXPECT_NE(parse_dns_server("127.0.0.1:0").error().find("port 0"), std::string::npos);
}

TEST(FamilyMismatch, SaysWhichFlagAndWhichFamily) {
    auto v6 = parse_host("::1");
    auto v4 = parse_host("127.0.0.1");
    auto name = parse_host("localhost");
    EXPECT_EQ(family_mismatch(*v6, AF_INET), "-4 was given, but ::1 is an IPv6 address");
    EXPECT_EQ(family_mismatch(*v4, AF_INET6), "-6 was given, but 127.0.0.1 is an IPv4 address");
    EXPECT_EQ(family_mismatch(*v4, AF_INET), "");
    EXPECT_EQ(family_mismatch(*v6, AF_UNSPEC), "");
    EXPECT_EQ(family_mismatch(*name, AF_INET6), "");
}

struct UrlCase {
    std::string input;
    bool ok;
    std::string host = {};
    int port = -1;
    std::string target = {};
};

class UrlTable : public ::testing::TestWithParam<UrlCase> {};

TEST_P(UrlTable, ParsesAsTheTableSays) {
    const auto& c = GetParam();
    auto url = parse_http_url(c.input);
    ASSERT_EQ(static_cast<bool>(url), c.ok) << c.input << " -> " << url.error();
    if (!c.ok) return;
    EXPECT_EQ(url->host.text, c.host);
    EXPECT_EQ(url->port.has_value() ? *url->port : -1, c.port);
    EXPECT_EQ(url->target, c.target);
}

INSTANTIATE_TEST_SUITE_P(
    All, UrlTable,
    ::testing::Values(
        UrlCase{"http://127.0.0.1:8000/x", true, "127.0.0.1", 8000, "/x"},
        UrlCase{"http://127.0.0.1", true, "127.0.0.1", -1, "/"},
        UrlCase{"HTTP://localhost/", true, "localhost", -1, "/"},
        UrlCase{"http://localhost:/a", true, "localhost", -1, "/a"},
        UrlCase{"http://[::1]:8080/a/b?c=1#frag", true, "::1", 8080, "/a/b?c=1"},
        UrlCase{"http://[::1]/", true, "::1", -1, "/"}, UrlCase{"http://[::1]:/", true, "::1", -1, "/"},
        UrlCase{"http://[fe80::1%25lo]:80/", true, "fe80::1%lo", 80, "/"},
        UrlCase{"http://example.test?q=1", true, "example.test", -1, "/?q=1"},
        UrlCase{"http://example.test#top", true, "example.test", -1, "/"},
        UrlCase{"https://127.0.0.1/", false}, UrlCase{"ftp://127.0.0.1/", false}, UrlCase{"http://", false},
        UrlCase{"http:///x", false}, UrlCase{"http://user:pw@host/", false}, UrlCase{"http://::1/", false},
        UrlCase{"http://127.0.0.1:0/", false}, UrlCase{"http://127.0.0.1:99999/", false},
        UrlCase{"http://a b/", false}, UrlCase{"http://host/a b", false}, UrlCase{"127.0.0.1:8000", false}));

TEST(HttpsUrl, SaysTlsIsMissing) {
    EXPECT_NE(parse_http_url("https://example.test/").error().find("TLS"), std::string::npos);
}

TEST(RequestTarget, DropsTheFragmentAndRefusesControlBytes) {
    EXPECT_EQ(*parse_request_target("/x?y=1#frag"), "/x?y=1");
    EXPECT_EQ(*parse_request_target("/"), "/");
    EXPECT_FALSE(parse_request_target("x"));
    EXPECT_FALSE(parse_request_target(""));
    EXPECT_FALSE(parse_request_target("/a b"));
    EXPECT_FALSE(parse_request_target("/a\r\nHost: evil"));
    EXPECT_FALSE(parse_request_target("#frag"));
}

TEST(LooksLikeUrl, OnlySchemeColonSlashSlash) {
    EXPECT_TRUE(looks_like_url("http://x"));
    EXPECT_TRUE(looks_like_url("https://x"));
    EXPECT_FALSE(looks_like_url("127.0.0.1:80"));
    EXPECT_FALSE(looks_like_url("://x"));
    EXPECT_FALSE(looks_like_url("[::1]:80"));
}

TEST(Printable, EscapesControlAndHighBytes) {
    EXPECT_EQ(printable(std::string("w\0w\n\xc3", 5)), "w\\x00w\\x0a\\xc3");
}

}  // namespace
