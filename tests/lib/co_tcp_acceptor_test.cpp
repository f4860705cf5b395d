// co::TcpAcceptor: connections that arrive before an accept() wait for it, in
// order; a cancelled accept leaves the listener listening; one accept at a
// time; an acceptor destroyed under a pending accept completes it with
// Cancelled.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "netreactor/co/race.hpp"
#include "netreactor/co/run.hpp"
#include "netreactor/co/sleep.hpp"
#include "netreactor/co/tcp_acceptor.hpp"
#include "netreactor/co/tcp_stream.hpp"
#include "netreactor/co/timeout.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "loop_test_support.hpp"
#include "tcp_test_support.hpp"

using namespace std::chrono_literals;
using namespace netreactor;
using looptest::ends_by_itself;

namespace {

SocketAddress loopback() { return *SocketAddress::parse("127.0.0.1", 0); }

// Connects and sends one letter, then waits for the server's FIN.
co::Task<void> say(Loop& loop, SocketAddress at, char letter) {
    co::TcpStream s = co_await co::connect(loop, at);
    co_await s.write(std::string_view(&letter, 1));
    char buf[1];
    co_await s.read_some(buf);
}

TEST(CoTcpAcceptor, ConnectionsThatArriveBeforeAcceptWaitForIt) {
    Loop loop;
    co::TcpAcceptor acceptor(loop, loopback());
    SocketAddress at = acceptor.local_address();
    auto a = co::spawn(say(loop, at, 'a'));
    auto b = co::spawn(say(loop, at, 'b'));
    auto c = co::spawn(say(loop, at, 'c'));
    auto server = [](Loop& l, co::TcpAcceptor& acc) -> co::Task<std::string> {
        co_await co::sleep(l, 50ms);  // all three are established (and queued) by now
        std::string letters;
        for (int i = 0; i < 3; ++i) {
            // Each is ready at once: no suspension, and it reads what its client sent.
            co::TcpStream s = co_await co::with_timeout(l, 2s, acc.accept());
            char buf[1];
            std::size_t n = co_await co::with_timeout(l, 2s, s.read_some(buf));
            letters.append(buf, n);
        }
        co_return letters;
    };
    std::string letters = co::run(loop, server(loop, acceptor));
    std::sort(letters.begin(), letters.end());
    EXPECT_EQ(letters, "abc");
    // Each client saw its own stream end (the server read its letter and closed).
    auto joined = [](co::JoinHandle<void>& client) -> co::Task<void> { co_await client.join(); };
    auto clients_end = [&](Loop& l) -> co::Task<void> {
        co_await co::with_timeout(l, 2s, co::when_all(joined(a), joined(b), joined(c)));
    };
    EXPECT_NO_THROW(co::run(loop, clients_end(loop)));
}

TEST(CoTcpAcceptor, ACancelledAcceptLeavesTheListenerListening) {
    Loop loop;
    co::TcpAcceptor acceptor(loop, loopback());
    auto server = [](Loop& l, co::TcpAcceptor& acc) -> co::Task<std::string> {
        std::string out;
        try {
            co_await co::with_timeout(l, 20ms, acc.accept());
        } catch (const co::TimedOut& e) {
            out = e.error().operation() + " timed out, ";
        }
        auto client = co::spawn(say(l, acc.local_address(), 'x'));
        co::TcpStream s = co_await co::with_timeout(l, 2s, acc.accept());
        char buf[1];
        std::size_t n = co_await co::with_timeout(l, 2s, s.read_some(buf));
        co_return out + std::string(buf, n);
    };
    EXPECT_EQ(co::run(loop, server(loop, acceptor)), "accept timed out, x");
}

TEST(CoTcpAcceptor, ASecondAcceptWhileOneWaitsIsALogicError) {
    Loop loop;
    co::TcpAcceptor acceptor(loop, loopback());
    auto waiting = [](co::TcpAcceptor& acc) -> co::Task<void> { co_await acc.accept(); };
    auto first = co::spawn(waiting(acceptor));
    EXPECT_FALSE(first.done());
    EXPECT_THROW(co::run(loop, waiting(acceptor)), std::logic_error);
    EXPECT_FALSE(first.done());  // the first one still waits
}

TEST(CoTcpAcceptor, DestroyedUnderAPendingAcceptCompletesItWithCancelled) {
    Loop loop;
    auto acceptor = std::make_unique<co::TcpAcceptor>(loop, loopback());
    auto waiting = [](co::TcpAcceptor& acc) -> co::Task<std::string> {
        try {
            co_await acc.accept();
        } catch (const co::Cancelled& e) {
            co_return e.error().code() + " " + e.error().operation();
        }
        co_return "accepted";
    };
    auto handle = co::spawn(waiting(*acceptor));
    EXPECT_FALSE(handle.done());
    acceptor.reset();
    ASSERT_TRUE(handle.done());
    EXPECT_EQ(handle.result(), "ECANCELED accept");
    loop.run();  // the listener closed: nothing is left
}

TEST(CoTcpAcceptor, OnlyAWaitingAcceptKeepsTheLoopRunning) {
    Loop loop;
    co::TcpAcceptor acceptor(loop, loopback());
    // Nothing awaits an accept: the acceptor listens, but the loop may end.
    EXPECT_TRUE(ends_by_itself(loop)) << "an idle co::TcpAcceptor kept Loop::run() going";
    // A waiting accept keeps it going until a client (started by a timer that does not) arrives.
    auto accept_one = [](co::TcpAcceptor& acc) -> co::Task<bool> {
        co::TcpStream s = co_await acc.accept();
        co_return true;
    };
    auto accepting = co::spawn(accept_one(acceptor));
    int client = -1;
    Timer later(loop);
    later.keep_loop_alive(false);
    later.start(50ms, [&] { client = tcptest::raw_connect(acceptor.local_address()); });
    EXPECT_TRUE(ends_by_itself(loop));
    ASSERT_TRUE(accepting.done()) << "the loop ended under a waiting accept";
    EXPECT_TRUE(accepting.result());
    // Still listening: a client arriving meanwhile waits for the next accept.
    int second = tcptest::raw_connect(acceptor.local_address());
    ASSERT_GE(second, 0);
    EXPECT_TRUE(co::run(loop, accept_one(acceptor)));
    // An accept that timed out, or whose task was destroyed, leaves the loop free to end.
    auto accept_briefly = [](Loop& l, co::TcpAcceptor& acc) -> co::Task<bool> {
        try {
            co_await co::with_timeout(l, 20ms, acc.accept());
        } catch (const co::TimedOut&) {
            co_return true;
        }
        co_return false;
    };
    EXPECT_TRUE(co::run(loop, accept_briefly(loop, acceptor)));
    EXPECT_TRUE(ends_by_itself(loop)) << "a cancelled accept left the acceptor keeping the loop";
    auto abandoned = co::spawn(accept_briefly(loop, acceptor));
    abandoned = {};
    EXPECT_TRUE(ends_by_itself(loop));
    ::close(client);
    ::close(second);
}

}  // namespace
