// TcpConnection: data integrity, connect failures, backpressure,
// half-close, lifetime cases (destroying with pending writes or from inside
// callbacks) that must stay clean under ASan, and what keeps Loop::run()
// going (keep_loop_alive).
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "netreactor/loop.hpp"
#include "netreactor/tcp_listener.hpp"
#include "netreactor/timer.hpp"
#include "tcp_test_support.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

using namespace tcptest;


TEST(Tcp, EchoesOneMegabyteByteExactAndClosesCleanly) {
    Loop loop;
    TestHandler server_side;
    server_side.data = [](TcpConnection& c, std::span<const char> d) { c.write(d); };
    Server server(loop, server_side);

    const std::string payload = pattern(1 << 20);
    TestHandler client_side;
    client_side.connected = [&](TcpConnection& c) { c.write(payload); c.shutdown_after_drain(); };
    client_side.eof = [](TcpConnection& c) { c.close_gracefully(); };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    run_until(loop, [&] { return client_side.close_code && server_side.close_code; });

    EXPECT_EQ(client_side.received, payload);
    EXPECT_EQ(server_side.received, payload);
    EXPECT_EQ(client_side.close_code, "");
    EXPECT_EQ(server_side.close_code, "");
    EXPECT_EQ(client->bytes_sent(), payload.size());
    EXPECT_EQ(client->bytes_received(), payload.size());
    EXPECT_EQ(client->state(), TcpConnection::State::closed);
}

TEST(Tcp, ConnectToClosedPortReportsEconnrefused) {
    Loop loop;
    SocketAddress closed;
    ::close(tcptest::bound_loopback_socket(closed));  // the port is now closed

    TestHandler h;
    bool connected = false;
    h.connected = [&](TcpConnection&) { connected = true; };
    auto conn = TcpConnection::connect(loop, closed, 2s, h);
    run_until(loop, [&] { return h.close_code.has_value(); });
    EXPECT_FALSE(connected);
    EXPECT_EQ(h.close_code, "ECONNREFUSED");
}

