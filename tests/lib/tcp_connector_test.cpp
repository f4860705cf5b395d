// TcpConnector: connect by name with RFC 8305 racing. Names come from a DNS
// server in the test (connect_test_peers.hpp) or the hosts file; every peer
// is on loopback. The IPv6 address "that never answers" is a listener whose
// accept queue is full, so its SYNs are dropped.
#include <gtest/gtest.h>

#include <optional>

#include "connect_test_peers.hpp"
#include "netreactor/tcp_connector.hpp"

using namespace std::chrono_literals;
using namespace netreactor;
using connect_test::FakeDns;
using connect_test::RawListener;

namespace {

struct QuietHandler : ConnectionHandler {
    int data_calls = 0;
    int closed_calls = 0;
    void on_data(TcpConnection&, std::span<const char>) override { data_calls++; }
    void on_closed(TcpConnection&, const Error*) override { closed_calls++; }
};

struct Run {
    std::optional<ConnectOutcome> outcome;
    bool called_inside_connect = false;
};

// Connects `host`:`port` and runs the loop until the outcome.
Run connect_and_wait(Loop& loop, const ConnectOptions& options, const std::string& host, std::uint16_t port,
                     ConnectionHandler& handler) {
    Run run;
    TcpConnector connector(loop, options);
    bool inside = true;
    connector.connect(host, port, handler, [&](ConnectOutcome o) {
        run.called_inside_connect = inside;
        run.outcome = std::move(o);
        loop.stop();
    });
    inside = false;
    EXPECT_TRUE(connector.active());
    loop.run();
    EXPECT_FALSE(connector.active());
    return run;
}

ConnectOptions via(const FakeDns& dns) {
    ConnectOptions o;
    o.resolver = connect_test::hermetic(dns);
    return o;
}

}  // namespace

TEST(TcpConnector, NumericLiteralConnectsFromTheLoop) {
    Loop loop;
    RawListener server("127.0.0.1", false);
    QuietHandler handler;
    auto run = connect_and_wait(loop, {}, "127.0.0.1", server.port, handler);
    ASSERT_TRUE(run.outcome);
    EXPECT_FALSE(run.called_inside_connect);
    const auto& o = *run.outcome;
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

TEST(TcpConnector, BracketedIpv6LiteralAndZone) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    Loop loop;
    RawListener server("::1", false);
    QuietHandler handler;
    auto run = connect_and_wait(loop, {}, "[::1]", server.port, handler);
    ASSERT_TRUE(run.outcome && run.outcome->connection);
    EXPECT_EQ(run.outcome->winner()->address.ip(), "::1");
    // A zone on an address that is not link-local is kept and ignored by the
    // kernel for loopback; "%lo" must parse as a literal, never go to DNS.
    auto zoned = connect_and_wait(loop, {}, "::1%lo", server.port, handler);
    ASSERT_TRUE(zoned.outcome);
    EXPECT_NE(zoned.outcome->attempts.size(), 0u);
}

TEST(TcpConnector, LiteralOfTheOtherFamilyIsRefusedWithoutAnAttempt) {
    Loop loop;
    QuietHandler handler;
    ConnectOptions v4only;
    v4only.family = AF_INET;
    auto run = connect_and_wait(loop, v4only, "::1", 80, handler);
    ASSERT_TRUE(run.outcome && run.outcome->error);
    EXPECT_EQ(run.outcome->error->code(), "EAFNOSUPPORT");
    EXPECT_EQ(run.outcome->error->operation(), "resolve");
    EXPECT_TRUE(run.outcome->attempts.empty());
    EXPECT_FALSE(run.called_inside_connect);
}

TEST(TcpConnector, TextThatIsNotANameNeverReachesDns) {
    Loop loop;
    FakeDns dns(loop);
    QuietHandler handler;
    for (const char* host : {"127.0.0.1:80", "http://x.test/", "a..b", "", "w\x01w.test"}) {
        auto run = connect_and_wait(loop, via(dns), host, 80, handler);
        ASSERT_TRUE(run.outcome && run.outcome->error) << host;
        EXPECT_EQ(run.outcome->error->code(), "BADNAME") << host;
    }
    EXPECT_EQ(dns.questions, 0);
}

