// Resolver core: c-ares on the loop. Queries only go to servers the test
// itself runs on loopback (here: one that never answers); names come from
// literals and the hosts file.
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "netreactor/loop.hpp"
#include "netreactor/resolver.hpp"
#include "netreactor/timer.hpp"
#include "netreactor/udp_socket.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

namespace {

// A DNS "server" that receives and never answers.
struct BlackHole : UdpHandler {
    int queries = 0;
    void on_datagram(UdpSocket&, std::span<const char>, const SocketAddress&, bool) override { queries++; }
};

ResolverOptions hermetic(const std::string& server) {
    ResolverOptions o;
    o.servers = {server};
    o.timeout = 100ms;
    o.tries = 1;
    return o;
}

}  // namespace

TEST(Resolver, NumericAddressesAnswerWithoutAQuery) {
    Loop loop;
    BlackHole hole;
    UdpSocket dns(loop, hole);
    dns.bind(*SocketAddress::parse("127.0.0.1", 0));
    dns.start_receiving();
    Resolver resolver(loop, hermetic(dns.local_address().to_string()));
    std::optional<AddressLookup> v4, v6;
    resolver.lookup_addresses("127.0.0.5", AF_UNSPEC, 80, [&](AddressLookup r) { v4 = std::move(r); });
    resolver.lookup_addresses("::1", AF_UNSPEC, 80, [&](AddressLookup r) { v6 = std::move(r); });
    dns.stop_receiving();
    loop.run();
    ASSERT_TRUE(v4);
    ASSERT_FALSE(v4->error) << v4->error->describe();
    ASSERT_EQ(v4->addresses.size(), 1u);
    EXPECT_EQ(v4->addresses[0].to_string(), "127.0.0.5:80");
    ASSERT_TRUE(v6);
    ASSERT_EQ(v6->addresses.size(), 1u);
    EXPECT_EQ(v6->addresses[0].to_string(), "[::1]:80");
    EXPECT_EQ(hole.queries, 0);
}

TEST(Resolver, LocalhostComesFromTheHostsFile) {
    Loop loop;
    BlackHole hole;
    UdpSocket dns(loop, hole);
    dns.bind(*SocketAddress::parse("127.0.0.1", 0));
    dns.start_receiving();
    Resolver resolver(loop, hermetic(dns.local_address().to_string()));
    std::optional<AddressLookup> got;
    resolver.lookup_addresses("localhost", AF_INET, 0, [&](AddressLookup r) { got = std::move(r); dns.stop_receiving(); });
    Timer guard(loop);
    guard.start(3s, [&] { dns.stop_receiving(); });
    guard.keep_loop_alive(false);
    loop.run();
    ASSERT_TRUE(got);
    ASSERT_FALSE(got->error) << got->error->describe();
    ASSERT_FALSE(got->addresses.empty());
    EXPECT_EQ(got->addresses[0].ip(), "127.0.0.1");
    EXPECT_EQ(hole.queries, 0) << "localhost must not reach DNS";
}

TEST(Resolver, ASilentServerTimesOutWithinTheConfiguredTime) {
    Loop loop;
    BlackHole hole;
    UdpSocket dns(loop, hole);
    dns.bind(*SocketAddress::parse("127.0.0.1", 0));
    dns.start_receiving();
    ResolverOptions options = hermetic(dns.local_address().to_string());
    options.use_hosts_file = false;
    options.tries = 2;
    Resolver resolver(loop, options);
    std::optional<AddressLookup> got;
    auto start = monotonic_ns();
    resolver.lookup_addresses("nothing.test", AF_INET, 0, [&](AddressLookup r) { got = std::move(r); dns.stop_receiving(); });
    loop.run();
    double elapsed_ms = static_cast<double>(monotonic_ns() - start) / 1e6;
    ASSERT_TRUE(got);
    ASSERT_TRUE(got->error);
    EXPECT_EQ(got->error->code(), "ETIMEDOUT");
    EXPECT_EQ(got->error->operation(), "resolve");
    EXPECT_GE(hole.queries, 2);
    EXPECT_GE(elapsed_ms, 150);  // two tries of 100 ms (c-ares may randomise a little)
    EXPECT_LT(elapsed_ms, 2000);
    EXPECT_EQ(resolver.pending(), 0u);
}

TEST(Resolver, DestroyingWithQueriesInFlightDropsTheirCallbacks) {
    Loop loop;
    BlackHole hole;
    UdpSocket dns(loop, hole);
    dns.bind(*SocketAddress::parse("127.0.0.1", 0));
    dns.start_receiving();
    ResolverOptions options = hermetic(dns.local_address().to_string());
    options.use_hosts_file = false;
    int called = 0;
    auto resolver = std::make_unique<Resolver>(loop, options);
    for (int i = 0; i < 10; ++i) resolver->lookup_addresses("n" + std::to_string(i) + ".test", AF_UNSPEC, 0, [&](AddressLookup) { called++; });
    EXPECT_EQ(resolver->pending(), 10u);
    Timer later(loop);
    later.start(20ms, [&] { resolver.reset(); dns.stop_receiving(); });
    loop.run();
    EXPECT_EQ(called, 0);
}

TEST(Resolver, DestroyingFromInsideACallbackIsSafe) {
    Loop loop;
    auto resolver = std::make_unique<Resolver>(loop, hermetic("127.0.0.1:9"));
    int called = 0;
    // Numeric names complete synchronously, inside the submission call.
    resolver->lookup_addresses("127.0.0.1", AF_INET, 0, [&](AddressLookup) { called++; resolver.reset(); });
    loop.run();
    EXPECT_EQ(called, 1);
    EXPECT_EQ(resolver, nullptr);
}

TEST(Resolver, CancelAllCompletesPendingQueriesWithEcanceled) {
    Loop loop;
    BlackHole hole;
    UdpSocket dns(loop, hole);
    dns.bind(*SocketAddress::parse("127.0.0.1", 0));
    dns.start_receiving();
    ResolverOptions options = hermetic(dns.local_address().to_string());
    options.use_hosts_file = false;
    Resolver resolver(loop, options);
    std::vector<std::string> codes;
    for (int i = 0; i < 3; ++i) resolver.lookup_addresses("c.test", AF_INET, 0, [&](AddressLookup r) { codes.push_back(r.error ? r.error->code() : "ok"); });
    Timer later(loop);
    later.start(10ms, [&] { resolver.cancel_all(); dns.stop_receiving(); });
    loop.run();
    EXPECT_EQ(codes, std::vector<std::string>(3, "ECANCELED"));
}

TEST(Resolver, MalformedServerIsRejectedUpFront) {
    Loop loop;
    for (const char* bad : {"not-an-ip", "1.2.3.4:99999", "[::1", ""}) {
        ResolverOptions o;
        o.servers = {bad};
        try {
            Resolver r(loop, o);
            ADD_FAILURE() << "accepted " << bad;
        } catch (const SystemError& e) {
            EXPECT_EQ(e.error().code(), "EINVAL") << bad;
        }
    }
}

TEST(Resolver, ReportsTheServersInUse) {
    Loop loop;
    ResolverOptions o;
    o.servers = {"127.0.0.1:5353", "[::1]:53"};
    Resolver r(loop, o);
    EXPECT_EQ(r.servers(), (std::vector<std::string>{"127.0.0.1:5353", "[::1]:53"}));
}
