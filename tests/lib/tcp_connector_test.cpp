// TcpConnector: connect by name with RFC 8305 racing. Names come from a DNS
// server in the test (connect_test_peers.hpp) or the hosts file; every peer
// is on loopback. An address "that never answers" is a listener whose
// accept queue is full, so its SYNs are dropped.
#include <gtest/gtest.h>

#include <optional>

#include "connect_test_peers.hpp"
#include "netreactor/tcp_connector.hpp"

using namespace std::chrono_literals;
using namespace netreactor;
using connect_test::FakeDns;
using connect_test::NamedPeers;
using Peer = connect_test::NamedPeers::Peer;
using connect_test::RawListener;

namespace {

struct QuietHandler : ConnectionHandler {
    int data_calls = 0;
    int closed_calls = 0;
    void on_data(TcpConnection&, std::span<const char>) override { data_calls++; }
    void on_closed(TcpConnection&, const Error*) override { closed_calls++; }
};

// Every test's loop, DNS server (asked only through via_dns()) and the
// handler the winning connection gets.
class TcpConnectorTest : public ::testing::Test {
protected:
    // Connects `host`:`port` and runs the loop until the outcome; the
    // connector is active exactly until then.
    connect_test::Delivered<ConnectOutcome> connect(const std::string& host, std::uint16_t port,
                                                    const ConnectOptions& options = {}) {
        TcpConnector connector(loop, options);
        auto run = connect_test::run_until_delivered<ConnectOutcome>(loop, [&](auto done) {
            connector.connect(host, port, handler, std::move(done));
            EXPECT_TRUE(connector.active());
        });
        EXPECT_FALSE(connector.active());
        return run;
    }

    // Options that resolve through `dns` only.
    ConnectOptions via_dns() const {
        ConnectOptions o;
        o.resolver = connect_test::hermetic(dns);
        return o;
    }

    Loop loop;
    FakeDns dns{loop};
    QuietHandler handler;
};

}  // namespace

TEST_F(TcpConnectorTest, NumericLiteralConnectsFromTheLoop) {
    RawListener server("127.0.0.1", false);
    auto run = connect("127.0.0.1", server.port);
    EXPECT_FALSE(run.inside_start);
    const auto& o = run.value;
    ASSERT_TRUE(o.connection) << o.error->describe();
    EXPECT_FALSE(o.error);
    ASSERT_EQ(o.attempts.size(), 1u);
    ASSERT_NE(o.winner(), nullptr);
    EXPECT_EQ(o.winner()->address, server.address);
    EXPECT_EQ(o.connection->peer_address(), server.address);
    EXPECT_EQ(o.connection->state(), TcpConnection::State::connected);
    EXPECT_TRUE(o.connection->reading());
    EXPECT_EQ(o.host, "127.0.0.1");
}

TEST_F(TcpConnectorTest, BracketedIpv6LiteralAndZone) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    RawListener server("::1", false);
    auto run = connect("[::1]", server.port);
    ASSERT_TRUE(run.value.connection);
    EXPECT_EQ(run.value.winner()->address.ip(), "::1");
    // A zone on an address that is not link-local is kept and ignored by the
    // kernel for loopback; "%lo" must parse as a literal, never go to DNS.
    auto zoned = connect("::1%lo", server.port);
    EXPECT_NE(zoned.value.attempts.size(), 0u);
}

TEST_F(TcpConnectorTest, LiteralOfTheOtherFamilyIsRefusedWithoutAnAttempt) {
    ConnectOptions v4only;
    v4only.family = AF_INET;
    auto run = connect("::1", 80, v4only);
    ASSERT_TRUE(run.value.error);
    EXPECT_EQ(run.value.error->code(), "EAFNOSUPPORT");
    EXPECT_EQ(run.value.error->operation(), "resolve");
    EXPECT_TRUE(run.value.attempts.empty());
    EXPECT_FALSE(run.inside_start);
}

TEST_F(TcpConnectorTest, TextThatIsNotANameNeverReachesDns) {
    for (const char* host : {"127.0.0.1:80", "http://x.test/", "a..b", "", "w\x01w.test"}) {
        auto run = connect(host, 80, via_dns());
        ASSERT_TRUE(run.value.error) << host;
        EXPECT_EQ(run.value.error->code(), "BADNAME") << host;
    }
    EXPECT_EQ(dns.questions, 0);
}

TEST_F(TcpConnectorTest, LocalhostComesFromTheHostsFileWithoutDns) {
    RawListener server("127.0.0.1", false);
    ConnectOptions options = via_dns();
    options.family = AF_INET;
    auto run = connect("localhost", server.port, options);
    ASSERT_TRUE(run.value.connection);
    EXPECT_EQ(run.value.winner()->address, server.address);
    EXPECT_EQ(dns.questions, 0);
}

