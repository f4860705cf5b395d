// DnsLookup, the handle of one Resolver lookup: cancel by handle, destroy it
// inside and outside callbacks, and callbacks that never run inside the call
// that started their lookup. Queries only go to servers the test runs itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "netreactor/loop.hpp"
#include "netreactor/resolver.hpp"
#include "netreactor/timer.hpp"
#include "netreactor/udp_socket.hpp"

#include "dns_test_servers.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

using dns_test::SilentDns;

TEST(DnsLookup, CallbacksNeverRunInsideTheCallThatStartedThem) {
    Loop loop;
    SilentDns dns(loop);
    ResolverOptions options = dns.options();
    options.use_hosts_file = true;
    Resolver resolver(loop, options);
    std::vector<std::string> order;
    std::vector<DnsLookup> held;
    held.push_back(resolver.lookup_addresses("127.0.0.1", AF_INET, 80, [&](AddressLookup) { order.push_back("numeric"); }));
    held.push_back(resolver.lookup_addresses("localhost", AF_INET6, 80, [&](AddressLookup) { order.push_back("localhost6"); }));
    held.push_back(resolver.lookup_addresses("localhost", AF_INET, 80, [&](AddressLookup) { order.push_back("hosts"); }));
    held.push_back(resolver.query("a..test", 1, [&](DnsQueryResult) { order.push_back("badname"); }));
    held.push_back(resolver.reverse("not-an-ip", [&](DnsQueryResult) { order.push_back("badreverse"); }));
    held.push_back(resolver.lookup_addresses(std::string("a\0b", 3), AF_INET, 80, [&](AddressLookup r) {
        order.push_back(r.status == DnsStatus::BadName ? "nul" : "nul-not-badname");
    }));
    EXPECT_TRUE(order.empty());
    EXPECT_EQ(resolver.pending(), 6u);
    for (const auto& h : held) EXPECT_TRUE(h.pending());
    dns.socket.stop_receiving();
    loop.run();
    std::sort(order.begin(), order.end());
    EXPECT_EQ(order, (std::vector<std::string>{"badname", "badreverse", "hosts", "localhost6", "nul", "numeric"}));
    for (const auto& h : held) EXPECT_FALSE(h.pending());
    EXPECT_EQ(resolver.pending(), 0u);
    EXPECT_EQ(dns.handler.queries, 0);
}

TEST(DnsLookup, CancelByHandleDropsTheCallbackAndFreesTheLoop) {
    Loop loop;
    SilentDns dns(loop);
    Resolver resolver(loop, dns.options());
    int called = 0;
    auto keep = resolver.query("kept.test", 1, [&](DnsQueryResult) { called += 100; }, 150ms);
    auto dropped = resolver.query("dropped.test", 1, [&](DnsQueryResult) { called++; });
    EXPECT_EQ(resolver.pending(), 2u);
    dropped.cancel();
    dropped.cancel();  // twice is harmless
    EXPECT_FALSE(dropped.pending());
    EXPECT_EQ(resolver.pending(), 1u);
    auto start = monotonic_ns();
    Timer stop(loop);
    stop.keep_loop_alive(false);
    stop.start(1500ms, [&] { dns.socket.stop_receiving(); });
    dns.socket.stop_receiving();
    loop.run();
    double ms = static_cast<double>(monotonic_ns() - start) / 1e6;
    EXPECT_EQ(called, 100) << "the canceled lookup's callback never runs; the other one times out";
    EXPECT_LT(ms, 1000) << "nothing left waits for the 2 s try of the canceled query";
}

TEST(DnsLookup, DestroyingTheHandleOutsideACallbackCancels) {
    Loop loop;
    SilentDns dns(loop);
    Resolver resolver(loop, dns.options());
    int called = 0;
    {
        auto lookup = resolver.lookup_addresses("gone.test", AF_UNSPEC, 0, [&](AddressLookup) { called++; });
        auto numeric = resolver.lookup_addresses("127.0.0.1", AF_INET, 0, [&](AddressLookup) { called++; });
    }  // both dropped, even the one whose answer was already known
    EXPECT_EQ(resolver.pending(), 0u);
    auto start = monotonic_ns();
    dns.socket.stop_receiving();
    loop.run();
    EXPECT_EQ(called, 0);
    EXPECT_LT(static_cast<double>(monotonic_ns() - start) / 1e6, 1000);
}

TEST(DnsLookup, DestroyingHandlesInsideACallbackIsSafe) {
    Loop loop;
    SilentDns dns(loop);
    Resolver resolver(loop, dns.options());
    std::vector<std::string> ran;
    std::optional<DnsLookup> other;
    std::optional<DnsLookup> self;
    std::optional<DnsLookup> third;
    other.emplace(resolver.query("other.test", 1, [&](DnsQueryResult) { ran.push_back("other"); }));
    self.emplace(resolver.lookup_addresses("127.0.0.1", AF_INET, 0, [&](AddressLookup) {
        ran.push_back("self");
        self.reset();   // its own handle: already inactive, nothing to cancel
        other.reset();  // a pending lookup: canceled from inside a callback
        third.reset();  // already answered, waiting for its turn in the same round
    }));
    third.emplace(resolver.lookup_addresses("127.0.0.2", AF_INET, 0, [&](AddressLookup) { ran.push_back("third"); }));
    dns.socket.stop_receiving();
    loop.run();
    EXPECT_EQ(ran, (std::vector<std::string>{"self"}));
    EXPECT_EQ(resolver.pending(), 0u);
}

