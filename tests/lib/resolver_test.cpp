// Resolver core: c-ares on the loop. Queries only go to servers the test
// itself runs on loopback (here: one that never answers); names come from
// literals and the hosts file.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

#include "netreactor/loop.hpp"
#include "netreactor/resolver.hpp"
#include "netreactor/timer.hpp"
#include "netreactor/udp_socket.hpp"

#include "dns_test_servers.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

using dns_test::hermetic;
using dns_test::SilentDns;

TEST(Resolver, NumericAddressesAnswerWithoutAQuery) {
    Loop loop;
    SilentDns dns(loop);
    Resolver resolver(loop, hermetic(dns.address()));
    std::optional<AddressLookup> v4, v6;
    auto h4 = resolver.lookup_addresses("127.0.0.5", AF_UNSPEC, 80, [&](AddressLookup r) { v4 = std::move(r); });
    auto h6 = resolver.lookup_addresses("::1", AF_UNSPEC, 80, [&](AddressLookup r) { v6 = std::move(r); });
    dns.socket.stop_receiving();
    loop.run();
    ASSERT_TRUE(v4);
    ASSERT_FALSE(v4->error) << v4->error->describe();
    ASSERT_EQ(v4->addresses.size(), 1u);
    EXPECT_EQ(v4->addresses[0].to_string(), "127.0.0.5:80");
    ASSERT_TRUE(v6);
    ASSERT_EQ(v6->addresses.size(), 1u);
    EXPECT_EQ(v6->addresses[0].to_string(), "[::1]:80");
    EXPECT_EQ(dns.handler.queries, 0);
}

TEST(Resolver, LocalhostComesFromTheHostsFile) {
    Loop loop;
    SilentDns dns(loop);
    Resolver resolver(loop, hermetic(dns.address()));
    std::optional<AddressLookup> got;
    auto lookup = resolver.lookup_addresses("localhost", AF_INET, 0, [&](AddressLookup r) { got = std::move(r); dns.socket.stop_receiving(); });
    Timer guard(loop);
    guard.start(3s, [&] { dns.socket.stop_receiving(); });
    guard.keep_loop_alive(false);
    loop.run();
    ASSERT_TRUE(got);
    ASSERT_FALSE(got->error) << got->error->describe();
    ASSERT_FALSE(got->addresses.empty());
    EXPECT_EQ(got->addresses[0].ip(), "127.0.0.1");
    EXPECT_EQ(dns.handler.queries, 0) << "localhost must not reach DNS";
}

TEST(Resolver, ASilentServerTimesOutWithinTheConfiguredTime) {
    Loop loop;
    SilentDns dns(loop);
    ResolverOptions options = hermetic(dns.address());
    options.use_hosts_file = false;
    options.tries = 2;
    Resolver resolver(loop, options);
    std::optional<AddressLookup> got;
    auto start = monotonic_ns();
    auto lookup = resolver.lookup_addresses("nothing.test", AF_INET, 0, [&](AddressLookup r) { got = std::move(r); dns.socket.stop_receiving(); });
    loop.run();
    double elapsed_ms = static_cast<double>(monotonic_ns() - start) / 1e6;
    ASSERT_TRUE(got);
    ASSERT_TRUE(got->error);
    EXPECT_EQ(got->error->code(), "ETIMEDOUT");
    EXPECT_EQ(got->error->operation(), "resolve");
    EXPECT_GE(dns.handler.queries, 2);
    EXPECT_GE(elapsed_ms, 150);  // two tries of 100 ms (c-ares may randomise a little)
    EXPECT_LT(elapsed_ms, 2000);
    EXPECT_EQ(resolver.pending(), 0u);
}

TEST(Resolver, DestroyingWithQueriesInFlightDropsTheirCallbacks) {
    Loop loop;
    SilentDns dns(loop);
    ResolverOptions options = hermetic(dns.address());
    options.use_hosts_file = false;
    int called = 0;
    auto resolver = std::make_unique<Resolver>(loop, options);
    std::vector<DnsLookup> held;
    for (int i = 0; i < 10; ++i) held.push_back(resolver->lookup_addresses("n" + std::to_string(i) + ".test", AF_UNSPEC, 0, [&](AddressLookup) { called++; }));
    EXPECT_EQ(resolver->pending(), 10u);
    Timer later(loop);
    later.start(20ms, [&] { resolver.reset(); dns.socket.stop_receiving(); });
    loop.run();
    EXPECT_EQ(called, 0);
}

TEST(Resolver, DestroyingFromInsideACallbackIsSafe) {
    Loop loop;
    auto resolver = std::make_unique<Resolver>(loop, hermetic("127.0.0.1:9"));
    int called = 0;
    // Numeric names complete synchronously, inside the submission call.
    auto lookup = resolver->lookup_addresses("127.0.0.1", AF_INET, 0, [&](AddressLookup) { called++; resolver.reset(); });
    loop.run();
    EXPECT_EQ(called, 1);
    EXPECT_EQ(resolver, nullptr);
}

