// The coroutine layer's hot path allocates nothing: once a connection is up,
// awaiting read_some() and write() costs no heap allocation (the awaiters live
// in the coroutine frame; the stream's buffers keep their capacity), nor does
// a UDP receive, receive_view or send. This test binary replaces the global
// operator new to count allocations across many echo round trips between a
// coroutine client and a coroutine server.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "netreactor/co/run.hpp"
#include "netreactor/co/task_group.hpp"
#include "netreactor/co/tcp_acceptor.hpp"
#include "netreactor/co/tcp_stream.hpp"
#include "netreactor/co/udp_socket.hpp"
#include "netreactor/loop.hpp"

namespace {
std::atomic<std::uint64_t> allocations{0};
}

// The replacements below pair malloc with free on purpose; GCC's inliner
// sees through them and would flag each delete.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace netreactor;

namespace {

// The server lends (read_view), the client copies (read_some): both paths count.
co::Task<void> echo(co::TcpStream s) {
    for (;;) {
        std::span<const char> data = co_await s.read_view();
        if (data.empty()) break;
        co_await s.write(data);
    }
    co_await s.shutdown();
}

co::Task<void> serve(co::TcpAcceptor& acceptor, co::TaskGroup& sessions) {
    for (;;) sessions.spawn(echo(co_await acceptor.accept()));
}

struct Counts {
    std::uint64_t warm = 0;     // allocations during the first round trips (setup included)
    std::uint64_t steady = 0;   // allocations during the measured round trips
    int round_trips = 0;
};

co::Task<Counts> ping_pong(Loop& loop, SocketAddress server, int warmup, int measured) {
    Counts counts;
    std::uint64_t start = allocations.load();
    co::TcpStream s = co_await co::connect(loop, server);
    char message[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
    char reply[64];
    auto round_trip = [&]() -> co::Task<bool> {
        co_await s.write(std::span<const char>(message, sizeof message));
        std::size_t got = 0;
        while (got < sizeof reply) {
            std::size_t n = co_await s.read_some(std::span<char>(reply + got, sizeof reply - got));
            if (n == 0) co_return false;
            got += n;
        }
        co_return true;
    };
    for (int i = 0; i < warmup; ++i) co_await round_trip();
    counts.warm = allocations.load() - start;
    std::uint64_t before = allocations.load();
    // Straight-line awaits of read and write: the pattern under test.
    for (int i = 0; i < measured; ++i) {
        co_await s.write(std::span<const char>(message, sizeof message));
        std::size_t got = 0;
        while (got < sizeof reply) {
            std::size_t n = co_await s.read_some(std::span<char>(reply + got, sizeof reply - got));
            if (n == 0) break;
            got += n;
        }
        if (got == sizeof reply) ++counts.round_trips;
    }
    counts.steady = allocations.load() - before;
    co_await s.shutdown();
    co_return counts;
}

TEST(CoAllocations, AwaitedReadsAndWritesDoNotAllocate) {
    Loop loop;
    co::TcpAcceptor acceptor(loop, *SocketAddress::parse("127.0.0.1", 0));
    co::TaskGroup sessions;
    auto server = co::spawn(serve(acceptor, sessions));
    Counts counts = co::run(loop, ping_pong(loop, acceptor.local_address(), 100, 10000));
    EXPECT_EQ(counts.round_trips, 10000);
    EXPECT_GT(counts.warm, 0u);  // the counter works: setup allocates
    EXPECT_EQ(counts.steady, 0u);
}

// UDP: the server lends (receive_view), the client copies (receive).
co::Task<void> echo_datagrams(co::UdpSocket& socket) {
    for (;;) {
        co::DatagramView d = co_await socket.receive_view();
        co_await socket.send(d.data, d.from);
    }
}

co::Task<Counts> datagram_ping_pong(co::UdpSocket& client, SocketAddress server, int warmup, int measured) {
    Counts counts;
    char message[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
    char reply[64];
    std::uint64_t start = allocations.load();
    for (int i = 0; i < warmup; ++i) {
        co_await client.send(std::span<const char>(message, sizeof message), server);
        co_await client.receive(reply);
    }
    counts.warm = allocations.load() - start;
    std::uint64_t before = allocations.load();
    for (int i = 0; i < measured; ++i) {
        co_await client.send(std::span<const char>(message, sizeof message), server);
        co::Datagram d = co_await client.receive(reply);
        if (d.size == sizeof reply) ++counts.round_trips;
    }
    counts.steady = allocations.load() - before;
    co_return counts;
}

TEST(CoAllocations, AwaitedDatagramsDoNotAllocate) {
    Loop loop;
    co::UdpSocket server(loop), client(loop);
    server.bind(*SocketAddress::parse("127.0.0.1", 0));
    client.bind(*SocketAddress::parse("127.0.0.1", 0));
    auto echo = co::spawn(echo_datagrams(server));
    std::uint64_t before_run = allocations.load();
    Counts counts = co::run(loop, datagram_ping_pong(client, server.local_address(), 100, 10000));
    EXPECT_EQ(counts.round_trips, 10000);
    EXPECT_GT(allocations.load() - before_run, counts.steady);  // the counter works: the task's frame
    EXPECT_EQ(counts.steady, 0u);
}

}  // namespace