TEST(Tcp, ConnectTimeoutIsHonoured) {
    // A listener that never accepts, its queue filled: further SYNs are dropped.
    SocketAddress address;
    int fd = tcptest::bound_loopback_socket(address);
    ASSERT_EQ(::listen(fd, 0), 0);
    std::vector<int> fillers;
    for (int i = 0; i < 4; ++i) {
        int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        ::connect(c, address.sockaddr_ptr(), address.length());
        fillers.push_back(c);
    }
    ::usleep(50'000);

    Loop loop;
    TestHandler h;
    auto start = monotonic_ns();
    auto conn = TcpConnection::connect(loop, address, 200ms, h);
    run_until(loop, [&] { return h.close_code.has_value(); });
    double elapsed_ms = static_cast<double>(monotonic_ns() - start) / 1e6;
    EXPECT_EQ(h.close_code, "ETIMEDOUT");
    EXPECT_GE(elapsed_ms, 195);
    EXPECT_LT(elapsed_ms, 1000);
    for (int c : fillers) ::close(c);
    ::close(fd);
}

TEST(Tcp, DestroyingWithQueuedWritesIsSafe) {
    Loop loop;
    TestHandler server_side;  // accepts but never reads
    Server server(loop, server_side);
    server.accepted = [](TcpConnection& c) { c.pause_reading(); };

    TestHandler client_side;
    std::unique_ptr<TcpConnection> client;
    const std::string chunk = pattern(1 << 20);
    client_side.connected = [&](TcpConnection& c) {
        for (int i = 0; i < 64 && c.queued_bytes() == 0; ++i) c.write(chunk);
    };
    client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    Timer later(loop);
    std::size_t queued_at_destroy = 0;
    bool destroyed = false;
    later.start(200ms, [&] {
        queued_at_destroy = client->queued_bytes();
        client.reset();  // pending uv_write requests must be cancelled cleanly
        server.conns.clear();
        server.listener.reset();
        destroyed = true;
    });
    run_until(loop, [&] { return destroyed; });
    loop.run_once(false);  // let the close callbacks free everything
    EXPECT_GT(queued_at_destroy, 0u) << "the kernel took everything: the test did not exercise the queue";
    EXPECT_FALSE(client_side.close_code) << "no handler call after the owner destroyed the connection";
}

TEST(Tcp, DestroyingInsideOnDataIsSafe) {
    Loop loop;
    TestHandler server_side;
    Server server(loop, server_side);
    server_side.data = [&](TcpConnection& c, std::span<const char>) {
        c.write(std::string_view("bye"));
        server.conns.clear();  // destroys `c` while libuv is inside its read callback
    };
    TestHandler client_side;
    client_side.connected = [](TcpConnection& c) { c.write(std::string_view("hello")); };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    run_until(loop, [&] { return client_side.got_eof || client_side.close_code.has_value(); });
    EXPECT_EQ(server_side.received, "hello");
    EXPECT_TRUE(client_side.got_eof || client_side.close_code.has_value());
}

TEST(Tcp, DestroyingInsideOnClosedIsSafe) {
    Loop loop;
    TestHandler server_side;
    Server server(loop, server_side);
    bool server_closed = false;
    server_side.closed = [&](TcpConnection&, const Error*) { server.conns.clear(); server_closed = true; };
    TestHandler client_side;
    std::unique_ptr<TcpConnection> client;
    client_side.connected = [](TcpConnection& c) { c.close_gracefully(); };
    client_side.closed = [&](TcpConnection&, const Error*) { client.reset(); };
    client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    run_until(loop, [&] { return client == nullptr && server_closed; });
    EXPECT_EQ(client, nullptr);
    EXPECT_TRUE(server.conns.empty());
}

TEST(Tcp, HighWaterPausesAndDrainResumes) {
    Loop loop;
    constexpr std::size_t kMark = 64 * 1024;
    std::size_t max_queued = 0;
    int high_water_events = 0, drained_events = 0;
    int writes_above_mark = 0, above_mark_disagreements = 0;
    TestHandler server_side;  // echo with backpressure, as nr-echo-server does
    server_side.data = [&](TcpConnection& c, std::span<const char> d) {
        c.write(d);
        max_queued = std::max(max_queued, c.queued_bytes());
        writes_above_mark += c.above_high_water_mark();
        above_mark_disagreements += c.above_high_water_mark() != (c.queued_bytes() > c.high_water_mark());
    };
    server_side.high_water = [&](TcpConnection& c) { high_water_events++; c.pause_reading(); };
    server_side.drained = [&](TcpConnection& c) { drained_events++; c.resume_reading(); };
    Server server(loop, server_side);
    server.accepted = [&](TcpConnection& c) { c.set_high_water_mark(kMark); };

    // The client sends 32 MiB without reading, then starts reading.
    const std::string chunk = pattern(256 * 1024);
    constexpr int kChunks = 128;
    TestHandler client_side;
    client_side.connected = [&](TcpConnection& c) {
        c.pause_reading();
        for (int i = 0; i < kChunks; ++i) c.write(chunk);
        c.shutdown_after_drain();
    };
    client_side.eof = [](TcpConnection& c) { c.close_gracefully(); };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    // The client starts reading once the server has hit its mark (checked
    // every millisecond, so slow builds such as TSan's get there too), or
    // after 10 s, when the assertions below then fail.
    Timer start_reading(loop);
    bool server_was_paused = false;
    int waited_ms = 0;
    start_reading.start(1ms, [&] {
        if (high_water_events == 0 && ++waited_ms < 10000) return;
        server_was_paused = !server.conns.empty() && !server.conns[0]->reading();
        client->resume_reading();
        start_reading.stop();
    }, 1ms);
    run_until(loop, [&] { return client_side.close_code.has_value(); }, 40s);

    EXPECT_TRUE(server_was_paused);
    EXPECT_GE(high_water_events, 1);
    EXPECT_GE(drained_events, 1);
    EXPECT_GE(writes_above_mark, 1);
    EXPECT_EQ(above_mark_disagreements, 0) << "above_high_water_mark() is not queued_bytes() > high_water_mark()";
    // Bounded: the mark plus at most one read's worth.
    EXPECT_LE(max_queued, kMark + 256 * 1024 + 1);
    ASSERT_EQ(client_side.received.size(), chunk.size() * kChunks);
    for (int i = 0; i < kChunks; ++i)
        ASSERT_EQ(client_side.received.compare(static_cast<std::size_t>(i) * chunk.size(), chunk.size(), chunk), 0);
}

TEST(Tcp, WritingToAPeerThatWentAwayIsAnOrdinaryError) {
    ignore_sigpipe();
    Loop loop;
    TestHandler server_side;
    Server server(loop, server_side);
    server.accepted = [&](TcpConnection&) { server.conns.clear(); };  // accept, then close at once
    const std::string chunk = pattern(64 * 1024);
    TestHandler client_side;
    Timer writer(loop);
    client_side.connected = [&](TcpConnection& c) {
        c.pause_reading();  // so the peer's FIN is not seen first: the write must find out
        writer.start(20ms, [&c, &chunk, &writer] { if (!c.write(chunk)) writer.stop(); }, 5ms);
    };
    client_side.closed = [&](TcpConnection&, const Error*) { writer.stop(); };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    run_until(loop, [&] { return client_side.close_code.has_value(); });
    ASSERT_TRUE(client_side.close_code);
    EXPECT_TRUE(*client_side.close_code == "EPIPE" || *client_side.close_code == "ECONNRESET")
        << *client_side.close_code;
}

TEST(Tcp, BytesSentGrowsWhileALargeWriteIsPartlyDone) {
    // A peer that reads slowly must be seen to progress: bytes_sent() counts
    // what the kernel took of a write still in progress (nr-echo-server's
    // stall timeout relies on it), and bytes_sent() + queued_bytes() stays
    // what write() accepted.
    Loop loop;
    std::size_t read_budget = 0;  // the server reads this much, then pauses
    TestHandler server_side;
    server_side.data = [&](TcpConnection& c, std::span<const char> d) {
        read_budget -= std::min(read_budget, d.size());
        if (read_budget == 0) c.pause_reading();
    };
    Server server(loop, server_side);
    server.accepted = [](TcpConnection& c) { c.pause_reading(); };

    const std::string payload = pattern(16 << 20);
    TestHandler client_side;
    client_side.connected = [&](TcpConnection& c) { c.write(payload); };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);

    // Kernel buffers full: nothing moves any more.
    std::uint64_t sent = 0;
    int still_ms = 0;
    run_until(loop, [&] {
        std::uint64_t now = client->bytes_sent();
        still_ms = now == sent ? still_ms + 1 : 0;
        sent = now;
        return now > 0 && still_ms >= 200;
    });
    ASSERT_GT(client->queued_bytes(), 4u << 20) << "the write did not stay in progress";
    EXPECT_EQ(client->bytes_sent() + client->queued_bytes(), payload.size());

    // The server reads 1 MiB: the kernel takes more of the write, which is
    // far from complete.
    std::uint64_t before = client->bytes_sent();
    read_budget = 1 << 20;
    server.conns.at(0)->resume_reading();
    run_until(loop, [&] { return client->bytes_sent() >= before + (512 << 10); });
    EXPECT_GT(client->queued_bytes(), 2u << 20);
    EXPECT_EQ(client->bytes_sent() + client->queued_bytes(), payload.size());
}