TEST_F(TcpConnectorTest, SilentIpv6LosesToIpv4AfterTheAttemptDelay) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    NamedPeers dual(dns, "dual.test");
    ASSERT_TRUE(dual.add("127.0.0.1", Peer::accepts));
    ASSERT_TRUE(dual.add("::1", Peer::silent));
    auto run = connect("dual.test", dual.port(), via_dns());
    const auto& o = run.value;
    ASSERT_TRUE(o.connection) << o.error->describe();
    ASSERT_EQ(o.attempts.size(), 2u);
    EXPECT_EQ(o.attempts[0].address.ip(), "::1");  // IPv6 first
    ASSERT_TRUE(o.attempts[0].error);
    EXPECT_EQ(o.attempts[0].error->code(), "ECANCELED");
    EXPECT_EQ(o.attempts[1].address, dual.address(0));
    EXPECT_FALSE(o.attempts[1].error);
    EXPECT_GE(o.attempts[1].started_ms, 240.0);  // the 250 ms attempt delay
    EXPECT_LT(o.attempts[1].started_ms, 400.0);
    EXPECT_GE(o.elapsed_ms, 240.0);
    EXPECT_LT(o.elapsed_ms, 1000.0);
    EXPECT_EQ(o.addresses.size(), 2u);
}

TEST_F(TcpConnectorTest, AttemptDelayIsConfigurable) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    NamedPeers dual(dns, "dual.test");
    ASSERT_TRUE(dual.add("127.0.0.1", Peer::accepts));
    ASSERT_TRUE(dual.add("::1", Peer::silent));
    ConnectOptions options = via_dns();
    options.attempt_delay = 100ms;
    auto run = connect("dual.test", dual.port(), options);
    ASSERT_TRUE(run.value.connection);
    EXPECT_GE(run.value.attempts.at(1).started_ms, 95.0);
    EXPECT_LT(run.value.attempts.at(1).started_ms, 240.0);
}

TEST_F(TcpConnectorTest, ARecordFirstWaitsTheResolutionDelayForAaaa) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    NamedPeers both(dns, "dual.test");  // both work
    ASSERT_TRUE(both.add("127.0.0.1", Peer::accepts));
    ASSERT_TRUE(both.add("::1", Peer::accepts));
    // AAAA 20 ms after A: within the resolution delay, so IPv6 still goes first.
    dns.delay[28] = 20ms;
    auto run = connect("dual.test", both.port(), via_dns());
    ASSERT_TRUE(run.value.connection);
    EXPECT_EQ(run.value.winner()->address.ip(), "::1");
    EXPECT_EQ(run.value.attempts.size(), 1u);
    // AAAA 400 ms late: IPv4 starts once the 50 ms resolution delay is over.
    dns.delay[28] = 400ms;
    run = connect("dual.test", both.port(), via_dns());
    ASSERT_TRUE(run.value.connection);
    EXPECT_EQ(run.value.winner()->address, both.address(0));
    ASSERT_TRUE(run.value.first_attempt_ms);
    EXPECT_GE(*run.value.first_attempt_ms, 45.0);
    EXPECT_LT(*run.value.first_attempt_ms, 300.0);
}

TEST_F(TcpConnectorTest, EveryFailureIsReportedPerAttempt) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    std::uint16_t port = connect_test::closed_port("127.0.0.1");
    dns.records["dual.test"] = {{"127.0.0.1"}, {"::1"}};
    auto run = connect("dual.test", port, via_dns());
    const auto& o = run.value;
    ASSERT_TRUE(o.error);
    EXPECT_FALSE(o.connection);
    EXPECT_EQ(o.error->code(), "ECONNREFUSED");
    EXPECT_EQ(o.error->operation(), "connect");
    ASSERT_EQ(o.attempts.size(), 2u);
    for (const auto& a : o.attempts) {
        ASSERT_TRUE(a.error);
        EXPECT_EQ(a.error->code(), "ECONNREFUSED");
        EXPECT_NE(o.error->message().find(a.address.to_string()), std::string::npos) << o.error->message();
    }
    // A refusal starts the next address at once, not after the attempt delay.
    EXPECT_LT(o.attempts[1].started_ms, 200.0);
    EXPECT_EQ(handler.closed_calls, 0);
}

TEST_F(TcpConnectorTest, LookupFailuresKeepTheResolversCode) {
    dns.records["v4only.test"] = {{"127.0.0.1"}, {}};
    auto run = connect("missing.test", 80, via_dns());
    ASSERT_TRUE(run.value.error);
    EXPECT_EQ(run.value.error->code(), "NXDOMAIN");
    EXPECT_EQ(run.value.error->operation(), "resolve");
    ConnectOptions v6only = via_dns();
    v6only.family = AF_INET6;
    run = connect("v4only.test", 80, v6only);
    ASSERT_TRUE(run.value.error);
    EXPECT_EQ(run.value.error->code(), "NODATA");
    EXPECT_EQ(run.value.error->message(), "v4only.test has no IPv6 address");
}

