// co::lookup / co::query / co::reverse: answers from the hosts file and from a
// DNS server of our own (a co::UdpSocket on loopback), deadlines and
// cancellation that cancel the one lookup (the resolver has nothing pending
// afterwards), and statuses passed through as results.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "netreactor/co/resolve.hpp"
#include "netreactor/co/run.hpp"
#include "netreactor/co/timeout.hpp"
#include "netreactor/co/udp_socket.hpp"
#include "netreactor/loop.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

namespace {

// A DNS server on loopback that answers every question with `rcode` (and no
// records), or never answers when `silent`.
co::Task<void> fake_dns(co::UdpSocket& socket, int rcode, bool silent, int& questions) {
    char buf[512];
    for (;;) {
        co::Datagram d = co_await socket.receive(buf);
        ++questions;
        if (silent || d.size < 12) continue;
        buf[2] = static_cast<char>(buf[2] | 0x80);                  // QR: a response
        buf[3] = static_cast<char>((buf[3] & 0xF0) | 0x80 | rcode);  // RA, RCODE
        co_await socket.send(std::span<const char>(buf, d.size), d.from);
    }
}

struct FakeServer {
    explicit FakeServer(Loop& loop, int rcode, bool silent) : socket(loop) {
        socket.bind(*SocketAddress::parse("127.0.0.1", 0));
        task = co::spawn(fake_dns(socket, rcode, silent, questions));
    }
    ResolverOptions options() const {
        ResolverOptions o;
        o.servers = {socket.local_address().to_string()};
        o.use_hosts_file = false;
        o.timeout = 200ms;
        o.tries = 1;
        return o;
    }
    co::UdpSocket socket;
    int questions = 0;
    co::JoinHandle<void> task;
};

TEST(CoResolve, AddressesFromTheHostsFileAndNumericNames) {
    Loop loop;
    Resolver resolver(loop);
    auto body = [](Resolver& r) -> co::Task<std::string> {
        AddressLookup local = co_await co::lookup(r, "localhost", AF_INET, 80);
        AddressLookup numeric = co_await co::lookup(r, "::1", AF_UNSPEC, 443);
        EXPECT_FALSE(local.error);
        co_return local.addresses.at(0).to_string() + " " + numeric.addresses.at(0).to_string();
    };
    EXPECT_EQ(co::run(loop, body(resolver)), "127.0.0.1:80 [::1]:443");
}

TEST(CoResolve, AnAnswerOfOurOwnServerWithItsStatus) {
    Loop loop;
    FakeServer server(loop, 3 /* NXDOMAIN */, false);
    Resolver resolver(loop, server.options());
    auto body = [](Resolver& r) -> co::Task<DnsQueryResult> { co_return co_await co::query(r, "nothing.test", 1); };
    DnsQueryResult result = co::run(loop, body(resolver));
    EXPECT_EQ(result.status, DnsStatus::NxDomain);
    EXPECT_EQ(server.questions, 1);
}

TEST(CoResolve, ADeadlineAroundALookupCancelsThatLookup) {
    Loop loop;
    FakeServer server(loop, 0, true);
    Resolver resolver(loop, server.options());
    auto body = [](Loop& l, Resolver& r) -> co::Task<std::string> {
        try {
            co_await co::with_timeout(l, 30ms, co::query(r, "slow.test", 1));
        } catch (const co::TimedOut& e) {
            co_return e.error().operation() + " " + e.error().code();
        }
        co_return "answered";
    };
    EXPECT_EQ(co::run(loop, body(loop, resolver)), "resolve ETIMEDOUT");
    EXPECT_EQ(resolver.pending(), 0u);
}

TEST(CoResolve, ThePerLookupDeadlineIsAStatus) {
    Loop loop;
    FakeServer server(loop, 0, true);
    Resolver resolver(loop, server.options());
    auto body = [](Resolver& r) -> co::Task<DnsStatus> {
        DnsQueryResult result = co_await co::query(r, "slow.test", 1, 40ms);
        co_return result.status;
    };
    EXPECT_EQ(co::run(loop, body(resolver)), DnsStatus::Timeout);
}

TEST(CoResolve, CancellingTheTaskCancelsItsLookup) {
    Loop loop;
    FakeServer server(loop, 0, true);
    Resolver resolver(loop, server.options());
    auto body = [](Resolver& r) -> co::Task<AddressLookup> { co_return co_await co::lookup(r, "slow.test", AF_INET, 80); };
    auto handle = co::spawn(body(resolver));
    EXPECT_EQ(resolver.pending(), 1u);
    handle.cancel();
    ASSERT_TRUE(handle.done());
    EXPECT_THROW(handle.result(), co::Cancelled);
    EXPECT_EQ(resolver.pending(), 0u);

    // Destroying a task's frame does the same.
    {
        auto dropped = co::spawn(body(resolver));
        EXPECT_EQ(resolver.pending(), 1u);
    }
    EXPECT_EQ(resolver.pending(), 0u);
}

}  // namespace
