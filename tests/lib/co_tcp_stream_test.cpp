// co::TcpStream and co::connect: data in order whatever the read buffer size,
// EOF and half-close, connect failures with their operation, deadlines that
// lose no byte, backpressure on write, and the lifetime cases (task destroyed
// while reading, stream destroyed under another task's pending read, a reset
// under a pending read, a loop stopped with tasks suspended), and what keeps
// the loop running: a waiting read, never an idle stream.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "netreactor/co/race.hpp"
#include "netreactor/co/run.hpp"
#include "netreactor/co/sleep.hpp"
#include "netreactor/co/task_group.hpp"
#include "netreactor/co/tcp_acceptor.hpp"
#include "netreactor/co/tcp_stream.hpp"
#include "netreactor/co/timeout.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "tcp_test_support.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

namespace {

SocketAddress loopback() { return *SocketAddress::parse("127.0.0.1", 0); }

// Echoes one connection until the peer's FIN, then half-closes.
co::Task<void> echo(co::TcpStream s) {
    char buf[1024];
    while (std::size_t n = co_await s.read_some(buf)) co_await s.write(std::span<const char>(buf, n));
    co_await s.shutdown();
}

co::Task<void> echo_server(co::TcpAcceptor& acceptor, co::TaskGroup& sessions) {
    for (;;) sessions.spawn(echo(co_await acceptor.accept()));
}

// Reads until EOF.
co::Task<std::string> read_all(co::TcpStream& s, std::size_t chunk) {
    std::string all;
    std::vector<char> buf(chunk);
    while (std::size_t n = co_await s.read_some(buf)) all.append(buf.data(), n);
    co_return all;
}

struct EchoFixture : ::testing::Test {
    Loop loop;
    co::TcpAcceptor acceptor{loop, loopback()};
    co::TaskGroup sessions;
    co::JoinHandle<void> server = co::spawn(echo_server(acceptor, sessions));
};

TEST_F(EchoFixture, RoundTripThenHalfCloseBothWays) {
    auto client = [](Loop& l, SocketAddress at) -> co::Task<std::string> {
        co::TcpStream s = co_await co::connect(l, at, 2s);
        co_await s.write(std::string_view("hello, "));
        co_await s.write(std::string_view("world"));
        co_await s.shutdown();
        std::string back = co_await read_all(s, 3);  // a 3-byte buffer: the rest waits, in order
        EXPECT_TRUE(s.eof_received());
        co_return back;
    };
    EXPECT_EQ(co::run(loop, client(loop, acceptor.local_address())), "hello, world");
    EXPECT_EQ(sessions.size(), 0u);  // the session ended after its shutdown
}

TEST_F(EchoFixture, ALargeTransferArrivesIntact) {
    auto client = [](Loop& l, SocketAddress at) -> co::Task<bool> {
        co::TcpStream s = co_await co::connect(l, at);
        std::string sent(3 * 1024 * 1024, '\0');
        for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>(i * 7 + i / 4096);
        // Write and read at once: the echo's own backpressure needs both.
        auto [_, back] = co_await co::when_all(
            [](co::TcpStream& st, const std::string& data) -> co::Task<void> {
                co_await st.write(data);
                co_await st.shutdown();
            }(s, sent),
            read_all(s, 64 * 1024));
        co_return back == sent;
    };
    EXPECT_TRUE(co::run(loop, client(loop, acceptor.local_address())));
}

// The same echo lending the bytes instead of copying them.
co::Task<void> echo_view(co::TcpStream s) {
    for (;;) {
        std::span<const char> data = co_await s.read_view();
        if (data.empty()) break;
        co_await s.write(data);
    }
    co_await s.shutdown();
}

TEST(CoTcpStream, ReadViewEchoesALargeTransferIntact) {
    Loop loop;
    co::TcpAcceptor acceptor(loop, loopback());
    auto server = [](co::TcpAcceptor& a) -> co::Task<void> { co_await echo_view(co_await a.accept()); };
    auto client = [](Loop& l, SocketAddress at) -> co::Task<bool> {
        co::TcpStream s = co_await co::connect(l, at);
        std::string sent(3 * 1024 * 1024 + 17, '\0');
        for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>(i * 13 + i / 1000);
        auto writer = [](co::TcpStream& st, const std::string& data) -> co::Task<void> {
            // Small writes: the server sees many chunks, some while it is held by its own write.
            for (std::size_t offset = 0; offset < data.size(); offset += 1000)
                co_await st.write(std::string_view(data).substr(offset, 1000));
            co_await st.shutdown();
        };
        auto [_, back] = co_await co::when_all(writer(s, sent), read_all(s, 7000));
        co_return back == sent;
    };
    auto handle = co::spawn(server(acceptor));
    EXPECT_TRUE(co::run(loop, client(loop, acceptor.local_address())));
    EXPECT_TRUE(handle.done());
}

TEST_F(EchoFixture, AReadDeadlineLosesNoByte) {
    auto client = [](Loop& l, SocketAddress at) -> co::Task<std::string> {
        co::TcpStream s = co_await co::connect(l, at);
        char buf[16];
        std::string what;
        try {
            co_await co::with_timeout(l, 30ms, s.read_some(buf));  // nothing was sent: nothing comes back
        } catch (const co::TimedOut& e) {
            what = e.error().operation() + " " + e.error().code();
        }
        co_await s.write(std::string_view("late"));
        std::size_t n = co_await s.read_some(buf);
        co_return what + " " + std::string(buf, n);
    };
    EXPECT_EQ(co::run(loop, client(loop, acceptor.local_address())), "read ETIMEDOUT late");
}

TEST_F(EchoFixture, ConnectByNameGivesAStreamToTheWinningAddress) {
    auto client = [](Loop& l, std::uint16_t port) -> co::Task<std::string> {
        ConnectOptions options;
        options.family = AF_INET;
        options.deadline = 2s;
        co::TcpStream s = co_await co::connect(l, "localhost", port, options);
        co_await s.write(std::string_view("x"));
        char c = 0;
        co_await s.read_some(std::span<char>(&c, 1));
        co_return s.connection().peer_address().ip() + " " + c;
    };
    EXPECT_EQ(co::run(loop, client(loop, acceptor.local_address().port())), "127.0.0.1 x");
}

TEST_F(EchoFixture, ConnectReportingGivesTheRaceAndFailuresAsResults) {
    auto client = [](Loop& l, std::uint16_t port, std::uint16_t closed) -> co::Task<std::string> {
        ConnectOptions options;
        options.family = AF_INET;
        co::ConnectReport ok = co_await co::connect_reporting(l, "127.0.0.1", port, options);
        co::ConnectReport refused = co_await co::connect_reporting(l, "127.0.0.1", closed, options);
        EXPECT_TRUE(ok.stream);
        EXPECT_FALSE(refused.stream);
        EXPECT_EQ(ok.outcome.attempts.size(), 1u);
        co_return ok.winner()->address.to_string() + " " + refused.outcome.error->code();
    };
    std::uint16_t closed = 0;
    {
        co::TcpAcceptor probe(loop, loopback());
        closed = probe.local_address().port();
    }
    std::uint16_t port = acceptor.local_address().port();
    EXPECT_EQ(co::run(loop, client(loop, port, closed)), "127.0.0.1:" + std::to_string(port) + " ECONNREFUSED");
}

TEST(CoTcpStream, ConnectFailuresNameTheirStage) {
    Loop loop;
    std::uint16_t closed_port = 0;
    {
        co::TcpAcceptor probe(loop, loopback());
        closed_port = probe.local_address().port();
    }
    auto by_address = [](Loop& l, std::uint16_t port) -> co::Task<std::string> {
        try {
            co_await co::connect(l, *SocketAddress::parse("127.0.0.1", port));
        } catch (const SystemError& e) {
            co_return e.error().operation() + " " + e.error().code();
        }
        co_return "connected";
    };
    EXPECT_EQ(co::run(loop, by_address(loop, closed_port)), "connect ECONNREFUSED");

    auto by_name = [](Loop& l, std::string host, std::uint16_t port) -> co::Task<std::string> {
        try {
            ConnectOptions options;
            options.resolver.servers = {"127.0.0.1:9"};  // never asked: the name is refused first
            co_await co::connect(l, host, port, options);
        } catch (const SystemError& e) {
            co_return e.error().operation() + " " + e.error().code();
        }
        co_return "connected";
    };
    EXPECT_EQ(co::run(loop, by_name(loop, "bad..name", 80)), "resolve BADNAME");
    EXPECT_EQ(co::run(loop, by_name(loop, "127.0.0.1", closed_port)), "connect ECONNREFUSED");
}

TEST_F(EchoFixture, WriteWaitsWhileThePeerDoesNotRead) {
    // A raw peer that accepts and does not read: the writer must be held.
    auto client = [](Loop& l, co::TcpAcceptor& silent) -> co::Task<std::string> {
        co::TcpStream s = co_await co::connect(l, silent.local_address());
        co::TcpStream peer = co_await silent.accept();
        std::string chunk(1024 * 1024, 'x');
        std::string outcome;
        try {
            for (int i = 0; i < 64; ++i) co_await co::with_timeout(l, 200ms, s.write(chunk));
            outcome = "never held";
        } catch (const co::TimedOut& e) {
            outcome = e.error().operation();
        }
        EXPECT_GT(s.connection().queued_bytes(), 0u);  // cancelling the wait kept the bytes queued
        // The peer now reads everything; the writer is released.
        std::uint64_t expected = 0;
        auto drain = [](co::TcpStream& p) -> co::Task<std::uint64_t> {
            std::uint64_t total = 0;
            char buf[65536];
            while (std::size_t n = co_await p.read_some(buf)) total += n;
            co_return total;
        };
        auto finish = [](co::TcpStream& st, const std::string& data) -> co::Task<void> {
            co_await st.write(data);
            co_await st.shutdown();
        };
        auto [_, total] = co_await co::when_all(finish(s, chunk), drain(peer));
        expected = s.connection().bytes_sent();
        EXPECT_EQ(total, expected);
        co_return outcome;
    };
    co::TcpAcceptor silent(loop, loopback());
    EXPECT_EQ(co::run(loop, client(loop, silent)), "write");
}

TEST_F(EchoFixture, WritesRunAheadUpToTheHighWaterMark) {
    auto client = [](Loop& l, co::TcpAcceptor& silent) -> co::Task<std::size_t> {
        co::TcpStream s = co_await co::connect(l, silent.local_address());
        co::TcpStream peer = co_await silent.accept();
        s.connection().set_high_water_mark(64 * 1024 * 1024);
        std::string chunk(1024 * 1024, 'x');
        // The peer reads nothing, yet no write waits: the queue stays below the mark.
        for (int i = 0; i < 16; ++i) co_await co::with_timeout(l, 1s, s.write(chunk));
        co_return s.connection().queued_bytes();
    };
    co::TcpAcceptor silent(loop, loopback());
    EXPECT_GT(co::run(loop, client(loop, silent)), 1024u * 1024u);
}

TEST_F(EchoFixture, AResetUnderAPendingReadThrowsIt) {
    auto client = [](Loop& l, co::TcpAcceptor& raw) -> co::Task<std::string> {
        co::TcpStream s = co_await co::connect(l, raw.local_address());
        co::TcpStream peer = co_await raw.accept();
        // Closing a socket with unread bytes sends a RST (RFC 2525, 2.17).
        auto reset_later = [](Loop& lp, co::TcpStream p) -> co::Task<void> {
            co_await co::sleep(lp, 10ms);
            p.close();
        };
        co_await s.write(std::string_view("unread"));
        auto resetter = co::spawn(reset_later(l, std::move(peer)));
        char buf[8];
        try {
            co_await s.read_some(buf);
        } catch (const SystemError& e) {
            co_return e.error().operation() + " " + e.error().code();
        }
        co_return "no error";
    };
    co::TcpAcceptor raw(loop, loopback());
    EXPECT_EQ(co::run(loop, client(loop, raw)), "read ECONNRESET");
}

TEST_F(EchoFixture, AWriteToAResetConnectionThrowsTheResetItself) {
    auto client = [](Loop& l, co::TcpAcceptor& raw) -> co::Task<std::string> {
        co::TcpStream s = co_await co::connect(l, raw.local_address());
        {
            co::TcpStream peer = co_await raw.accept();
            co_await s.write(std::string_view("unread"));
            co_await co::sleep(l, 10ms);
        }  // the peer closes with unread bytes: a RST
        co_await co::sleep(l, 10ms);
        try {
            for (int i = 0; i < 100; ++i) {
                co_await s.write(std::string(1000, 'x'));
                co_await co::sleep(l, 1ms);
            }
        } catch (const SystemError& e) {
            // The kernel's reason (ECONNRESET or EPIPE), not a generic refusal.
            EXPECT_NE(e.error().message(), "the connection can no longer send");
            co_return e.error().operation();
        }
        co_return "no error";
    };
    co::TcpAcceptor raw(loop, loopback());
    EXPECT_EQ(co::run(loop, client(loop, raw)), "write");
}

TEST_F(EchoFixture, DestroyingAStreamCompletesAnotherTasksPendingReadWithCancelled) {
    auto client = [](Loop& l, SocketAddress at) -> co::Task<std::string> {
        auto s = std::make_unique<co::TcpStream>(co_await co::connect(l, at));
        auto reader = [](co::TcpStream& st) -> co::Task<std::string> {
            char buf[8];
            try {
                co_await st.read_some(buf);
            } catch (const co::Cancelled& e) {
                co_return e.error().operation() + " " + e.error().code();
            }
            co_return "read";
        };
        auto handle = co::spawn(reader(*s));
        EXPECT_FALSE(handle.done());
        s.reset();
        EXPECT_TRUE(handle.done());
        co_return handle.result();
    };
    EXPECT_EQ(co::run(loop, client(loop, acceptor.local_address())), "read ECANCELED");
}

TEST_F(EchoFixture, ATaskDestroyedWhileReadingClosesItsStream) {
    auto reader = [](Loop& l, SocketAddress at) -> co::Task<void> {
        co::TcpStream s = co_await co::connect(l, at);
        co_await s.write(std::string_view("ping"));
        char buf[64];
        for (;;) co_await s.read_some(buf);
    };
    {
        auto handle = co::spawn(reader(loop, acceptor.local_address()));
        while (sessions.size() == 0) loop.run_once(true);
        for (int i = 0; i < 5; ++i) loop.run_once(false);
        EXPECT_FALSE(handle.done());
    }
    // The client's socket closed with the frame: the server session sees EOF and ends.
    auto deadline = monotonic_ns() + 2'000'000'000u;
    while (sessions.size() != 0 && monotonic_ns() < deadline) loop.run_once(true);
    EXPECT_EQ(sessions.size(), 0u);
}

TEST_F(EchoFixture, AGroupTornDownWhereDestroyingOneTaskEndsAnother) {
    auto owner = [](Loop& l, SocketAddress at, co::TcpStream*& shared) -> co::Task<void> {
        co::TcpStream s = co_await co::connect(l, at);
        shared = &s;
        co_await co::sleep(l, 1h);
    };
    auto reader = [](Loop& l, co::TcpStream*& shared, bool& cancelled) -> co::Task<void> {
        while (shared == nullptr) co_await co::sleep(l, 1ms);
        cancelled = false;  // now waiting
        char buf[8];
        try {
            co_await shared->read_some(buf);
        } catch (const co::Cancelled&) {
            cancelled = true;
            throw;
        }
    };
    bool cancelled = true;  // the reader sets it false once it reads
    co::TcpStream* shared = nullptr;
    {
        co::TaskGroup group;
        group.spawn(reader(loop, shared, cancelled));
        group.spawn(owner(loop, acceptor.local_address(), shared));  // listed first: destroyed first
        while (cancelled) loop.run_once(true);
        EXPECT_EQ(group.size(), 2u);
    }
    EXPECT_TRUE(cancelled);  // the reader ended inside the teardown, and was freed (LeakSanitizer)
}

TEST_F(EchoFixture, ALoopStoppedWithTasksSuspendedIsTornDownByTheirOwners) {
    auto idle_client = [](Loop& l, SocketAddress at) -> co::Task<void> {
        co::TcpStream s = co_await co::connect(l, at);
        char buf[8];
        co_await s.read_some(buf);  // the echo server never sends first
    };
    co::TaskGroup clients;
    for (int i = 0; i < 4; ++i) clients.spawn(idle_client(loop, acceptor.local_address()));
    while (sessions.size() < 4) loop.run_once(true);
    // run() returns here with 4 clients, 4 sessions and the server suspended;
    // the groups and handle (declared after the loop) destroy them before the
    // Loop goes: ASan and LeakSanitizer check that nothing dangles or leaks.
    EXPECT_EQ(clients.size(), 4u);
}

using looptest::ends_by_itself;
using tcptest::PlainPeer;  // outside the loop: only the stream under test can keep it running

co::Task<std::string> read_once(co::TcpStream& s) {
    char buf[16];
    std::size_t n = co_await s.read_some(buf);
    co_return std::string(buf, n);
}

// A stream connected to `peer`, which has accepted it.
co::TcpStream connected_to(Loop& loop, PlainPeer& peer) {
    co::TcpStream stream = co::run(loop, [](Loop& l, SocketAddress to) -> co::Task<co::TcpStream> {
        co_return co_await co::connect(l, to);
    }(loop, peer.address));
    peer.accept();
    return stream;
}

TEST(CoTcpStream, AnIdleStreamDoesNotKeepTheLoopRunning) {
    Loop loop;
    PlainPeer peer;
    co::TcpStream stream = connected_to(loop, peer);
    peer.send("hello");
    EXPECT_EQ(co::run(loop, read_once(stream)), "hello");
    // The task read and finished; the stream stays open and idle, the peer silent.
    EXPECT_TRUE(ends_by_itself(loop)) << "an idle co::TcpStream kept Loop::run() going";
    // Still open: what the peer sends meanwhile waits for the next read.
    peer.send("later");
    EXPECT_EQ(co::run(loop, read_once(stream)), "later");
    EXPECT_TRUE(ends_by_itself(loop));
}

TEST(CoTcpStream, AWaitingReadKeepsTheLoopRunningAndACancelledOneDoesNot) {
    Loop loop;
    PlainPeer peer;
    co::TcpStream stream = connected_to(loop, peer);
    auto reading = co::spawn(read_once(stream));
    // Only the read keeps the loop alive until this timer (which does not) makes the peer send.
    Timer later(loop);
    later.keep_loop_alive(false);
    later.start(50ms, [&] { peer.send("awaited"); });
    EXPECT_TRUE(ends_by_itself(loop));
    ASSERT_TRUE(reading.done()) << "the loop ended under a waiting read";
    EXPECT_EQ(reading.result(), "awaited");
    // A read that timed out, and one whose task was destroyed, leave the loop free to end.
    auto read_briefly = [](Loop& l, co::TcpStream& s) -> co::Task<bool> {
        char buf[8];
        try {
            co_await co::with_timeout(l, 20ms, s.read_some(buf));
        } catch (const co::TimedOut&) {
            co_return true;
        }
        co_return false;
    };
    EXPECT_TRUE(co::run(loop, read_briefly(loop, stream)));
    EXPECT_TRUE(ends_by_itself(loop)) << "a cancelled read left the stream keeping the loop";
    auto abandoned = co::spawn(read_briefly(loop, stream));
    abandoned = {};
    EXPECT_TRUE(ends_by_itself(loop));
}

}  // namespace