TEST_F(TcpConnectorTest, DeadlineHoldsWhileResolving) {
    dns.silent[1] = dns.silent[28] = true;
    ConnectOptions options = via_dns();
    options.resolver.timeout = 5000ms;
    options.deadline = 200ms;
    auto t0 = monotonic_ns();
    auto run = connect("slow.test", 80, options);
    double ms = connect_test::ms_since(t0);
    ASSERT_TRUE(run.value.error);
    EXPECT_EQ(run.value.error->code(), "ETIMEDOUT");
    EXPECT_EQ(run.value.error->operation(), "resolve");
    EXPECT_GE(ms, 199.0);
    EXPECT_LT(ms, 1000.0);
}

TEST_F(TcpConnectorTest, DeadlineHoldsWhileConnecting) {
    RawListener hole("127.0.0.1", true);
    ConnectOptions options;
    options.deadline = 300ms;
    auto run = connect("127.0.0.1", hole.port, options);
    ASSERT_TRUE(run.value.error);
    EXPECT_EQ(run.value.error->code(), "ETIMEDOUT");
    EXPECT_EQ(run.value.error->operation(), "connect");
    ASSERT_EQ(run.value.attempts.size(), 1u);
    EXPECT_EQ(run.value.attempts[0].error->code(), "ETIMEDOUT");
    EXPECT_GE(run.value.elapsed_ms, 299.0);
    EXPECT_LT(run.value.elapsed_ms, 1000.0);
}

// The deadline is one limit over the whole race (nr-fetch's
// --connect-timeout): attempts overlap, so it ends them all at once, and the
// addresses it leaves untried are still reported.
TEST_F(TcpConnectorTest, DeadlineBoundsTheWholeRaceNotEachAttempt) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    NamedPeers silent(dns, "many.test");
    for (const char* ip : {"::1", "127.0.0.1", "127.0.0.2", "127.0.0.3"})
        ASSERT_TRUE(silent.add(ip, Peer::silent)) << ip;
    ConnectOptions options = via_dns();
    options.deadline = 400ms;
    auto run = connect("many.test", silent.port(), options);
    const auto& o = run.value;
    ASSERT_TRUE(o.error);
    EXPECT_EQ(o.error->code(), "ETIMEDOUT");
    EXPECT_EQ(o.error->operation(), "connect");
    // Attempts at 0 and 250 ms; the third one's turn (500 ms) never comes (a
    // limit per attempt would have let all four start, the last at 750 ms).
    ASSERT_EQ(o.attempts.size(), 2u);
    for (const auto& a : o.attempts) EXPECT_EQ(a.error->code(), "ETIMEDOUT");
    EXPECT_EQ(o.addresses.size(), 4u);
    EXPECT_GE(o.elapsed_ms, 399.0);
    EXPECT_LT(o.elapsed_ms, 1000.0);
}

TEST_F(TcpConnectorTest, AttemptTimeoutEndsOneAttempt) {
    RawListener hole("127.0.0.1", true);
    ConnectOptions options;
    options.attempt_timeout = 150ms;
    auto run = connect("127.0.0.1", hole.port, options);
    ASSERT_TRUE(run.value.error);
    EXPECT_EQ(run.value.error->code(), "ETIMEDOUT");
    EXPECT_GE(run.value.attempts.at(0).elapsed_ms, 149.0);
}

TEST_F(TcpConnectorTest, DestroyingTheConnectorCancelsEverything) {
    RawListener hole("127.0.0.1", true);
    auto connector = std::make_unique<TcpConnector>(loop);
    bool called = false;
    connector->connect("127.0.0.1", hole.port, handler, [&](ConnectOutcome) { called = true; });
    Timer later(loop);
    later.start(50ms, [&] {
        connector.reset();
        dns.socket.stop_receiving();  // the fixture's DNS server would keep the loop running
    });
    auto t0 = monotonic_ns();
    loop.run();  // returns only when nothing is left: the attempt is gone
    EXPECT_FALSE(called);
    EXPECT_LT(connect_test::ms_since(t0), 1000.0);
}

TEST_F(TcpConnectorTest, CancelAndRestartAndDestroyInsideTheCallback) {
    RawListener server("127.0.0.1", false);
    auto connector = std::make_unique<TcpConnector>(loop);
    int first = 0;
    std::unique_ptr<TcpConnection> kept;
    connector->connect("127.0.0.1", server.port, handler, [&](ConnectOutcome) { first++; });
    connector->cancel();
    EXPECT_FALSE(connector->active());
    connector->connect("127.0.0.1", server.port, handler, [&](ConnectOutcome o) {
        kept = std::move(o.connection);
        connector.reset();  // allowed inside its own callback
    });
    loop.run_once(true);
    while (connector) loop.run_once(true);
    EXPECT_EQ(first, 0);
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->state(), TcpConnection::State::connected);
    // The winner's events go to the handler given to connect().
    kept.reset();
    EXPECT_EQ(handler.closed_calls, 0);
}