TEST(DnsLookup, MovingAndDetachingKeepTheCallback) {
    Loop loop;
    SilentDns dns(loop);
    Resolver resolver(loop, dns.options());
    int called = 0;
    DnsLookup moved;
    {
        auto lookup = resolver.lookup_addresses("127.0.0.1", AF_INET, 0, [&](AddressLookup) { called++; });
        moved = std::move(lookup);
    }
    EXPECT_TRUE(moved.pending());
    resolver.lookup_addresses("127.0.0.1", AF_INET, 0, [&](AddressLookup) { called += 10; }).detach();
    // Assigning a new lookup to a handle cancels the one it held.
    auto reused = resolver.lookup_addresses("127.0.0.1", AF_INET, 0, [&](AddressLookup) { called += 1000; });
    reused = resolver.lookup_addresses("127.0.0.1", AF_INET, 0, [&](AddressLookup) { called += 100; });
    dns.socket.stop_receiving();
    loop.run();
    EXPECT_EQ(called, 111);
}

TEST(DnsLookup, AHandleMayOutliveItsResolver) {
    Loop loop;
    SilentDns dns(loop);
    DnsLookup lookup;
    int called = 0;
    {
        Resolver resolver(loop, dns.options());
        lookup = resolver.query("late.test", 1, [&](DnsQueryResult) { called++; });
        EXPECT_TRUE(lookup.pending());
    }
    EXPECT_FALSE(lookup.pending());
    lookup.cancel();
    dns.socket.stop_receiving();
    loop.run();
    EXPECT_EQ(called, 0);
}

TEST(DnsLookup, ACallbackMayEndEverythingWhileCaresStillHoldsItsQuery) {
    // A deadline ends each lookup while c-ares still holds its query (it
    // cannot drop one); the callbacks then make c-ares let go of those
    // queries: by dropping the last lookup (the library cancels what nobody
    // waits for), and by destroying the Resolver.
    Loop loop;
    SilentDns dns(loop);
    auto resolver = std::make_unique<Resolver>(loop, dns.options());
    std::vector<std::string> ran;
    std::optional<DnsLookup> second;
    DnsLookup first = resolver->query("first.test", 1, [&](DnsQueryResult r) {
        ran.push_back("first " + std::string(to_string(r.status)));
        second.reset();
    }, 50ms);
    second.emplace(resolver->query("second.test", 1, [&](DnsQueryResult) { ran.push_back("second"); }, 5000ms));
    DnsLookup third = resolver->query("third.test", 28, [&](DnsQueryResult r) {
        ran.push_back("third " + std::string(to_string(r.status)));
        resolver.reset();
        dns.socket.stop_receiving();
    }, 100ms);
    loop.run();
    EXPECT_EQ(ran, (std::vector<std::string>{"first TIMEOUT", "third TIMEOUT"}));
    EXPECT_EQ(resolver, nullptr);
}

TEST(DnsLookup, ALaterDeadlineHoldsAfterAnEarlierLookupEnded) {
    // The first lookup (deadline 50 ms) ends at once; the deadline timer may
    // still fire at its 50 ms, and must then wait on for the second one's
    // 300 ms instead of ending it early.
    Loop loop;
    SilentDns dns(loop);
    Resolver resolver(loop, dns.options());
    std::optional<double> first_ms, second_ms;
    std::optional<DnsStatus> second_status;
    auto start = monotonic_ns();
    auto elapsed_ms = [&] { return static_cast<double>(monotonic_ns() - start) / 1e6; };
    DnsLookup first = resolver.lookup_addresses("127.0.0.1", AF_INET, 0, [&](AddressLookup) { first_ms = elapsed_ms(); }, 50ms);
    DnsLookup second = resolver.query("silent.test", 1, [&](DnsQueryResult r) {
        second_ms = elapsed_ms();
        second_status = r.status;
        dns.socket.stop_receiving();
    }, 300ms);
    loop.run();
    ASSERT_TRUE(first_ms && second_ms && second_status);
    EXPECT_LT(*first_ms, 50);
    EXPECT_EQ(*second_status, DnsStatus::Timeout);
    EXPECT_GE(*second_ms, 290);
    EXPECT_LT(*second_ms, 1500);
}

TEST(DnsLookup, OwnDeadlinesAndTheOptionsDeadlineEachHold) {
    // Lookups with the options' deadline (300 ms) and with their own (100 ms,
    // 600 ms), started in a mixed order: each ends at its own deadline.
    Loop loop;
    SilentDns dns(loop);
    ResolverOptions options = dns.options();
    options.deadline = 300ms;
    Resolver resolver(loop, options);
    auto start = monotonic_ns();
    std::vector<std::pair<std::string, double>> ended;
    auto note = [&](std::string what) {
        return [&, what](DnsQueryResult r) {
            EXPECT_EQ(r.status, DnsStatus::Timeout) << what;
            ended.emplace_back(what, static_cast<double>(monotonic_ns() - start) / 1e6);
            if (ended.size() == 4) dns.socket.stop_receiving();
        };
    };
    std::vector<DnsLookup> held;
    held.push_back(resolver.query("a.test", 1, note("options-a")));
    held.push_back(resolver.query("b.test", 1, note("own-600"), 600ms));
    held.push_back(resolver.query("c.test", 1, note("own-100"), 100ms));
    held.push_back(resolver.query("d.test", 1, note("options-d")));
    loop.run();
    ASSERT_EQ(ended.size(), 4u);
    EXPECT_EQ(ended[0].first, "own-100");
    EXPECT_EQ(ended[3].first, "own-600");
    for (const auto& [what, ms] : ended) {
        double due = what == "own-100" ? 100 : what == "own-600" ? 600 : 300;
        EXPECT_GE(ms, due - 10) << what;
        EXPECT_LT(ms, due + 700) << what;
    }
}