TEST(Resolver, CancelAllCompletesPendingQueriesWithEcanceled) {
    Loop loop;
    SilentDns dns(loop);
    ResolverOptions options = hermetic(dns.address());
    options.use_hosts_file = false;
    Resolver resolver(loop, options);
    std::vector<std::string> codes;
    std::vector<DnsLookup> held;
    for (int i = 0; i < 3; ++i) held.push_back(resolver.lookup_addresses("c.test", AF_INET, 0, [&](AddressLookup r) { codes.push_back(r.error ? r.error->code() : "ok"); }));
    Timer later(loop);
    later.start(10ms, [&] { resolver.cancel_all(); dns.socket.stop_receiving(); });
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

namespace {

// A DNS server in the test: answers every query with the question echoed, a
// chosen rcode, and (for NOERROR) one A record 192.0.2.1 with TTL 77.
struct FakeServer : UdpHandler {
    int rcode = 0;
    bool with_answer = true;
    bool with_additional = false;  // an A record 192.0.2.2 in the additional section
    int queries = 0;
    void on_datagram(UdpSocket& socket, std::span<const char> q, const SocketAddress& from, bool) override {
        queries++;
        std::string reply(q.data(), q.size());
        reply[2] = static_cast<char>(0x84 | (q[2] & 0x01));  // QR AA, RD copied
        reply[3] = static_cast<char>(rcode);
        bool answer = rcode == 0 && with_answer;
        reply[7] = answer ? 1 : 0;
        if (answer) reply += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x4d\x00\x04\xc0\x00\x02\x01", 16);
        reply[11] = with_additional ? 1 : 0;
        if (with_additional) reply += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x4d\x00\x04\xc0\x00\x02\x02", 16);
        socket.send({reply.data(), reply.size()}, from);
    }
};

using FakeDns = dns_test::LoopbackDns<FakeServer>;

DnsQueryResult ask(Loop& loop, FakeDns& dns, const std::string& name, std::uint16_t type,
                   bool keep_additional_section = true) {
    ResolverOptions options = hermetic(dns.address());
    options.keep_additional_section = keep_additional_section;
    Resolver resolver(loop, options);
    std::optional<DnsQueryResult> got;
    auto lookup = resolver.query(name, type, [&](DnsQueryResult r) { got = std::move(r); dns.socket.stop_receiving(); });
    loop.run();
    dns.socket.start_receiving();
    EXPECT_TRUE(got);
    return got.value_or(DnsQueryResult{});
}

}  // namespace

TEST(ResolverQuery, DecodesTheAnswerAndReportsItsSource) {
    Loop loop;
    FakeDns dns(loop);
    auto r = ask(loop, dns, "www.example.test", 1);
    EXPECT_EQ(to_string(r.status), "NOERROR");
    EXPECT_FALSE(r.error);
    ASSERT_TRUE(r.message);
    EXPECT_TRUE(r.message->flags.aa);
    EXPECT_TRUE(r.message->flags.rd);
    ASSERT_EQ(r.message->answers.size(), 1u);
    EXPECT_EQ(r.message->answers[0].name, "www.example.test");
    EXPECT_EQ(r.message->answers[0].ttl, 77u);
    EXPECT_EQ(r.message->answers[0].data, "192.0.2.1");
    EXPECT_EQ(r.server, dns.address());
    EXPECT_FALSE(r.tcp);
    EXPECT_GT(r.rtt_ms, 0.0);
}

TEST(ResolverQuery, TheAdditionalSectionIsKeptUnlessTheOptionsSayNot) {
    Loop loop;
    FakeDns dns(loop);
    dns.handler.with_additional = true;
    auto kept = ask(loop, dns, "www.example.test", 1);
    ASSERT_TRUE(kept.message);
    ASSERT_EQ(kept.message->additional.size(), 1u);
    EXPECT_EQ(kept.message->additional[0].data, "192.0.2.2");
    auto dropped = ask(loop, dns, "www.example.test", 1, false);
    ASSERT_TRUE(dropped.message);
    EXPECT_TRUE(dropped.message->additional.empty());
    ASSERT_EQ(dropped.message->answers.size(), 1u);
    EXPECT_EQ(dropped.message->answers[0].data, "192.0.2.1");
    EXPECT_EQ(to_string(dropped.status), "NOERROR");
}

namespace {

// One question through `resolver` (whose server is `dns`), the loop run until its answer.
DnsQueryResult ask_with(Loop& loop, FakeDns& dns, Resolver& resolver, const std::string& name) {
    std::optional<DnsQueryResult> got;
    auto lookup = resolver.query(name, 1, [&](DnsQueryResult r) { got = std::move(r); dns.socket.stop_receiving(); });
    loop.run();
    dns.socket.start_receiving();
    EXPECT_TRUE(got);
    if (!got) return {};
    return std::move(*got);  // moved, not copied: the test follows its buffers
}

}  // namespace

// recycle(): a later answer is decoded into a spent result's storage (the
// same record vector and name buffers), and nothing of the spent answer
// shows in it: fewer records, no additional section, no answer at all, no
// message on a timeout. A result the caller keeps is its own.
TEST(ResolverQuery, ARecycledResultLendsItsStorageButNoneOfItsContents) {
    Loop loop;
    FakeDns dns(loop);
    Resolver resolver(loop, hermetic(dns.address()));
    dns.handler.with_additional = true;
    const std::string first_name = "the-first-and-longest-name.example.test";
    DnsQueryResult kept = ask_with(loop, dns, resolver, first_name);
    DnsQueryResult spent = ask_with(loop, dns, resolver, first_name);
    ASSERT_TRUE(spent.message);
    ASSERT_EQ(spent.message->answers.size(), 1u);
    ASSERT_EQ(spent.message->additional.size(), 1u);
    const DnsRecord* records = spent.message->answers.data();
    const char* owner_buffer = spent.message->answers[0].name.data();
    const char* question_buffer = spent.message->question_name.data();
    resolver.recycle(std::move(spent));
    EXPECT_FALSE(spent.message);  // NOLINT(bugprone-use-after-move): recycle() leaves it empty
    EXPECT_TRUE(spent.name.empty());

    dns.handler.with_additional = false;
    DnsQueryResult second = ask_with(loop, dns, resolver, "second.example.test");
    EXPECT_EQ(to_string(second.status), "NOERROR");
    EXPECT_EQ(second.name, "second.example.test");
    ASSERT_TRUE(second.message);
    EXPECT_EQ(second.message->question_name, "second.example.test");
    ASSERT_EQ(second.message->answers.size(), 1u);
    EXPECT_EQ(second.message->answers[0].name, "second.example.test");
    EXPECT_EQ(second.message->answers[0].data, "192.0.2.1");
    EXPECT_TRUE(second.message->additional.empty()) << "the spent answer's additional record leaked";
    EXPECT_TRUE(second.message->authority.empty());
    // The storage is the spent result's: no allocation for this answer's records and names.
    EXPECT_EQ(second.message->answers.data(), records);
    EXPECT_EQ(second.message->answers[0].name.data(), owner_buffer);
    EXPECT_EQ(second.message->question_name.data(), question_buffer);
    resolver.recycle(std::move(second));

    dns.handler.with_answer = false;
    DnsQueryResult third = ask_with(loop, dns, resolver, "third.example.test");
    EXPECT_EQ(to_string(third.status), "NODATA");
    ASSERT_TRUE(third.message);
    EXPECT_EQ(third.message->question_name, "third.example.test");
    EXPECT_TRUE(third.message->answers.empty()) << "the spent answer's record leaked";
    EXPECT_TRUE(third.message->additional.empty());
    resolver.recycle(std::move(third));

    // No answer at all: no message, whatever was recycled.
    dns.socket.stop_receiving();
    std::optional<DnsQueryResult> timed_out;
    auto lookup = resolver.query("fourth.example.test", 1, [&](DnsQueryResult r) { timed_out = std::move(r); });
    loop.run();
    dns.socket.start_receiving();
    ASSERT_TRUE(timed_out);
    EXPECT_EQ(to_string(timed_out->status), "TIMEOUT");
    EXPECT_EQ(timed_out->name, "fourth.example.test");
    EXPECT_FALSE(timed_out->message);

    // The result held since the start is untouched by all of this.
    EXPECT_EQ(kept.name, first_name);
    ASSERT_TRUE(kept.message);
    EXPECT_EQ(kept.message->question_name, first_name);
    ASSERT_EQ(kept.message->answers.size(), 1u);
    EXPECT_EQ(kept.message->answers[0].name, first_name);
    EXPECT_EQ(kept.message->answers[0].data, "192.0.2.1");
    ASSERT_EQ(kept.message->additional.size(), 1u);
    EXPECT_EQ(kept.message->additional[0].data, "192.0.2.2");
}

// A result recycled into a resolver that does not keep the additional
// section (here one from a resolver that does) lends its storage, never its
// additional records: the walker empties the section it does not fill.
TEST(ResolverQuery, ARecycledAdditionalSectionNeverReachesAResolverThatDropsIt) {
    Loop loop;
    FakeDns dns(loop);
    dns.handler.with_additional = true;
    Resolver keeping(loop, hermetic(dns.address()));
    DnsQueryResult spent = ask_with(loop, dns, keeping, "first.example.test");
    ASSERT_TRUE(spent.message);
    ASSERT_EQ(spent.message->additional.size(), 1u);

    ResolverOptions options = hermetic(dns.address());
    options.keep_additional_section = false;
    Resolver dropping(loop, options);
    dropping.recycle(std::move(spent));
    DnsQueryResult next = ask_with(loop, dns, dropping, "second.example.test");
    ASSERT_TRUE(next.message);
    ASSERT_EQ(next.message->answers.size(), 1u);
    EXPECT_EQ(next.message->answers[0].name, "second.example.test");
    EXPECT_TRUE(next.message->additional.empty()) << "the recycled result's additional record leaked";
}

// Results recycled beyond what the resolver keeps are freed, and a resolver
// destroyed with spent results still held frees them (ASan checks both).
TEST(ResolverQuery, RecyclingMoreResultsThanKeptIsHarmless) {
    Loop loop;
    FakeDns dns(loop);
    Resolver resolver(loop, hermetic(dns.address()));
    DnsQueryResult answer = ask_with(loop, dns, resolver, "a-name-longer-than-fifteen-bytes.example.test");
    ASSERT_TRUE(answer.message);
    for (int i = 0; i < 200; ++i) {
        DnsQueryResult copy = answer;
        resolver.recycle(std::move(copy));
    }
    resolver.recycle(DnsQueryResult{});  // nothing to keep
    DnsQueryResult next = ask_with(loop, dns, resolver, "next.example.test");
    ASSERT_TRUE(next.message);
    ASSERT_EQ(next.message->answers.size(), 1u);
    EXPECT_EQ(next.message->answers[0].name, "next.example.test");
}

TEST(ResolverQuery, ServfailAndRefusedAreReportedAsSuch) {
    Loop loop;
    FakeDns dns(loop);
    dns.handler.rcode = 2;
    auto servfail = ask(loop, dns, "a.test", 1);
    EXPECT_EQ(to_string(servfail.status), "SERVFAIL");
    ASSERT_TRUE(servfail.error);
    EXPECT_EQ(servfail.error->code(), "SERVFAIL");
    EXPECT_EQ(dns.handler.queries, 1) << "NOCHECKRESP: no retry on SERVFAIL";
    dns.handler.rcode = 5;
    EXPECT_EQ(to_string(ask(loop, dns, "a.test", 1).status), "REFUSED");
    dns.handler.rcode = 3;
    EXPECT_EQ(to_string(ask(loop, dns, "a.test", 1).status), "NXDOMAIN");
}

TEST(ResolverQuery, AnEmptyNoerrorIsNodata) {
    Loop loop;
    FakeDns dns(loop);
    dns.handler.with_answer = false;
    auto r = ask(loop, dns, "a.test", 15);
    EXPECT_EQ(to_string(r.status), "NODATA");
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->code(), "NODATA");
    // A record of another type than asked is not an answer either.
    dns.handler.with_answer = true;
    EXPECT_EQ(to_string(ask(loop, dns, "a.test", 15).status), "NODATA");
}

