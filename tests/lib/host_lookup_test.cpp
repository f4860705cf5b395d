// HostLookup: a host's addresses in RFC 8305 order, with the same rules and
// errors as TcpConnector. DNS answers come from a server in the test.
#include <gtest/gtest.h>

#include <optional>

#include "connect_test_peers.hpp"
#include "netreactor/host_lookup.hpp"

using namespace std::chrono_literals;
using namespace netreactor;
using connect_test::FakeDns;

namespace {

HostAddresses look_up(Loop& loop, HostLookupOptions options, const std::string& host, std::uint16_t port = 123) {
    HostLookup lookup(loop, options);
    auto run = connect_test::run_until_delivered<HostAddresses>(
        loop, [&](auto done) { lookup.start(host, port, std::move(done)); });
    EXPECT_FALSE(run.inside_start) << "called inside start()";
    EXPECT_FALSE(lookup.active());
    return run.value;
}

HostLookupOptions via(const FakeDns& dns, int family = AF_UNSPEC) {
    HostLookupOptions o;
    o.family = family;
    o.resolver = connect_test::hermetic(dns);
    return o;
}

std::vector<std::string> ips(const HostAddresses& r) {
    std::vector<std::string> out;
    for (const auto& a : r.addresses) out.push_back(a.to_string());
    return out;
}

}  // namespace

TEST(HostLookup, LiteralsAnswerWithoutAQuery) {
    Loop loop;
    FakeDns dns(loop);
    EXPECT_EQ(ips(look_up(loop, via(dns), "127.0.0.1")), std::vector<std::string>{"127.0.0.1:123"});
    EXPECT_EQ(ips(look_up(loop, via(dns), "[::1]", 9)), std::vector<std::string>{"[::1]:9"});
    EXPECT_EQ(ips(look_up(loop, via(dns), "::1")), std::vector<std::string>{"[::1]:123"});
    EXPECT_EQ(dns.questions, 0);
}

TEST(HostLookup, AddressesAlternateFamiliesIpv6First) {
    Loop loop;
    FakeDns dns(loop);
    dns.records["many.test"] = {{"192.0.2.1", "192.0.2.2", "192.0.2.3"}, {"2001:db8::1", "2001:db8::2"}};
    auto r = look_up(loop, via(dns), "many.test");
    ASSERT_FALSE(r.error);
    EXPECT_EQ(ips(r), (std::vector<std::string>{"[2001:db8::1]:123", "192.0.2.1:123", "[2001:db8::2]:123",
                                                "192.0.2.2:123", "192.0.2.3:123"}));
    EXPECT_EQ(dns.questions, 2);  // AAAA and A, together
    auto v4 = look_up(loop, via(dns, AF_INET), "many.test");
    EXPECT_EQ(v4.addresses.size(), 3u);
    EXPECT_EQ(dns.questions, 3);  // -4: no AAAA question
}

TEST(HostLookup, ErrorsAreTheConnectorsErrors) {
    Loop loop;
    FakeDns dns(loop);
    dns.records["v6only.test"] = {{}, {"2001:db8::1"}};
    auto wrong = look_up(loop, via(dns, AF_INET), "[::1]");
    ASSERT_TRUE(wrong.error);
    EXPECT_EQ(wrong.error->code(), "EAFNOSUPPORT");
    EXPECT_TRUE(wrong.addresses.empty());
    auto nodata = look_up(loop, via(dns, AF_INET), "v6only.test");
    ASSERT_TRUE(nodata.error);
    EXPECT_EQ(nodata.error->code(), "NODATA");
    EXPECT_EQ(nodata.error->message(), "v6only.test has no IPv4 address");
    auto missing = look_up(loop, via(dns), "missing.test");
    ASSERT_TRUE(missing.error);
    EXPECT_EQ(missing.error->code(), "NXDOMAIN");
    int before = dns.questions;
    auto bad = look_up(loop, via(dns), "host:123");
    ASSERT_TRUE(bad.error);
    EXPECT_EQ(bad.error->code(), "BADNAME");
    EXPECT_EQ(dns.questions, before);
}

TEST(HostLookup, OneFamilyAnsweringIsEnough) {
    Loop loop;
    FakeDns dns(loop);
    dns.records["v6only.test"] = {{}, {"2001:db8::1"}};
    auto r = look_up(loop, via(dns), "v6only.test");
    ASSERT_FALSE(r.error);
    EXPECT_EQ(ips(r), std::vector<std::string>{"[2001:db8::1]:123"});
}

TEST(HostLookup, DeadlineHolds) {
    Loop loop;
    FakeDns dns(loop);
    dns.silent[1] = dns.silent[28] = true;
    HostLookupOptions options = via(dns);
    options.resolver.timeout = 5000ms;
    options.deadline = 150ms;
    auto r = look_up(loop, options, "slow.test");
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code(), "ETIMEDOUT");
    EXPECT_GE(r.elapsed_ms, 149.0);
    EXPECT_LT(r.elapsed_ms, 1000.0);
}

TEST(HostLookup, DestroyingItCancels) {
    Loop loop;
    FakeDns dns(loop);
    dns.silent[1] = dns.silent[28] = true;
    auto lookup = std::make_unique<HostLookup>(loop, via(dns));
    bool called = false;
    lookup->start("slow.test", 1, [&](HostAddresses) { called = true; });
    Timer later(loop);
    later.start(30ms, [&] {
        lookup.reset();
        dns.socket.stop_receiving();
    });
    loop.run();
    EXPECT_FALSE(called);
}