// ---- half-close, attach, low water: every event exactly once ----------------

namespace {

// Closes with SO_LINGER 0: the peer gets a reset, not a FIN.
void reset_and_close(int fd) {
    linger l{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd);
}

// Accepts and keeps each connection without attaching a handler.
struct HoldingServer : AcceptHandler {
    std::unique_ptr<TcpListener> listener;
    std::vector<std::unique_ptr<TcpConnection>> conns;
    explicit HoldingServer(Loop& loop) {
        listener = std::make_unique<TcpListener>(loop, *SocketAddress::parse("127.0.0.1", 0), ListenOptions{}, *this);
    }
    void on_accept(std::unique_ptr<TcpConnection> c) override { conns.push_back(std::move(c)); }
    SocketAddress address() const { return listener->local_address(); }
};

}  // namespace

TEST(Tcp, HalfCloseReportsTheFinOnceAndBothSidesSeeEachDirectionEnd) {
    Loop loop;
    TestHandler server_side;  // echoes; the default on_eof closes once the echo is out
    server_side.data = [](TcpConnection& c, std::span<const char> d) { c.write(d); };
    bool server_saw_eof_flag = false;
    server_side.eof = [&](TcpConnection& c) {
        server_saw_eof_flag = c.eof_received();
        c.close_gracefully();
    };
    Server server(loop, server_side);

    const std::string payload = pattern(256 * 1024);
    TestHandler client_side;  // keeps the default on_eof: close when the echo is complete
    bool write_side_open_before = true, fin_flag_at_report = false, eof_flag_at_report = true;
    client_side.connected = [&](TcpConnection& c) {
        c.write(payload);
        write_side_open_before = !c.shutdown_sent();
        client_side.in_call = true;
        c.shutdown_after_drain();
        c.shutdown_after_drain();  // a second request is ignored: still one report
        client_side.in_call = false;
        EXPECT_FALSE(c.write(std::string_view("late"))) << "write() after shutdown_after_drain() must be refused";
    };
    client_side.shutdown = [&](TcpConnection& c, const Error*) {
        fin_flag_at_report = c.shutdown_sent();
        eof_flag_at_report = c.eof_received();
    };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    run_until(loop, [&] { return client_side.close_code && server_side.close_code; });

    EXPECT_EQ(client_side.received, payload);
    EXPECT_EQ(server_side.received, payload);
    EXPECT_TRUE(write_side_open_before);
    EXPECT_TRUE(fin_flag_at_report);
    EXPECT_TRUE(server_saw_eof_flag);
    EXPECT_EQ(client_side.shutdown_code, "");
    EXPECT_EQ(client_side.close_code, "");
    EXPECT_EQ(server_side.close_code, "");
    EXPECT_TRUE(client->eof_received());
    EXPECT_TRUE(client->shutdown_sent());
    EXPECT_EQ(client_side.connected_count, 1);
    EXPECT_EQ(client_side.shutdown_count, 1);
    EXPECT_EQ(client_side.eof_count, 1);
    EXPECT_EQ(client_side.closed_count, 1);
    EXPECT_EQ(server_side.eof_count, 1);
    EXPECT_EQ(server_side.closed_count, 1);
    EXPECT_EQ(server_side.shutdown_count, 0) << "close_gracefully() alone reports through on_closed only";
}