TEST(ResolverQuery, InvalidNamesAreRejectedBeforeSending) {
    Loop loop;
    FakeDns dns(loop);
    Resolver resolver(loop, hermetic(dns.address()));
    std::vector<std::string> statuses;
    auto keep = [&](DnsQueryResult r) { statuses.emplace_back(to_string(r.status)); };
    std::vector<DnsLookup> held;
    held.push_back(resolver.query(std::string(64, 'a') + ".test", 1, keep));
    std::string long_name;
    for (int i = 0; i < 26; ++i) long_name += "abcdefghi.";  // 260 characters
    held.push_back(resolver.query(long_name + "test", 1, keep));
    held.push_back(resolver.query("a..test", 1, keep));
    held.push_back(resolver.reverse("not-an-address", keep));
    EXPECT_TRUE(statuses.empty()) << "never inside the call that started the lookup";
    dns.socket.stop_receiving();
    loop.run();
    EXPECT_EQ(statuses, std::vector<std::string>(4, "BADNAME"));  // from the loop
    EXPECT_EQ(resolver.pending(), 0u);
    EXPECT_EQ(dns.handler.queries, 0);
}

TEST(ResolverQuery, DestroyingOrCancellingWithQueriesInFlightIsSafe) {
    Loop loop;
    SilentDns dns(loop);
    auto resolver = std::make_unique<Resolver>(loop, hermetic(dns.address()));
    int called = 0;
    std::vector<std::string> canceled;
    std::vector<DnsLookup> held;
    for (int i = 0; i < 50; ++i) held.push_back(resolver->query("q" + std::to_string(i) + ".test", 1, [&](DnsQueryResult) { called++; }));
    Resolver second(loop, hermetic(dns.address()));
    for (int i = 0; i < 5; ++i)
        held.push_back(second.query("c.test", 16, [&](DnsQueryResult r) {
            canceled.emplace_back(to_string(r.status));
            // Submitting from inside a cancel callback must not crash either.
            if (canceled.size() == 1)
                held.push_back(second.query("again.test", 1, [&](DnsQueryResult r2) { canceled.emplace_back(to_string(r2.status)); }));
        }));
    Timer later(loop);
    later.start(20ms, [&] {
        resolver.reset();
        second.cancel_all();
        second.cancel_all();
    });
    Timer stop(loop);
    stop.start(400ms, [&] { dns.socket.stop_receiving(); });
    loop.run();
    EXPECT_EQ(called, 0);
    ASSERT_GE(canceled.size(), 5u);
    for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(canceled[i], "CANCELED");
}