TEST(TcpConnector, LocalhostComesFromTheHostsFileWithoutDns) {
    Loop loop;
    FakeDns dns(loop);
    RawListener server("127.0.0.1", false);
    QuietHandler handler;
    ConnectOptions options = via(dns);
    options.family = AF_INET;
    auto run = connect_and_wait(loop, options, "localhost", server.port, handler);
    ASSERT_TRUE(run.outcome && run.outcome->connection);
    EXPECT_EQ(run.outcome->winner()->address, server.address);
    EXPECT_EQ(dns.questions, 0);
}

TEST(TcpConnector, SilentIpv6LosesToIpv4AfterTheAttemptDelay) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    Loop loop;
    FakeDns dns(loop);
    RawListener v4("127.0.0.1", false);
    RawListener v6("::1", true, v4.port);  // same port, SYNs dropped
    ASSERT_TRUE(v6.ok());
    dns.records["dual.test"] = {{"127.0.0.1"}, {"::1"}};
    QuietHandler handler;
    auto run = connect_and_wait(loop, via(dns), "dual.test", v4.port, handler);
    ASSERT_TRUE(run.outcome);
    const auto& o = *run.outcome;
    ASSERT_TRUE(o.connection) << o.error->describe();
    ASSERT_EQ(o.attempts.size(), 2u);
    EXPECT_EQ(o.attempts[0].address.ip(), "::1");  // IPv6 first
    ASSERT_TRUE(o.attempts[0].error);
    EXPECT_EQ(o.attempts[0].error->code(), "ECANCELED");
    EXPECT_EQ(o.attempts[1].address, v4.address);
    EXPECT_FALSE(o.attempts[1].error);
    EXPECT_GE(o.attempts[1].started_ms, 240.0);  // the 250 ms attempt delay
    EXPECT_LT(o.attempts[1].started_ms, 400.0);
    EXPECT_GE(o.elapsed_ms, 240.0);
    EXPECT_LT(o.elapsed_ms, 1000.0);
    EXPECT_EQ(o.addresses.size(), 2u);
}

TEST(TcpConnector, AttemptDelayIsConfigurable) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    Loop loop;
    FakeDns dns(loop);
    RawListener v4("127.0.0.1", false);
    RawListener v6("::1", true, v4.port);
    dns.records["dual.test"] = {{"127.0.0.1"}, {"::1"}};
    QuietHandler handler;
    ConnectOptions options = via(dns);
    options.attempt_delay = 100ms;
    auto run = connect_and_wait(loop, options, "dual.test", v4.port, handler);
    ASSERT_TRUE(run.outcome && run.outcome->connection);
    EXPECT_GE(run.outcome->attempts.at(1).started_ms, 95.0);
    EXPECT_LT(run.outcome->attempts.at(1).started_ms, 240.0);
}

TEST(TcpConnector, ARecordFirstWaitsTheResolutionDelayForAaaa) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    Loop loop;
    FakeDns dns(loop);
    RawListener v4("127.0.0.1", false);
    RawListener v6("::1", false, v4.port);  // both work
    dns.records["dual.test"] = {{"127.0.0.1"}, {"::1"}};
    QuietHandler handler;
    // AAAA 20 ms after A: within the resolution delay, so IPv6 still goes first.
    dns.delay[28] = 20ms;
    auto run = connect_and_wait(loop, via(dns), "dual.test", v4.port, handler);
    ASSERT_TRUE(run.outcome && run.outcome->connection);
    EXPECT_EQ(run.outcome->winner()->address.ip(), "::1");
    EXPECT_EQ(run.outcome->attempts.size(), 1u);
    // AAAA 400 ms late: IPv4 starts once the 50 ms resolution delay is over.
    dns.delay[28] = 400ms;
    run = connect_and_wait(loop, via(dns), "dual.test", v4.port, handler);
    ASSERT_TRUE(run.outcome && run.outcome->connection);
    EXPECT_EQ(run.outcome->winner()->address, v4.address);
    ASSERT_TRUE(run.outcome->first_attempt_ms);
    EXPECT_GE(*run.outcome->first_attempt_ms, 45.0);
    EXPECT_LT(*run.outcome->first_attempt_ms, 300.0);
}

