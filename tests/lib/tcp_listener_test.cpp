// TcpListener: binding errors, SO_REUSEPORT, what an accepted connection looks
// like before a handler is attached, and what keeps Loop::run() going
// (keep_loop_alive).
#include <gtest/gtest.h>

#include <unistd.h>

#include <memory>
#include <vector>

#include "netreactor/loop.hpp"
#include "netreactor/tcp_listener.hpp"
#include "tcp_test_support.hpp"

using namespace tcptest;

TEST(TcpListener, ListenOnPortInUseThrowsEaddrinuse) {
    Loop loop;
    TestHandler h;
    Server first(loop, h);
    struct NoAccept : AcceptHandler { void on_accept(std::unique_ptr<TcpConnection>) override {} } none;
    try {
        TcpListener second(loop, first.address(), ListenOptions{}, none);
        FAIL() << "second bind succeeded";
    } catch (const SystemError& e) {
        EXPECT_EQ(e.error().code(), "EADDRINUSE");
        EXPECT_EQ(e.error().operation(), "bind");
    }
}

TEST(TcpListener, ReusePortLetsTwoListenersShareAPort) {
    Loop loop;
    struct NoAccept : AcceptHandler { void on_accept(std::unique_ptr<TcpConnection>) override {} } none;
    ListenOptions options;
    options.reuse_port = true;
    TcpListener first(loop, *SocketAddress::parse("127.0.0.1", 0), options, none);
    EXPECT_NO_THROW(TcpListener second(loop, first.local_address(), options, none));
}

TEST(TcpListener, AnAcceptedConnectionIsEstablishedAndUnreadUntilStarted) {
    Loop loop;
    struct Hold : AcceptHandler {
        std::unique_ptr<TcpConnection> conn;
        void on_accept(std::unique_ptr<TcpConnection> c) override { conn = std::move(c); }
    } hold;
    TcpListener listener(loop, *SocketAddress::parse("127.0.0.1", 0), ListenOptions{}, hold);
    EXPECT_NE(listener.local_address().port(), 0);
    TestHandler client_side;
    client_side.connected = [](TcpConnection& c) { c.write(std::string_view("x")); };
    auto client = TcpConnection::connect(loop, listener.local_address(), 2s, client_side);
    run_until(loop, [&] { return hold.conn != nullptr; });
    EXPECT_EQ(hold.conn->state(), TcpConnection::State::connected);
    EXPECT_FALSE(hold.conn->reading());
    EXPECT_EQ(hold.conn->peer_address(), client->local_address());
    EXPECT_EQ(hold.conn->local_address(), listener.local_address());
    TestHandler server_side;
    hold.conn->start(server_side);
    EXPECT_TRUE(hold.conn->reading());
    run_until(loop, [&] { return server_side.received == "x"; });
}

TEST(TcpListener, AListeningListenerKeepsTheLoopRunningUnlessToldNot) {
    Loop loop;
    struct Hold : AcceptHandler {
        std::vector<std::unique_ptr<TcpConnection>> conns;  // never started: they do not keep the loop
        void on_accept(std::unique_ptr<TcpConnection> c) override { conns.push_back(std::move(c)); }
    } hold;
    TcpListener listener(loop, *SocketAddress::parse("127.0.0.1", 0), ListenOptions{}, hold);
    // Listening, keep_loop_alive(true) by default: run() goes on past the
    // connection that this timer (which does not keep the loop) makes.
    int first = -1;
    Timer later(loop);
    later.keep_loop_alive(false);
    later.start(50ms, [&] { first = raw_connect(listener.local_address()); });
    EXPECT_FALSE(ends_by_itself(loop, 300ms)) << "Loop::run() ended under a listening listener";
    EXPECT_GE(first, 0);
    EXPECT_EQ(hold.conns.size(), 1u);
    // keep_loop_alive(false): still listening, but run() ends at once.
    listener.keep_loop_alive(false);
    EXPECT_TRUE(ends_by_itself(loop)) << "a listener with keep_loop_alive(false) kept Loop::run() going";
    // It still accepts while the loop runs for other work.
    int second = raw_connect(listener.local_address());
    EXPECT_GE(second, 0);
    run_until(loop, [&] { return hold.conns.size() == 2; });
    // And true again keeps the loop going.
    listener.keep_loop_alive(true);
    EXPECT_FALSE(ends_by_itself(loop, 100ms));
    ::close(first);
    ::close(second);
}