TEST(ResolverQuery, ReverseAsksThePtrName) {
    Loop loop;
    FakeDns dns(loop);
    dns.handler.with_answer = false;
    auto r = ask(loop, dns, *reverse_name("192.0.2.1"), 12);
    ASSERT_TRUE(r.message);
    EXPECT_EQ(r.message->question_name, "1.2.0.192.in-addr.arpa");
    EXPECT_EQ(r.message->question_type, 12);
}

namespace {

// Collects `expected` queries, then answers them all in reverse order: every
// answer must still reach the query it belongs to (IDs unique in flight).
struct ReversingServer : UdpHandler {
    std::size_t expected;
    std::vector<std::pair<std::string, SocketAddress>> held;
    explicit ReversingServer(std::size_t n) : expected(n) {}
    void on_datagram(UdpSocket& socket, std::span<const char> q, const SocketAddress& from, bool) override {
        // TTL 0x300 + the first label's length: each answer carries its question's mark.
        held.emplace_back(dns_test::one_a_answer(q, 0x300u + static_cast<unsigned char>(q[12])), from);
        if (held.size() == expected)
            for (auto it = held.rbegin(); it != held.rend(); ++it) socket.send({it->first.data(), it->first.size()}, it->second);
    }
};

}  // namespace

TEST(ResolverQuery, ManyConcurrentQueriesEachGetTheirOwnAnswer) {
    Loop loop;
    constexpr std::size_t n = 200;  // within one socket buffer: the server reads only after all are sent
    dns_test::LoopbackDns<ReversingServer> dns(loop, n);
    ResolverOptions options = hermetic(dns.address());
    options.timeout = 3000ms;
    options.tries = 1;  // a dropped answer would show as a timeout
    Resolver resolver(loop, options);
    std::vector<DnsLookup> held;
    std::size_t done = 0, correct = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::string label(1 + i % 60, 'a');
        std::string name = label + "." + std::to_string(i) + ".test";
        held.push_back(resolver.query(name, 1, [&, name, len = label.size()](DnsQueryResult r) {
            done++;
            if (r.status == DnsStatus::NoError && r.message && r.message->question_name == name &&
                r.message->answers.at(0).ttl == 768u + len)
                correct++;
            if (done == n) dns.socket.stop_receiving();
        }));
    }
    loop.run();
    EXPECT_EQ(dns.handler.held.size(), n);
    EXPECT_EQ(done, n);
    EXPECT_EQ(correct, n);
}

