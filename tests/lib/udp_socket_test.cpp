#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "netreactor/udp_socket.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

namespace {

struct Echo : UdpHandler {
    void on_datagram(UdpSocket& s, std::span<const char> d, const SocketAddress& from, bool) override { s.send(d, from); }
};

struct Collect : UdpHandler {
    std::vector<std::string> got;
    std::vector<std::string> errors;
    SocketAddress last_from;
    std::function<void()> after;
    void on_datagram(UdpSocket&, std::span<const char> d, const SocketAddress& from, bool) override {
        got.emplace_back(d.data(), d.size());
        last_from = from;
        if (after) after();
    }
    void on_error(UdpSocket&, const Error& e) override {
        errors.push_back(e.code());
        if (after) after();
    }
};

}  // namespace

class UdpFamilies : public ::testing::TestWithParam<const char*> {};

TEST_P(UdpFamilies, DatagramsRoundTripUnchanged) {
    Loop loop;
    Echo echo;
    UdpSocket server(loop, echo);
    server.bind(*SocketAddress::parse(GetParam(), 0));
    server.start_receiving();

    Collect collect;
    UdpSocket client(loop, collect);
    client.bind(*SocketAddress::parse(GetParam(), 0));
    client.start_receiving();
    std::vector<std::string> sent;
    for (int i = 0; i < 50; ++i) sent.push_back(std::string(static_cast<std::size_t>(i * 97 + 1), static_cast<char>('a' + i % 26)));
    sent.push_back(std::string(65000, 'z'));  // near the UDP maximum
    // One at a time: a burst could overflow the receive buffer, and UDP may drop.
    Timer guard(loop);
    auto finish = [&] { client.stop_receiving(); server.stop_receiving(); guard.stop(); };
    collect.after = [&] {
        if (collect.got.size() == sent.size()) finish();
        else client.send(sent[collect.got.size()], server.local_address());
    };
    guard.start(5s, finish);
    client.send(sent[0], server.local_address());
    loop.run();
    EXPECT_TRUE(collect.errors.empty());
    ASSERT_EQ(collect.got.size(), sent.size());
    EXPECT_EQ(collect.got, sent);
    EXPECT_EQ(collect.last_from, server.local_address());
    EXPECT_EQ(server.datagrams_received(), sent.size());
}

INSTANTIATE_TEST_SUITE_P(Loopback, UdpFamilies, ::testing::Values("127.0.0.1", "::1"));

TEST(Udp, ConnectedSocketReportsIcmpPortUnreachable) {
    Loop loop;
    Collect collect;
    // Find a closed UDP port: bind, note it, close.
    SocketAddress closed;
    {
        Echo e;
        UdpSocket probe(loop, e);
        probe.bind(*SocketAddress::parse("127.0.0.1", 0));
        closed = probe.local_address();
    }
    UdpSocket client(loop, collect);
    client.connect(closed);
    client.start_receiving();
    Timer guard(loop);
    collect.after = [&] { client.stop_receiving(); guard.stop(); };
    guard.start(3s, [&] { client.stop_receiving(); });
    client.send(std::string_view("ping"), {});
    loop.run();
    ASSERT_FALSE(collect.errors.empty());
    EXPECT_EQ(collect.errors[0], "ECONNREFUSED");
}

TEST(Udp, BindingAPortInUseThrows) {
    Loop loop;
    Echo e;
    UdpSocket first(loop, e);
    first.bind(*SocketAddress::parse("127.0.0.1", 0));
    UdpSocket second(loop, e);
    EXPECT_THROW(second.bind(first.local_address()), SystemError);
}