TEST(TcpConnector, EveryFailureIsReportedPerAttempt) {
    if (!connect_test::ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback";
    Loop loop;
    FakeDns dns(loop);
    std::uint16_t port = connect_test::closed_port("127.0.0.1");
    dns.records["dual.test"] = {{"127.0.0.1"}, {"::1"}};
    QuietHandler handler;
    auto run = connect_and_wait(loop, via(dns), "dual.test", port, handler);
    ASSERT_TRUE(run.outcome && run.outcome->error);
    const auto& o = *run.outcome;
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

TEST(TcpConnector, LookupFailuresKeepTheResolversCode) {
    Loop loop;
    FakeDns dns(loop);
    dns.records["v4only.test"] = {{"127.0.0.1"}, {}};
    QuietHandler handler;
    auto run = connect_and_wait(loop, via(dns), "missing.test", 80, handler);
    ASSERT_TRUE(run.outcome && run.outcome->error);
    EXPECT_EQ(run.outcome->error->code(), "NXDOMAIN");
    EXPECT_EQ(run.outcome->error->operation(), "resolve");
    ConnectOptions v6only = via(dns);
    v6only.family = AF_INET6;
    run = connect_and_wait(loop, v6only, "v4only.test", 80, handler);
    ASSERT_TRUE(run.outcome && run.outcome->error);
    EXPECT_EQ(run.outcome->error->code(), "NODATA");
    EXPECT_EQ(run.outcome->error->message(), "v4only.test has no IPv6 address");
}

TEST(TcpConnector, DeadlineHoldsWhileResolving) {
    Loop loop;
    FakeDns dns(loop);
    dns.silent[1] = dns.silent[28] = true;
    QuietHandler handler;
    ConnectOptions options = via(dns);
    options.resolver.timeout = 5000ms;
    options.deadline = 200ms;
    auto t0 = monotonic_ns();
    auto run = connect_and_wait(loop, options, "slow.test", 80, handler);
    double ms = static_cast<double>(monotonic_ns() - t0) / 1e6;
    ASSERT_TRUE(run.outcome && run.outcome->error);
    EXPECT_EQ(run.outcome->error->code(), "ETIMEDOUT");
    EXPECT_EQ(run.outcome->error->operation(), "resolve");
    EXPECT_GE(ms, 199.0);
    EXPECT_LT(ms, 1000.0);
}

TEST(TcpConnector, DeadlineHoldsWhileConnecting) {
    Loop loop;
    RawListener hole("127.0.0.1", true);
    QuietHandler handler;
    ConnectOptions options;
    options.deadline = 300ms;
    auto run = connect_and_wait(loop, options, "127.0.0.1", hole.port, handler);
    ASSERT_TRUE(run.outcome && run.outcome->error);
    EXPECT_EQ(run.outcome->error->code(), "ETIMEDOUT");
    EXPECT_EQ(run.outcome->error->operation(), "connect");
    ASSERT_EQ(run.outcome->attempts.size(), 1u);
    EXPECT_EQ(run.outcome->attempts[0].error->code(), "ETIMEDOUT");
    EXPECT_GE(run.outcome->elapsed_ms, 299.0);
    EXPECT_LT(run.outcome->elapsed_ms, 1000.0);
}

TEST(TcpConnector, AttemptTimeoutEndsOneAttempt) {
    Loop loop;
    RawListener hole("127.0.0.1", true);
    QuietHandler handler;
    ConnectOptions options;
    options.attempt_timeout = 150ms;
    auto run = connect_and_wait(loop, options, "127.0.0.1", hole.port, handler);
    ASSERT_TRUE(run.outcome && run.outcome->error);
    EXPECT_EQ(run.outcome->error->code(), "ETIMEDOUT");
    EXPECT_GE(run.outcome->attempts.at(0).elapsed_ms, 149.0);
}

TEST(TcpConnector, DestroyingTheConnectorCancelsEverything) {
    Loop loop;
    RawListener hole("127.0.0.1", true);
    QuietHandler handler;
    auto connector = std::make_unique<TcpConnector>(loop);
    bool called = false;
    connector->connect("127.0.0.1", hole.port, handler, [&](ConnectOutcome) { called = true; });
    Timer later(loop);
    later.start(50ms, [&] { connector.reset(); });
    auto t0 = monotonic_ns();
    loop.run();  // returns only when nothing is left: the attempt is gone
    EXPECT_FALSE(called);
    EXPECT_LT(static_cast<double>(monotonic_ns() - t0) / 1e6, 1000.0);
}

TEST(TcpConnector, CancelAndRestartAndDestroyInsideTheCallback) {
    Loop loop;
    RawListener server("127.0.0.1", false);
    QuietHandler handler;
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