namespace {

// Holds the first `burst` queries, then answers them all at once, last asked
// first; answers every later query at once. Each answer: one A record.
struct BurstServer : UdpHandler {
    std::size_t burst;
    std::vector<std::pair<std::string, SocketAddress>> held;
    bool burst_sent = false;
    explicit BurstServer(std::size_t n) : burst(n) {}
    void on_datagram(UdpSocket& socket, std::span<const char> q, const SocketAddress& from, bool) override {
        std::string reply = dns_test::one_a_answer(q, 77);
        if (burst_sent) {
            socket.send({reply.data(), reply.size()}, from);
            return;
        }
        held.emplace_back(std::move(reply), from);
        if (held.size() < burst) return;
        burst_sent = true;
        for (auto it = held.rbegin(); it != held.rend(); ++it) socket.send({it->first.data(), it->first.size()}, it->second);
    }
};

std::string burst_name(std::size_t i) { return "q" + std::to_string(i) + ".burst.test"; }

}  // namespace

// 200 answers waiting in the socket are read a few at a time, each few
// delivered before the next are read (glibc's allocator caches only a few
// blocks per size: docs/benchmarks.md), still in the order they arrived,
// each callback outside c-ares and outside any other callback.
TEST(ResolverQuery, ABurstOfAnswersIsDeliveredInArrivalOrderWhileItIsRead) {
    Loop loop;
    constexpr std::size_t n = 200;  // within one socket buffer
    dns_test::LoopbackDns<BurstServer> dns(loop, n);
    ResolverOptions options = hermetic(dns.address());
    options.timeout = 3000ms;  // one try: a lost answer would show as a timeout
    Resolver resolver(loop, options);
    std::vector<DnsLookup> held;
    std::vector<std::size_t> order;
    std::vector<double> rtt_ms;
    std::size_t correct = 0, follow_ups = 0;
    int depth = 0;
    bool nested = false;
    for (std::size_t i = 0; i < n; ++i) {
        held.push_back(resolver.query(burst_name(i), 1, [&, i](DnsQueryResult r) {
            nested = nested || depth++ > 0;
            order.push_back(i);
            rtt_ms.push_back(r.rtt_ms);
            if (r.status == DnsStatus::NoError && r.message && r.message->question_name == burst_name(i)) correct++;
            // The rest of the burst waits in the socket meanwhile.
            if (order.size() == 1) std::this_thread::sleep_for(30ms);
            // Sent between two rounds of the burst, answered after it.
            resolver.query("f" + burst_name(i), 1, [&](DnsQueryResult f) {
                nested = nested || depth++ > 0;
                if (f.status == DnsStatus::NoError && ++follow_ups == n) dns.socket.stop_receiving();
                depth--;
            }).detach();
            depth--;
        }));
    }
    loop.run();
    std::vector<std::size_t> arrival;
    for (std::size_t i = n; i-- > 0;) arrival.push_back(i);
    EXPECT_EQ(order, arrival);
    EXPECT_EQ(correct, n);
    EXPECT_EQ(follow_ups, n);
    EXPECT_FALSE(nested);
    ASSERT_EQ(rtt_ms.size(), n);
    // Read in one round, every answer would have been decoded (its rtt taken)
    // before the first callback ran.
    EXPECT_GE(rtt_ms.back(), rtt_ms.front() + 30) << "the last answer was read before the first was delivered";
}

