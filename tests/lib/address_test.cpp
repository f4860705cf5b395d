#include <gtest/gtest.h>

#include "netreactor/address.hpp"

using netreactor::SocketAddress;
using netreactor::split_host_port;

TEST(SocketAddress, ParsesIpv4AndFormats) {
    auto a = SocketAddress::parse("127.0.0.1", 9900);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->family(), AF_INET);
    EXPECT_EQ(a->ip(), "127.0.0.1");
    EXPECT_EQ(a->port(), 9900);
    EXPECT_EQ(a->to_string(), "127.0.0.1:9900");
}

TEST(SocketAddress, ParsesIpv6AndBracketsIt) {
    auto a = SocketAddress::parse("::1", 53);
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->is_ipv6());
    EXPECT_EQ(a->ip(), "::1");
    EXPECT_EQ(a->to_string(), "[::1]:53");
}

TEST(SocketAddress, RejectsNamesAndGarbage) {
    EXPECT_FALSE(SocketAddress::parse("localhost", 1));
    EXPECT_FALSE(SocketAddress::parse("", 1));
    EXPECT_FALSE(SocketAddress::parse("256.0.0.1", 1));
    EXPECT_FALSE(SocketAddress::parse("::1%", 1));
    EXPECT_FALSE(SocketAddress::parse("1.2.3.4 ", 1));
}

TEST(SocketAddress, EndpointForms) {
    EXPECT_EQ(SocketAddress::parse_endpoint("10.1.2.3:5353", 53)->to_string(), "10.1.2.3:5353");
    EXPECT_EQ(SocketAddress::parse_endpoint("10.1.2.3", 53)->to_string(), "10.1.2.3:53");
    EXPECT_EQ(SocketAddress::parse_endpoint("[::1]:5353", 53)->to_string(), "[::1]:5353");
    EXPECT_EQ(SocketAddress::parse_endpoint("[::1]", 53)->to_string(), "[::1]:53");
    EXPECT_EQ(SocketAddress::parse_endpoint("::1", 53)->to_string(), "[::1]:53");
    EXPECT_FALSE(SocketAddress::parse_endpoint("[::1]:", 53));
    EXPECT_FALSE(SocketAddress::parse_endpoint("[::1", 53));
    EXPECT_FALSE(SocketAddress::parse_endpoint("1.2.3.4:65536", 53));
    EXPECT_FALSE(SocketAddress::parse_endpoint("1.2.3.4:-1", 53));
    EXPECT_FALSE(SocketAddress::parse_endpoint(":53", 53));
    EXPECT_FALSE(SocketAddress::parse_endpoint("", 53));
}

TEST(SplitHostPort, KeepsNamesForTheResolver) {
    auto hp = split_host_port("pool.ntp.org:123");
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->host, "pool.ntp.org");
    EXPECT_EQ(hp->port, 123);
    hp = split_host_port("pool.ntp.org");
    ASSERT_TRUE(hp);
    EXPECT_FALSE(hp->port);
}

TEST(SocketAddress, EqualityComparesFamilyAddressAndPort) {
    EXPECT_EQ(*SocketAddress::parse("127.0.0.1", 1), *SocketAddress::parse("127.0.0.1", 1));
    EXPECT_NE(*SocketAddress::parse("127.0.0.1", 1), *SocketAddress::parse("127.0.0.1", 2));
    EXPECT_NE(*SocketAddress::parse("127.0.0.1", 1), *SocketAddress::parse("::ffff:127.0.0.1", 1));
    SocketAddress copy = *SocketAddress::parse("::1", 7);
    copy.set_port(8);
    EXPECT_EQ(copy.port(), 8);
}