// Each receive reads one datagram: stop_receiving() inside on_datagram takes
// effect at once, the datagrams still in the kernel wait there, and none is
// lost: they come after start_receiving(), in order.
TEST(Udp, StoppingInsideOnDatagramLosesNoDatagram) {
    Loop loop;
    Collect collect;
    UdpSocket server(loop, collect);
    server.bind(*SocketAddress::parse("127.0.0.1", 0));
    Echo unused;
    UdpSocket client(loop, unused);
    // Four datagrams wait in the server's socket before it reads.
    for (const char* text : {"one", "two", "three", "four"}) client.send(std::string(text), server.local_address());
    collect.after = [&] {
        if (collect.got.size() == 1) server.stop_receiving();
    };
    server.start_receiving();
    Timer guard(loop);
    guard.start(100ms, [] {});
    loop.run();
    EXPECT_EQ(collect.got, (std::vector<std::string>{"one"}));
    // Stopped: the others, and a later datagram, wait in the kernel...
    client.send(std::string("five"), server.local_address());
    guard.start(50ms, [] {});
    loop.run();
    EXPECT_EQ(collect.got.size(), 1u);
    // ...until receiving starts again.
    server.start_receiving();
    guard.start(1s, [&] { server.stop_receiving(); });
    collect.after = [&] {
        if (collect.got.size() < 5) return;
        server.stop_receiving();
        guard.stop();
    };
    loop.run();
    EXPECT_EQ(collect.got, (std::vector<std::string>{"one", "two", "three", "four", "five"}));
}

// One channel: a send the kernel refuses at once (EMSGSIZE) is reported once,
// to on_error, from the loop; never inside send().
TEST(Udp, ImmediateSendFailureIsReportedOnceFromTheLoop) {
    Loop loop;
    Collect collect;
    UdpSocket client(loop, collect);
    client.bind(*SocketAddress::parse("127.0.0.1", 0));
    bool inside_send = false;
    int reports_inside_send = 0;
    collect.after = [&] { if (inside_send) reports_inside_send++; };
    const std::string too_big(70000, 'x');  // above the 65,507-byte IPv4 maximum
    inside_send = true;
    client.send(too_big, client.local_address());
    inside_send = false;
    EXPECT_TRUE(collect.errors.empty()) << "reported inside send()";
    Timer guard(loop);
    guard.start(200ms, [] {});
    loop.run();
    ASSERT_EQ(collect.errors.size(), 1u);
    EXPECT_EQ(collect.errors[0], "EMSGSIZE");
    EXPECT_EQ(reports_inside_send, 0);
    EXPECT_EQ(client.datagrams_sent(), 0u);
}

TEST(Udp, DestroyingTheSocketInsideOnErrorDropsTheOtherReports) {
    Loop loop;
    Collect collect;
    auto client = std::make_unique<UdpSocket>(loop, collect);
    client->bind(*SocketAddress::parse("127.0.0.1", 0));
    collect.after = [&] { client.reset(); };
    const std::string too_big(70000, 'x');
    SocketAddress self = client->local_address();
    client->send(too_big, self);
    client->send(too_big, self);
    Timer guard(loop);
    guard.start(200ms, [] {});
    loop.run();
    EXPECT_EQ(client, nullptr);
    EXPECT_EQ(collect.errors.size(), 1u) << "no handler call after the socket was destroyed";
}

TEST(Udp, AReceivingSocketKeepsTheLoopRunningUnlessToldNot) {
    Loop loop;
    Collect collect;
    UdpSocket server(loop, collect);
    server.bind(*SocketAddress::parse("127.0.0.1", 0));
    server.start_receiving();
    collect.after = [&] { loop.stop(); };
    Echo echo;
    UdpSocket client(loop, echo);
    // Receiving (the default): run() waits for the datagram this timer sends.
    Timer later(loop);
    later.keep_loop_alive(false);
    later.start(30ms, [&] { client.send(std::span<const char>("ping", 4), server.local_address()); });
    loop.run();
    EXPECT_EQ(collect.got, std::vector<std::string>{"ping"});
    // keep_loop_alive(false): still receiving, but run() ends once nothing else is left.
    collect.after = nullptr;
    server.keep_loop_alive(false);
    bool watchdog_fired = false;
    Timer watchdog(loop);
    watchdog.keep_loop_alive(false);
    watchdog.start(2s, [&] {
        watchdog_fired = true;
        loop.stop();
    });
    loop.run();
    EXPECT_FALSE(watchdog_fired) << "a socket with keep_loop_alive(false) kept Loop::run() going";
    // It still receives while the loop runs for other work.
    client.send(std::span<const char>("pong", 4), server.local_address());
    Timer work(loop);
    work.start(50ms, [] {});
    loop.run();
    EXPECT_EQ(collect.got, (std::vector<std::string>{"ping", "pong"}));
    watchdog.stop();
}