TEST(ResolverQuery, ACallbackMayDestroyTheResolverInTheMiddleOfABurst) {
    Loop loop;
    constexpr std::size_t n = 200;
    dns_test::LoopbackDns<BurstServer> dns(loop, n);
    ResolverOptions options = hermetic(dns.address());
    options.timeout = 3000ms;
    auto resolver = std::make_unique<Resolver>(loop, options);
    std::vector<DnsLookup> held;
    std::size_t called = 0;
    for (std::size_t i = 0; i < n; ++i) {
        held.push_back(resolver->query(burst_name(i), 1, [&](DnsQueryResult) {
            // Past the first round: later rounds of this burst are still unread.
            if (++called == 40) {
                resolver.reset();
                dns.socket.stop_receiving();
            }
        }));
    }
    loop.run();
    EXPECT_EQ(called, 40u);
    EXPECT_EQ(resolver, nullptr);
    std::size_t still_pending = 0;
    for (const auto& lookup : held) still_pending += lookup.pending() ? 1 : 0;
    EXPECT_EQ(still_pending, 0u);
}

// --- Deadlines, statuses, presentation format ---

TEST(ResolverDeadline, HoldsWhateverTheTriesAre) {
    // 20 tries of 100 ms doubling each round would take about 29 hours: the
    // deadline (300 ms) ends the lookup, and the loop is free right after.
    Loop loop;
    SilentDns dns(loop);
    ResolverOptions options = hermetic(dns.address());
    options.tries = 20;
    Resolver resolver(loop, options);
    std::optional<DnsQueryResult> got;
    double completed_ms = 0;
    auto start = monotonic_ns();
    auto lookup = resolver.query("silent.test", 1, [&](DnsQueryResult r) {
        got = std::move(r);
        completed_ms = static_cast<double>(monotonic_ns() - start) / 1e6;
        dns.socket.stop_receiving();
    }, 300ms);
    loop.run();
    double loop_ms = static_cast<double>(monotonic_ns() - start) / 1e6;
    ASSERT_TRUE(got);
    EXPECT_EQ(got->status, DnsStatus::Timeout);
    ASSERT_TRUE(got->error);
    EXPECT_EQ(got->error->code(), "ETIMEDOUT");
    EXPECT_GE(completed_ms, 295);
    EXPECT_LT(completed_ms, 600);
    EXPECT_LT(loop_ms, 800) << "the abandoned c-ares query must not keep the loop running";
    EXPECT_GE(dns.handler.queries, 2);
    EXPECT_EQ(resolver.pending(), 0u);
}

TEST(ResolverDeadline, TheOptionsDeadlineAppliesToAddressLookups) {
    Loop loop;
    SilentDns dns(loop);
    ResolverOptions options = hermetic(dns.address());
    options.use_hosts_file = false;
    options.tries = 20;
    options.deadline = 200ms;
    Resolver resolver(loop, options);
    std::optional<AddressLookup> got;
    auto start = monotonic_ns();
    auto lookup = resolver.lookup_addresses("silent.test", AF_UNSPEC, 0, [&](AddressLookup r) { got = std::move(r); dns.socket.stop_receiving(); });
    loop.run();
    double ms = static_cast<double>(monotonic_ns() - start) / 1e6;
    ASSERT_TRUE(got);
    EXPECT_EQ(got->status, DnsStatus::Timeout);
    EXPECT_EQ(got->error->code(), "ETIMEDOUT");
    EXPECT_GE(ms, 195);
    EXPECT_LT(ms, 700);
}

TEST(ResolverStatus, NoServerCouldBeContactedHasItsOwnCode) {
    Loop loop;
    std::string closed_port;
    {
        dns_test::LoopbackDns<dns_test::BlackHole> gone(loop);
        closed_port = gone.address();
    }
    loop.run_once(false);
    ResolverOptions options = hermetic(closed_port);
    options.timeout = 1000ms;
    Resolver resolver(loop, options);
    std::optional<DnsQueryResult> got;
    auto lookup = resolver.query("refused.test", 1, [&](DnsQueryResult r) { got = std::move(r); });
    loop.run();
    ASSERT_TRUE(got);
    EXPECT_EQ(to_string(got->status), "NOSERVER");
    ASSERT_TRUE(got->error);
    EXPECT_EQ(got->error->code(), "ENOSERVER") << "not ECONNREFUSED, which a refused TCP connect reports";
    EXPECT_LT(got->rtt_ms, 900);
}

TEST(ResolverStatus, ToStringAndErrorCodes) {
    EXPECT_EQ(to_string(DnsStatus::NoError), "NOERROR");
    EXPECT_EQ(to_string(DnsStatus::Timeout), "TIMEOUT");
    EXPECT_EQ(error_code(DnsStatus::Timeout), "ETIMEDOUT");
    EXPECT_EQ(error_code(DnsStatus::NoServer), "ENOSERVER");
    EXPECT_EQ(error_code(DnsStatus::NxDomain), "NXDOMAIN");
    EXPECT_EQ(status_from_rcode(3), DnsStatus::NxDomain);
    EXPECT_EQ(status_from_rcode(12), DnsStatus::OtherRcode);
}

