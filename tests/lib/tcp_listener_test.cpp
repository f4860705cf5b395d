// TcpListener: binding errors, SO_REUSEPORT, what an accepted connection looks
// like before a handler is attached.
#include <gtest/gtest.h>

#include <memory>

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