TEST(Tcp, CloseGracefullyAfterShutdownWaitsForTheQueueAndTheFin) {
    Loop loop;
    HoldingServer server(loop);
    TestHandler client_side;
    const std::string chunk = pattern(1 << 20);
    std::vector<std::string> order;
    client_side.connected = [&](TcpConnection& c) {
        c.pause_reading();
        for (int i = 0; i < 64 && c.queued_bytes() == 0; ++i) c.write(chunk);
        client_side.in_call = true;
        c.shutdown_after_drain();
        c.close_gracefully();  // must neither close now nor drop the FIN's report
        client_side.in_call = false;
    };
    client_side.shutdown = [&](TcpConnection&, const Error*) { order.push_back("shutdown"); };
    client_side.closed = [&](TcpConnection&, const Error*) { order.push_back("closed"); };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);

    // The server reads only after 100 ms: until then the client's queue holds.
    TestHandler server_side;
    server_side.eof = [](TcpConnection& c) { c.close_gracefully(); };
    Timer start_reading(loop);
    std::size_t queued_when_read = 0;
    start_reading.start(100ms, [&] {
        ASSERT_EQ(server.conns.size(), 1u);
        queued_when_read = client->queued_bytes();
        server.conns[0]->start(server_side);
    });
    run_until(loop, [&] { return client_side.close_code && server_side.close_code; }, 20s);

    EXPECT_GT(queued_when_read, 0u) << "the kernel took everything: the test did not exercise the queue";
    EXPECT_EQ(server_side.received.size(), client->bytes_sent());
    EXPECT_EQ(server_side.eof_count, 1) << "the FIN must arrive after every queued byte";
    EXPECT_EQ(client_side.shutdown_code, "");
    EXPECT_EQ(client_side.close_code, "");
    EXPECT_EQ(order, (std::vector<std::string>{"shutdown", "closed"}));
    for (std::size_t off = 0; off < server_side.received.size(); off += chunk.size())
        ASSERT_EQ(server_side.received.compare(off, chunk.size(), chunk), 0) << off;
}

