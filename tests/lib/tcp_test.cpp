// TcpListener / TcpConnection: data integrity, connect failures, backpressure,
// half-close, and lifetime cases (destroying with pending writes or from
// inside callbacks) that must stay clean under ASan.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "netreactor/loop.hpp"
#include "netreactor/tcp_listener.hpp"
#include "netreactor/timer.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

namespace {

// A handler whose behaviour each test plugs in.
struct TestHandler : ConnectionHandler {
    std::function<void(TcpConnection&, std::span<const char>)> data;
    std::function<void(TcpConnection&)> connected, eof, high_water, drained;
    std::function<void(TcpConnection&, const Error*)> closed;
    std::string received;
    std::optional<std::string> close_code;  // "" for a clean close
    bool got_eof = false;

    void on_connected(TcpConnection& c) override { if (connected) connected(c); }
    void on_data(TcpConnection& c, std::span<const char> d) override {
        received.append(d.data(), d.size());
        if (data) data(c, d);
    }
    void on_eof(TcpConnection& c) override {
        got_eof = true;
        if (eof) eof(c); else ConnectionHandler::on_eof(c);
    }
    void on_high_water(TcpConnection& c) override { if (high_water) high_water(c); }
    void on_write_drained(TcpConnection& c) override { if (drained) drained(c); }
    void on_closed(TcpConnection& c, const Error* e) override {
        close_code = e ? e->code() : "";
        if (closed) closed(c, e);
    }
};

// Accepts connections and gives each the same handler.
struct Server : AcceptHandler {
    Loop& loop;
    ConnectionHandler& handler;
    std::unique_ptr<TcpListener> listener;
    std::vector<std::unique_ptr<TcpConnection>> conns;
    std::function<void(TcpConnection&)> accepted;

    Server(Loop& l, ConnectionHandler& h) : loop(l), handler(h) {
        listener = std::make_unique<TcpListener>(loop, *SocketAddress::parse("127.0.0.1", 0), ListenOptions{}, *this);
    }
    void on_accept(std::unique_ptr<TcpConnection> c) override {
        c->start(handler);
        conns.push_back(std::move(c));
        if (accepted) accepted(*conns.back());
    }
    SocketAddress address() const { return listener->local_address(); }
};

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
    return s;
}

// Runs the loop until `done` holds, with a deadline so a broken test fails
// instead of hanging.
void run_until(Loop& loop, const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    Timer poll(loop);
    bool expired = false;
    auto deadline = monotonic_ns() + static_cast<std::uint64_t>(limit.count()) * 1'000'000u;
    poll.start(1ms, [&] {
        if (done()) {
            loop.stop();
        } else if (monotonic_ns() > deadline) {
            expired = true;
            loop.stop();
        }
    }, 1ms);
    loop.run();
    EXPECT_FALSE(expired) << "the expected end state was not reached in time";
}

}  // namespace

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
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
    socklen_t len = sizeof sin;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
    ::close(fd);  // the port is now closed

    TestHandler h;
    bool connected = false;
    h.connected = [&](TcpConnection&) { connected = true; };
    auto conn = TcpConnection::connect(loop, *SocketAddress::parse("127.0.0.1", ntohs(sin.sin_port)), 2s, h);
    run_until(loop, [&] { return h.close_code.has_value(); });
    EXPECT_FALSE(connected);
    EXPECT_EQ(h.close_code, "ECONNREFUSED");
}

TEST(Tcp, ConnectTimeoutIsHonoured) {
    // A listener that never accepts, its queue filled: further SYNs are dropped.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
    ASSERT_EQ(::listen(fd, 0), 0);
    socklen_t len = sizeof sin;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
    std::vector<int> fillers;
    for (int i = 0; i < 4; ++i) {
        int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        ::connect(c, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
        fillers.push_back(c);
    }
    ::usleep(50'000);

    Loop loop;
    TestHandler h;
    auto start = monotonic_ns();
    auto conn = TcpConnection::connect(loop, *SocketAddress::parse("127.0.0.1", ntohs(sin.sin_port)), 200ms, h);
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
    TestHandler server_side;  // echo with backpressure, as nr-echo-server does
    server_side.data = [&](TcpConnection& c, std::span<const char> d) {
        c.write(d);
        max_queued = std::max(max_queued, c.queued_bytes());
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

TEST(Tcp, ListenOnPortInUseThrowsEaddrinuse) {
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

TEST(Tcp, ReusePortLetsTwoListenersShareAPort) {
    Loop loop;
    struct NoAccept : AcceptHandler { void on_accept(std::unique_ptr<TcpConnection>) override {} } none;
    ListenOptions options;
    options.reuse_port = true;
    TcpListener first(loop, *SocketAddress::parse("127.0.0.1", 0), options, none);
    EXPECT_NO_THROW(TcpListener second(loop, first.local_address(), options, none));
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
