// The pure parsers of nr-netinfo, checked against the C library itself:
// inet_aton(3) and inet_pton(3) are the reference for every input, and the
// services spec parser against its documented grammar.
#include <arpa/inet.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "ipv4_parse.hpp"
#include "service_spec.hpp"

namespace {

using netinfo::Ipv4Syntax;
using netinfo::parse_ipv4;

// What glibc says about `text`: accepted, and the host-order value.
std::pair<bool, std::uint32_t> libc_aton(const std::string& text) {
    in_addr a{};
    bool ok = inet_aton(text.c_str(), &a) != 0;
    return {ok, ntohl(a.s_addr)};
}

std::pair<bool, std::uint32_t> libc_pton(const std::string& text) {
    in_addr a{};
    bool ok = inet_pton(AF_INET, text.c_str(), &a) == 1;
    return {ok, ntohl(a.s_addr)};
}

void expect_same_as_libc(const std::string& text) {
    auto [aton_ok, aton_value] = libc_aton(text);
    auto ours = parse_ipv4(text, Ipv4Syntax::aton);
    EXPECT_EQ(ours.ok, aton_ok) << "aton '" << text << "': " << ours.error;
    if (ours.ok && aton_ok) {
        EXPECT_EQ(ours.value, aton_value) << "aton '" << text << "'";
    }

    auto [pton_ok, pton_value] = libc_pton(text);
    auto strict = parse_ipv4(text, Ipv4Syntax::strict);
    EXPECT_EQ(strict.ok, pton_ok) << "pton '" << text << "': " << strict.error;
    if (strict.ok && pton_ok) {
        EXPECT_EQ(strict.value, pton_value) << "pton '" << text << "'";
    }
}

TEST(Ipv4Parse, ChosenInputsAgreeWithLibc) {
    const std::vector<std::string> inputs = {
        "127.0.0.1", "192.168.0.1", "127.1", "0x7f.1", "0x7F.0.0.1", "0177.0.0.1", "2130706433", "0x7f000001",
        "017700000001", "1.2.3", "1.2.65535", "1.2.65536", "1.16777215", "1.16777216", "4294967295", "4294967296",
        "255.255.255.255", "256.0.0.0", "1.2.3.256", "1.2.3.4.", "1.2.3.4.5", ".1.2.3", "1..2.3", "", " ", " 1.2.3.4",
        "1.2.3.4 ", "1.2.3.4 garbage", "1.2.3.4\tx", "1.2.3.4x", "08", "09.1.1.1", "0x", "0x.1.2.3", "0xg", "00",
        "01.02.03.04", "1.2.3.04", "0.0.0.0", "0", "0x100.1", "0xffffffff", "0x1ffffffff", "99999999999999999999",
        "00000000000000000000000001", "0x000000000000000000000001", "+1.2.3.4", "-1", "1.2.3.-4", "1.2.3.+4",
        "1.2.3.4\n", "1.2.3.4\v", "1.2.3.4\r\n", "1e3", "1,2,3,4", "१.२.३.४", "1.2.3.4\xff",
    };
    for (const auto& text : inputs) expect_same_as_libc(text);
}

TEST(Ipv4Parse, RandomInputsAgreeWithLibc) {
    // Inputs drawn from the characters that matter to either parser, so most
    // of them are near misses of a valid address.
    const std::string alphabet = "0123456789.xXafAF \t8g-+";
    std::mt19937 rng(12345);
    std::uniform_int_distribution<std::size_t> length(0, 18), pick(0, alphabet.size() - 1);
    for (int i = 0; i < 200000; ++i) {
        std::string text;
        for (std::size_t n = length(rng); n > 0; --n) text += alphabet[pick(rng)];
        expect_same_as_libc(text);
        if (HasFailure()) break;
    }
}

TEST(Ipv4Parse, ReportsPartsAndIgnoredSuffix) {
    auto r = parse_ipv4("127.1 tail", Ipv4Syntax::aton);
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.parts, 2);
    EXPECT_EQ(r.consumed, 5u);
    EXPECT_EQ(r.value, 0x7f000001u);
    EXPECT_FALSE(parse_ipv4("127.1 tail", Ipv4Syntax::strict).ok);
}

TEST(Ipv4Parse, EmbeddedNulIsNotAnEndOfInput) {
    std::string text("1.2.3.4\0", 8);
    EXPECT_FALSE(parse_ipv4(text, Ipv4Syntax::aton).ok);
    EXPECT_FALSE(parse_ipv4(text, Ipv4Syntax::strict).ok);
}

TEST(ServiceSpec, PortsNamesAndProtocols) {
    auto r = netinfo::parse_service_spec("80/tcp");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.spec.port, 80);
    EXPECT_EQ(r.spec.protocol, "tcp");

    r = netinfo::parse_service_spec("domain/UDP");
    ASSERT_TRUE(r.ok);
    EXPECT_FALSE(r.spec.port);
    EXPECT_EQ(r.spec.name, "domain");
    EXPECT_EQ(r.spec.protocol, "udp");

    r = netinfo::parse_service_spec("http");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.spec.name, "http");
    EXPECT_TRUE(r.spec.protocol.empty());

    r = netinfo::parse_service_spec("0");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.spec.port, 0);
    r = netinfo::parse_service_spec("65535/udp");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.spec.port, 65535);
}

TEST(ServiceSpec, RejectsMalformedSpecs) {
    for (const char* bad : {"", "/tcp", "80/", "65536", "999999", "80/tcp/x", "80/1tcp", "a b", "http/t cp",
                            "name\xff", "80/tcptcptcptcptcptcp"}) {
        auto r = netinfo::parse_service_spec(bad);
        EXPECT_FALSE(r.ok) << "'" << bad << "'";
        EXPECT_FALSE(r.error.empty()) << "'" << bad << "'";
    }
    EXPECT_FALSE(netinfo::parse_service_spec(std::string(65, 'a')).ok);
    EXPECT_TRUE(netinfo::parse_service_spec(std::string(64, 'a')).ok);
}

}  // namespace