TEST(Tcp, AFailureOvertakingTheShutdownReportsItToOnShutdownThenOnClosed) {
    ignore_sigpipe();
    Loop loop;
    HoldingServer server(loop);
    TestHandler client_side;
    const std::string chunk = pattern(1 << 20);
    std::vector<std::string> order;
    client_side.connected = [&](TcpConnection& c) {
        c.pause_reading();
        for (int i = 0; i < 64 && c.queued_bytes() == 0; ++i) c.write(chunk);
        c.shutdown_after_drain();  // queued: the FIN waits for bytes the peer will never read
    };
    client_side.shutdown = [&](TcpConnection&, const Error*) { order.push_back("shutdown"); };
    client_side.closed = [&](TcpConnection&, const Error*) { order.push_back("closed"); };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    Timer reset_peer(loop);
    reset_peer.start(100ms, [&] { server.conns.clear(); });  // unread input: the kernel resets
    run_until(loop, [&] { return client_side.close_code.has_value(); });

    ASSERT_TRUE(client_side.close_code);
    EXPECT_NE(*client_side.close_code, "");
    EXPECT_EQ(client_side.shutdown_code, client_side.close_code) << "the failure is the shutdown's outcome too";
    EXPECT_EQ(client_side.shutdown_count, 1);
    EXPECT_EQ(client_side.closed_count, 1);
    EXPECT_EQ(order, (std::vector<std::string>{"shutdown", "closed"}));
    EXPECT_FALSE(client->shutdown_sent());
}

TEST(Tcp, AttachWithoutReadingKeepsBytesInTheKernelUntilResume) {
    Loop loop;
    HoldingServer server(loop);
    TestHandler server_side;
    TestHandler client_side;
    client_side.connected = [](TcpConnection& c) { c.write(std::string_view("hello")); };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    run_until(loop, [&] { return !server.conns.empty(); });
    TcpConnection& accepted = *server.conns[0];
    accepted.attach(server_side);
    EXPECT_FALSE(accepted.reading());
    Timer later(loop);
    bool waited = false;
    later.start(100ms, [&] { waited = true; });
    run_until(loop, [&] { return waited; });
    EXPECT_EQ(server_side.received, "") << "attach() alone must not read";
    accepted.resume_reading();
    run_until(loop, [&] { return server_side.received == "hello"; });
    EXPECT_TRUE(accepted.reading());
    EXPECT_EQ(server_side.closed_count, 0);
}

TEST(Tcp, APeerResetBeforeAttachIsReportedOnceAttachedFromTheLoop) {
    Loop loop;
    HoldingServer server(loop);
    int fd = raw_connect(server.address());
    ASSERT_GE(fd, 0);
    run_until(loop, [&] { return !server.conns.empty(); });
    reset_and_close(fd);
    Timer later(loop);
    bool waited = false;
    later.start(50ms, [&] { waited = true; });
    run_until(loop, [&] { return waited; });

    TestHandler handler;
    handler.in_call = true;
    server.conns[0]->attach(handler);
    handler.in_call = false;
    EXPECT_EQ(handler.closed_count, 0);
    run_until(loop, [&] { return handler.close_code.has_value(); });
    EXPECT_EQ(handler.close_code, "ECONNRESET");
    loop.run_once(false);
    EXPECT_EQ(handler.closed_count, 1);
    EXPECT_EQ(server.conns[0]->state(), TcpConnection::State::closed);
}

TEST(Tcp, CloseGracefullyBeforeAttachIsReportedToTheFirstHandler) {
    Loop loop;
    HoldingServer server(loop);
    int fd = raw_connect(server.address());
    ASSERT_GE(fd, 0);
    run_until(loop, [&] { return !server.conns.empty(); });
    server.conns[0]->close_gracefully();
    Timer later(loop);
    bool waited = false;
    later.start(50ms, [&] { waited = true; });
    run_until(loop, [&] { return waited; });
    EXPECT_EQ(server.conns[0]->state(), TcpConnection::State::closed);

    TestHandler handler;
    handler.in_call = true;
    server.conns[0]->start(handler);
    handler.in_call = false;
    run_until(loop, [&] { return handler.close_code.has_value(); });
    EXPECT_EQ(handler.close_code, "");
    EXPECT_EQ(handler.closed_count, 1);
    char byte;
    EXPECT_EQ(::recv(fd, &byte, 1, 0), 0) << "the peer sees a clean FIN";
    ::close(fd);
}

TEST(Tcp, AnUnstartedConnectionDestroyedReportsNothingAndFreesEverything) {
    Loop loop;
    HoldingServer server(loop);
    int fd = raw_connect(server.address());
    ASSERT_GE(fd, 0);
    run_until(loop, [&] { return !server.conns.empty(); });
    server.conns[0]->close_gracefully();  // a report is now waiting for a handler...
    server.conns.clear();                 // ...and is dropped with the connection
    server.listener.reset();
    loop.run_once(false);
    char byte;
    EXPECT_EQ(::recv(fd, &byte, 1, 0), 0);
    ::close(fd);
    // LeakSanitizer (the ASan build) checks that the state was freed.
}