TEST(ResolverOptionsCheck, PortZeroAndScopedServersAreRejected) {
    Loop loop;
    for (const char* bad : {"127.0.0.1:0", "[::1]:0", "[fe80::1%lo]:5399", "fe80::1", "[fe80::1]:53"}) {
        ResolverOptions o;
        o.servers = {bad};
        try {
            Resolver r(loop, o);
            ADD_FAILURE() << "accepted " << bad;
        } catch (const SystemError& e) {
            EXPECT_EQ(e.error().code(), "EINVAL") << bad;
            EXPECT_FALSE(e.error().message().empty());
        }
    }
}

namespace {

// Answers with the right ID and a body nobody can decode.
struct GarbageServer : UdpHandler {
    int queries = 0;
    void on_datagram(UdpSocket& socket, std::span<const char> q, const SocketAddress& from, bool) override {
        queries++;
        std::string reply(q.data(), 12);
        reply[2] = static_cast<char>(0x81);
        reply[3] = 0;
        reply[7] = 1;                        // one answer...
        reply += std::string("\x3f\x01", 2);  // ...and a question name that runs off the end
        socket.send({reply.data(), reply.size()}, from);
    }
};

}  // namespace

TEST(ResolverStatus, AnUndecodableAnswerIsBadrespAtOnce) {
    Loop loop;
    dns_test::LoopbackDns<GarbageServer> dns(loop);
    ResolverOptions options = hermetic(dns.address());
    options.timeout = 2000ms;
    options.tries = 3;
    Resolver resolver(loop, options);
    std::optional<DnsQueryResult> got;
    auto lookup = resolver.query("garbled.test", 1, [&](DnsQueryResult r) { got = std::move(r); dns.socket.stop_receiving(); });
    loop.run();
    ASSERT_TRUE(got);
    EXPECT_EQ(to_string(got->status), "BADRESP");
    EXPECT_EQ(got->error->code(), "BADRESP");
    EXPECT_LT(got->rtt_ms, 1000) << "not a TIMEOUT after the whole wait";
    EXPECT_EQ(dns.handler.queries, 1);
    EXPECT_EQ(got->server, dns.address());
}

namespace {

// Answers every query with its ID but another question (other.test, A,
// decodable), which c-ares drops; then, if `also_answer`, with the real answer.
struct ImpostorServer : UdpHandler {
    explicit ImpostorServer(bool answer_too) : also_answer(answer_too) {}
    bool also_answer;
    int queries = 0;
    void on_datagram(UdpSocket& socket, std::span<const char> q, const SocketAddress& from, bool) override {
        queries++;
        std::string reply(q.data(), 2);                           // the query's ID
        reply += static_cast<char>(0x84 | (q[2] & 0x01));         // QR AA, RD copied
        reply += std::string("\x03\x00\x01\x00\x01\x00\x00\x00\x00", 9);  // NXDOMAIN, 1 question, 1 answer
        reply += std::string("\x05other\x04test\x00\x00\x01\x00\x01", 16);
        reply += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x63", 16);
        socket.send({reply.data(), reply.size()}, from);
        if (also_answer) {
            std::string real = dns_test::one_a_answer(q, 60);
            socket.send({real.data(), real.size()}, from);
        }
    }
};

}  // namespace

// The socket hook decodes every datagram with a query's ID before c-ares
// checks its question: what c-ares drops must leave no trace in the result.
TEST(ResolverQuery, AnAnswerCaresDropsLeavesNoTraceInTheResult) {
    Loop loop;
    dns_test::LoopbackDns<ImpostorServer> dns(loop, false);
    Resolver resolver(loop, hermetic(dns.address()));
    std::optional<DnsQueryResult> got;
    auto lookup = resolver.query("mine.test", 1, [&](DnsQueryResult r) { got = std::move(r); dns.socket.stop_receiving(); });
    loop.run();
    ASSERT_TRUE(got);
    EXPECT_EQ(to_string(got->status), "TIMEOUT");
    EXPECT_EQ(dns.handler.queries, 1);
    EXPECT_FALSE(got->message) << "the impostor's answer, rcode " << got->message->rcode;

    dns_test::LoopbackDns<ImpostorServer> both(loop, true);
    Resolver second(loop, hermetic(both.address(), 2000ms));
    got.reset();
    lookup = second.query("mine.test", 1, [&](DnsQueryResult r) { got = std::move(r); both.socket.stop_receiving(); });
    loop.run();
    ASSERT_TRUE(got);
    EXPECT_EQ(to_string(got->status), "NOERROR");
    ASSERT_TRUE(got->message);
    EXPECT_EQ(got->message->rcode, 0);
    EXPECT_EQ(got->message->question_name, "mine.test");
    ASSERT_EQ(got->message->answers.size(), 1u);
    EXPECT_EQ(got->message->answers[0].data, "192.0.2.1");
}

