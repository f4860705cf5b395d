// co::UdpSocket: request/response, datagrams kept in order while no receive
// waits, receive_view lending them, errors thrown once by a receive,
// deadlines, a socket destroyed under another task's pending receive, and
// what keeps the loop running: a waiting receive, never an idle socket.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "netreactor/co/run.hpp"
#include "netreactor/co/sleep.hpp"
#include "netreactor/co/timeout.hpp"
#include "netreactor/co/udp_socket.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "loop_test_support.hpp"

using namespace std::chrono_literals;
using namespace netreactor;
using looptest::ends_by_itself;

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

TEST(CoUdpSocket, ReceiveViewLendsKeptAndArrivingDatagramsWithTheirSender) {
    Loop loop;
    co::UdpSocket server(loop), client(loop);
    server.bind(loopback());
    // Waiting first: the datagram is lent from the loop's read buffer, inside
    // the callback that received it.
    auto echo_one = [](co::UdpSocket& srv, std::string& seen) -> co::Task<void> {
        co::DatagramView d = co_await srv.receive_view();
        seen = std::string(d.data.begin(), d.data.end()) + (d.truncated ? "+" : "");
        co_await srv.send(d.data, d.from);
    };
    std::string arrived;
    auto waiting = co::spawn(echo_one(server, arrived));
    EXPECT_FALSE(waiting.done());
    auto body = [](Loop& l, co::UdpSocket& srv, co::UdpSocket& cli) -> co::Task<std::string> {
        std::string out;
        char reply[16];
        co_await cli.send(bytes("first"), srv.local_address());
        co::Datagram r = co_await co::with_timeout(l, 2s, cli.receive(reply));
        out += std::string(reply, r.size) + " ";
        // Sent while no receive waits: kept by the socket, then lent from there
        // (an empty datagram is one too), each with its own sender.
        co_await cli.send(bytes("one"), srv.local_address());
        co_await cli.send(std::span<const char>(), srv.local_address());
        co_await cli.send(bytes("three"), srv.local_address());
        co_await co::sleep(l, 20ms);  // all three are in the server's socket by now
        for (int i = 0; i < 3; ++i) {
            co::DatagramView d = co_await srv.receive_view();
            EXPECT_FALSE(d.truncated);
            EXPECT_EQ(d.from.port(), cli.local_address().port());
            out += "[" + std::string(d.data.begin(), d.data.end()) + "]";
            co_await srv.send(d.data, d.from);  // straight from the lent bytes
        }
        out += " ";
        for (int i = 0; i < 3; ++i) {
            r = co_await co::with_timeout(l, 2s, cli.receive(reply));  // a lost one fails, not hangs
            out += "<" + std::string(reply, r.size) + ">";
        }
        co_return out;
    };
    EXPECT_EQ(co::run(loop, body(loop, server, client)), "first [one][][three] <one><><three>");
    EXPECT_TRUE(waiting.done());
    EXPECT_EQ(arrived, "first");
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

// One datagram's text (up to 16 bytes).
co::Task<std::string> receive_one(co::UdpSocket& socket) {
    char buf[16];
    co::Datagram d = co_await socket.receive(buf);
    co_return std::string(buf, d.size);
}

TEST(CoUdpSocket, AnIdleSocketDoesNotKeepTheLoopRunning) {
    Loop loop;
    co::UdpSocket server(loop), client(loop);
    server.bind(loopback());
    auto received = co::spawn(receive_one(server));
    client.send(bytes("hello"), server.local_address());
    // The task received its datagram and finished; both sockets stay open, idle.
    EXPECT_TRUE(ends_by_itself(loop)) << "an idle co::UdpSocket kept Loop::run() going";
    ASSERT_TRUE(received.done());
    EXPECT_EQ(received.result(), "hello");
    // Still open, and still receiving: a datagram sent meanwhile is kept for the next receive.
    client.send(bytes("later"), server.local_address());
    EXPECT_EQ(co::run(loop, receive_one(server)), "later");
    EXPECT_TRUE(ends_by_itself(loop));
}

TEST(CoUdpSocket, AWaitingReceiveKeepsTheLoopRunning) {
    Loop loop;
    co::UdpSocket server(loop), client(loop);
    server.bind(loopback());
    auto received = co::spawn(receive_one(server));
    // Only the receive keeps the loop alive until this timer (which does not) sends.
    Timer later(loop);
    later.keep_loop_alive(false);
    later.start(50ms, [&] { client.send(bytes("awaited"), server.local_address()); });
    EXPECT_TRUE(ends_by_itself(loop));
    ASSERT_TRUE(received.done()) << "the loop ended under a waiting receive";
    EXPECT_EQ(received.result(), "awaited");
}

TEST(CoUdpSocket, AReceiveThatTimedOutLeavesTheLoopFreeToEnd) {
    Loop loop;
    co::UdpSocket server(loop);
    server.bind(loopback());
    auto wait_briefly = [](Loop& l, co::UdpSocket& srv) -> co::Task<bool> {
        char buf[8];
        try {
            co_await co::with_timeout(l, 20ms, srv.receive(buf));
        } catch (const co::TimedOut&) {
            co_return true;
        }
        co_return false;
    };
    EXPECT_TRUE(co::run(loop, wait_briefly(loop, server)));
    EXPECT_TRUE(ends_by_itself(loop)) << "a cancelled receive left the socket keeping the loop";
    // A receive whose task is destroyed while it waits leaves it free too.
    auto handle = co::spawn(wait_briefly(loop, server));
    EXPECT_FALSE(handle.done());
    handle = {};
    EXPECT_TRUE(ends_by_itself(loop));
}

}  // namespace