TEST(Tcp, CloseDropsAnOwedReport) {
    Loop loop;
    HoldingServer server(loop);
    TestHandler client_side;
    client_side.connected = [&](TcpConnection& c) {
        c.shutdown_after_drain();
        c.close();  // no handler call follows close(), the FIN's report included
    };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    run_until(loop, [&] { return client->state() == TcpConnection::State::closed; });
    Timer later(loop);
    bool waited = false;
    later.start(50ms, [&] { waited = true; });
    run_until(loop, [&] { return waited; });
    EXPECT_EQ(client_side.shutdown_count, 0);
    EXPECT_EQ(client_side.closed_count, 0);
}

TEST(Tcp, LowWaterResumesAProducerPausedAtHighWaterOncePerCrossing) {
    Loop loop;
    constexpr std::size_t kHigh = 256 * 1024, kLow = 64 * 1024;
    std::size_t max_queued = 0, queued_at_low = 0;
    TestHandler server_side;  // echo with both marks
    server_side.data = [&](TcpConnection& c, std::span<const char> d) {
        c.write(d);
        max_queued = std::max(max_queued, c.queued_bytes());
    };
    server_side.high_water = [&](TcpConnection& c) {
        EXPECT_EQ(server_side.high_water_count, server_side.low_water_count + 1) << "high and low alternate";
        c.pause_reading();
    };
    server_side.low_water = [&](TcpConnection& c) {
        EXPECT_EQ(server_side.high_water_count, server_side.low_water_count);
        queued_at_low = std::max(queued_at_low, c.queued_bytes());
        c.resume_reading();
    };
    Server server(loop, server_side);
    server.accepted = [&](TcpConnection& c) {
        c.set_high_water_mark(kHigh);
        c.set_low_water_mark(kLow);
        EXPECT_EQ(c.low_water_mark(), kLow);
    };
    const std::string chunk = pattern(256 * 1024);
    constexpr int kChunks = 64;  // 16 MiB
    TestHandler client_side;
    client_side.connected = [&](TcpConnection& c) {
        c.pause_reading();
        for (int i = 0; i < kChunks; ++i) c.write(chunk);
        c.shutdown_after_drain();
    };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    Timer start_reading(loop);
    start_reading.start(1ms, [&] {
        if (server_side.high_water_count == 0) return;
        client->resume_reading();
        start_reading.stop();
    }, 1ms);
    run_until(loop, [&] { return client_side.close_code.has_value(); }, 40s);

    EXPECT_GE(server_side.high_water_count, 1);
    EXPECT_EQ(server_side.low_water_count, server_side.high_water_count);
    EXPECT_LE(queued_at_low, kLow);
    EXPECT_LE(max_queued, kHigh + 256 * 1024 + 1);
    ASSERT_EQ(client_side.received.size(), chunk.size() * kChunks);
    EXPECT_EQ(client_side.shutdown_count, 1);
    EXPECT_EQ(client_side.closed_count, 1);
}

TEST(Tcp, ReplacingTheHandlerRoutesLaterEventsToTheNewOne) {
    Loop loop;
    TestHandler first, second;
    Server server(loop, first);
    first.data = [&](TcpConnection& c, std::span<const char>) { c.attach(second); };
    TestHandler client_side;
    client_side.connected = [](TcpConnection& c) { c.write(std::string_view("a")); };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    run_until(loop, [&] { return first.received == "a"; });
    client->write(std::string_view("b"));
    client->close_gracefully();
    run_until(loop, [&] { return second.close_code.has_value(); });
    EXPECT_EQ(first.received, "a");
    EXPECT_EQ(second.received, "b");
    EXPECT_EQ(first.closed_count + first.eof_count, 0);
    EXPECT_EQ(second.eof_count, 1);
    EXPECT_EQ(second.closed_count, 1);
}