namespace {

// UDP: every answer truncated (TC, no records). TCP on the same port: every
// connection accepted and closed at once, without an answer.
struct TruncatingServer : UdpHandler {
    int queries = 0;
    void on_datagram(UdpSocket& socket, std::span<const char> q, const SocketAddress& from, bool) override {
        queries++;
        std::string reply(q.data(), q.size());
        reply[2] = static_cast<char>(0x83 | (q[2] & 0x01));  // QR, TC, RD copied
        reply[3] = 0;
        socket.send({reply.data(), reply.size()}, from);
    }
};

}  // namespace

TEST(ResolverStatus, ATruncatedAnswerWhoseTcpRetryIsClosedSaysSo) {
    Loop loop;
    dns_test::LoopbackDns<TruncatingServer> dns(loop);
    SocketAddress at = dns.socket.local_address();
    int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT_GE(listener, 0);
    ASSERT_EQ(::bind(listener, at.sockaddr_ptr(), at.length()), 0);
    ASSERT_EQ(::listen(listener, 8), 0);
    int accepted = 0;
    Timer acceptor(loop);
    acceptor.keep_loop_alive(false);
    acceptor.start(2ms, [&] {
        for (int fd; (fd = ::accept(listener, nullptr, nullptr)) >= 0;) {
            accepted++;
            ::close(fd);
        }
    }, 2ms);
    ResolverOptions options = hermetic(at.to_string());
    options.timeout = 1000ms;
    options.tries = 2;
    Resolver resolver(loop, options);
    std::optional<DnsQueryResult> got;
    auto lookup = resolver.query("big.test", 16, [&](DnsQueryResult r) { got = std::move(r); dns.socket.stop_receiving(); });
    loop.run();
    ::close(listener);
    ASSERT_TRUE(got);
    EXPECT_EQ(to_string(got->status), "TRUNCATED");
    ASSERT_TRUE(got->error);
    // Closed with the query unread: the kernel may turn the FIN into a reset.
    EXPECT_TRUE(got->error->code() == "EOF" || got->error->code() == "ECONNRESET") << got->error->code();
    EXPECT_NE(got->error->message().find("truncated"), std::string::npos) << got->error->message();
    EXPECT_TRUE(got->tcp);
    EXPECT_GE(accepted, 1);
    EXPECT_LT(got->rtt_ms, 900);
}

TEST(ResolverPresentation, EscapesAreReadAsRfc1035SaysAndWrittenBack) {
    Loop loop;
    FakeDns dns(loop);
    // "a b" (a space), "x.y" (a dot inside a label), a backslash and byte 200.
    auto r = ask(loop, dns, "a\\032b.x\\.y.\\\\.\\200.test", 1);
    ASSERT_TRUE(r.message);
    EXPECT_EQ(r.message->question_name, "a\\032b.x\\.y.\\\\.\\200.test");
    ASSERT_EQ(r.message->answers.size(), 1u);
    EXPECT_EQ(r.message->answers[0].name, "a\\032b.x\\.y.\\\\.\\200.test");
    // \X is X itself: "\a" asks "a".
    auto plain = ask(loop, dns, "\\a.test", 1);
    ASSERT_TRUE(plain.message);
    EXPECT_EQ(plain.message->question_name, "a.test");
    EXPECT_EQ(plain.name, "\\a.test") << "the name reported is the name asked";
}

TEST(ResolverPresentation, ANulByteOrABadEscapeIsBadnameWithNothingSent) {
    Loop loop;
    FakeDns dns(loop);
    Resolver resolver(loop, hermetic(dns.address()));
    std::vector<DnsQueryResult> got;
    std::vector<DnsLookup> held;
    std::string nul("w\0ww.lab.test", 13);
    for (const std::string& name : {nul, std::string("a\\256.test"), std::string("a\\12"), std::string("a\\")})
        held.push_back(resolver.query(name, 1, [&](DnsQueryResult r) { got.push_back(std::move(r)); }));
    held.push_back(resolver.reverse(std::string("127.0.0.1\0x", 11), [&](DnsQueryResult r) { got.push_back(std::move(r)); }));
    dns.socket.stop_receiving();
    loop.run();
    ASSERT_EQ(got.size(), 5u);
    for (const auto& r : got) EXPECT_EQ(r.status, DnsStatus::BadName) << r.name;
    EXPECT_EQ(got[0].name, nul);
    EXPECT_EQ(dns.handler.queries, 0);
}

TEST(ResolverQuery, AnyAndUnknownTypesAreAsked) {
    Loop loop;
    FakeDns dns(loop);
    auto any = ask(loop, dns, "www.example.test", 255);
    EXPECT_EQ(any.status, DnsStatus::NoError) << "an A record answers ANY";
    ASSERT_TRUE(any.message);
    EXPECT_EQ(any.message->question_type, 255);
    dns.handler.with_answer = false;
    auto unknown = ask(loop, dns, "www.example.test", 65280);
    ASSERT_TRUE(unknown.message);
    EXPECT_EQ(unknown.message->question_type, 65280);
    EXPECT_EQ(unknown.status, DnsStatus::NoData);
}
