// co::UdpSocket: request/response, datagrams kept in order while no receive
// waits, errors thrown once by a receive, deadlines, and a socket destroyed
// under another task's pending receive.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "netreactor/co/run.hpp"
#include "netreactor/co/timeout.hpp"
#include "netreactor/co/udp_socket.hpp"
#include "netreactor/loop.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

namespace {

SocketAddress loopback() { return *SocketAddress::parse("127.0.0.1", 0); }

std::span<const char> bytes(std::string_view s) { return {s.data(), s.size()}; }

TEST(CoUdpSocket, RequestAndReplyAndDatagramsKeptInOrder) {
    Loop loop;
    co::UdpSocket server(loop), client(loop);
    server.bind(loopback());
    auto body = [](co::UdpSocket& srv, co::UdpSocket& cli) -> co::Task<std::string> {
        co_await cli.send(bytes("one"), srv.local_address());
        co_await cli.send(bytes("two"), srv.local_address());
        co_await cli.send(bytes("three"), srv.local_address());
        std::string seen;
        char buf[2];  // smaller than "three": truncated, flagged
        for (int i = 0; i < 3; ++i) {
            co::Datagram d = co_await srv.receive(buf);
            seen += std::string(buf, d.size) + (d.truncated ? "+ " : " ");
            EXPECT_EQ(d.from.port(), cli.local_address().port());  // the client is bound to the wildcard address
            co_await srv.send(bytes("ack"), d.from);
        }
        char reply[8];
        co::Datagram r = co_await cli.receive(reply);
        co_return seen + std::string(reply, r.size);
    };
    EXPECT_EQ(co::run(loop, body(server, client)), "on+ tw+ th+ ack");
}

TEST(CoUdpSocket, ARefusedPeerIsThrownByTheReceive) {
    Loop loop;
    SocketAddress closed;
    {
        co::UdpSocket probe(loop);
        probe.bind(loopback());
        closed = probe.local_address();
    }
    co::UdpSocket client(loop);
    client.connect(closed);
    auto body = [](Loop& l, co::UdpSocket& c) -> co::Task<std::string> {
        co_await c.send(bytes("anyone?"));
        char buf[8];
        try {
            co_await co::with_timeout(l, 2s, c.receive(buf));
        } catch (const SystemError& e) {
            co_return e.error().code();
        }
        co_return "received";
    };
    EXPECT_EQ(co::run(loop, body(loop, client)), "ECONNREFUSED");
}

TEST(CoUdpSocket, DeadlineThenALateDatagramIsStillReceived) {
    Loop loop;
    co::UdpSocket a(loop), b(loop);
    a.bind(loopback());
    auto body = [](Loop& l, co::UdpSocket& rx, co::UdpSocket& tx) -> co::Task<std::string> {
        char buf[8];
        std::string out;
        try {
            co_await co::with_timeout(l, 20ms, rx.receive(buf));
        } catch (const co::TimedOut& e) {
            out = e.error().operation() + " timed out, ";
        }
        co_await tx.send(bytes("late"), rx.local_address());
        co::Datagram d = co_await rx.receive(buf);
        co_return out + std::string(buf, d.size);
    };
    EXPECT_EQ(co::run(loop, body(loop, a, b)), "receive timed out, late");
}

TEST(CoUdpSocket, DestroyedUnderAPendingReceive) {
    Loop loop;
    auto sock = std::make_unique<co::UdpSocket>(loop);
    sock->bind(loopback());
    auto receiver = [](co::UdpSocket& s) -> co::Task<std::string> {
        char buf[8];
        try {
            co_await s.receive(buf);
        } catch (const co::Cancelled& e) {
            co_return e.error().code();
        }
        co_return "received";
    };
    auto handle = co::spawn(receiver(*sock));
    EXPECT_FALSE(handle.done());
    sock.reset();
    ASSERT_TRUE(handle.done());
    EXPECT_EQ(handle.result(), "ECANCELED");
    loop.run();
}

}  // namespace