TEST(Tcp, CloseGracefullyWhileTheFinIsUnderWayWaitsForIt) {
    Loop loop;
    HoldingServer server(loop);
    TestHandler client_side;
    std::vector<std::string> order;
    client_side.connected = [&](TcpConnection& c) {
        c.write(std::string_view("hello"));  // the kernel takes it: the queue is empty
        c.shutdown_after_drain();             // so the shutdown request starts now
        c.close_gracefully();                 // and closing must wait for its FIN
        EXPECT_EQ(c.state(), TcpConnection::State::closing);
    };
    client_side.shutdown = [&](TcpConnection&, const Error*) { order.push_back("shutdown"); };
    client_side.closed = [&](TcpConnection&, const Error*) { order.push_back("closed"); };
    auto client = TcpConnection::connect(loop, server.address(), 2s, client_side);
    run_until(loop, [&] { return client_side.close_code.has_value(); });
    EXPECT_EQ(client_side.shutdown_code, "");
    EXPECT_EQ(client_side.close_code, "");
    EXPECT_EQ(order, (std::vector<std::string>{"shutdown", "closed"}));
    TestHandler server_side;
    server.conns[0]->start(server_side);
    run_until(loop, [&] { return server_side.eof_count == 1; });
    EXPECT_EQ(server_side.received, "hello");
}

// ---- what keeps Loop::run() going (keep_loop_alive) -------------------------

TEST(Tcp, AReadingConnectionKeepsTheLoopRunningUnlessToldNot) {
    Loop loop;
    PlainPeer peer;  // outside the loop: only the connection can keep it running
    TestHandler h;
    auto conn = TcpConnection::connect(loop, peer.address, 2s, h);
    run_until(loop, [&] { return h.connected_count == 1; });
    peer.accept();
    // Reading, keep_loop_alive(true) by default: run() goes on past the bytes
    // that this timer (which does not keep the loop) has the peer send.
    Timer later(loop);
    later.keep_loop_alive(false);
    later.start(50ms, [&] { peer.send("ping"); });
    EXPECT_FALSE(ends_by_itself(loop, 300ms)) << "Loop::run() ended under a reading connection";
    EXPECT_EQ(h.received, "ping");
    // keep_loop_alive(false): still open and reading, but run() ends at once.
    conn->keep_loop_alive(false);
    EXPECT_TRUE(ends_by_itself(loop)) << "a connection with keep_loop_alive(false) kept Loop::run() going";
    EXPECT_EQ(conn->state(), TcpConnection::State::connected);
    EXPECT_TRUE(conn->reading());
    // It still reads while the loop runs for other work.
    peer.send("pong");
    run_until(loop, [&] { return h.received == "pingpong"; });
    // And true again keeps the loop going.
    conn->keep_loop_alive(true);
    EXPECT_FALSE(ends_by_itself(loop, 100ms));
    EXPECT_EQ(h.closed_count, 0);
}

TEST(Tcp, WithoutKeepLoopAliveAConnectQueuedBytesAndAShutdownStillKeepTheLoopRunning) {
    // What the Doxygen of keep_loop_alive promises: only reading stops
    // counting; each phase below must finish before run() may end by itself.
    Loop loop;
    PlainPeer peer;
    peer.limit_receive_buffer(64 << 10);
    TestHandler h;
    auto conn = TcpConnection::connect(loop, peer.address, 2s, h);
    conn->keep_loop_alive(false);
    EXPECT_TRUE(ends_by_itself(loop));
    ASSERT_EQ(h.connected_count, 1) << "Loop::run() ended before the connect completed";
    peer.accept();

    // 16 MiB to a peer that does not read yet: most of it stays queued here.
    const std::string payload = pattern(16 << 20);
    ASSERT_TRUE(conn->write(payload));
    ASSERT_GT(conn->queued_bytes(), 4u << 20) << "the kernel took the write: nothing left to show";
    std::string got;
    std::jthread reader([&] {
        std::this_thread::sleep_for(100ms);  // the loop must wait for this slow peer
        got = peer.read_to_eof();
    });
    EXPECT_TRUE(ends_by_itself(loop, 10s));
    EXPECT_EQ(conn->queued_bytes(), 0u) << "Loop::run() ended with bytes still queued";
    EXPECT_EQ(h.drained_count, 1);
    EXPECT_EQ(conn->bytes_sent(), payload.size());

    conn->shutdown_after_drain();
    EXPECT_TRUE(ends_by_itself(loop));
    EXPECT_EQ(h.shutdown_count, 1) << "Loop::run() ended before the shutdown completed";
    EXPECT_EQ(h.shutdown_code, "");
    reader.join();  // the FIN ends its read
    EXPECT_EQ(got.size(), payload.size());
    EXPECT_TRUE(got == payload) << "the peer did not get the bytes intact";
    EXPECT_EQ(h.closed_count, 0);
}
