// Test peers and fixtures for the connect-by-name tests (TcpConnector,
// HostLookup), all on loopback: a DNS server on a UdpSocket answering A and
// AAAA from a table (each type after its own delay), listeners that accept
// the handshake, a listener whose full accept queue drops every SYN (an
// address that never answers), one name served on several of them, and the
// bounded wait for a callback that must come from the loop.
#pragma once

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "netreactor/address.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/resolver.hpp"
#include "netreactor/timer.hpp"
#include "netreactor/udp_socket.hpp"

namespace connect_test {

using namespace netreactor;

// Answers A (1) and AAAA (28) questions for names in `records`; any other
// name is NXDOMAIN, a known name without the type NODATA. Counts questions.
struct FakeDns : UdpHandler {
    struct Records {
        std::vector<std::string> a, aaaa;
    };
    Loop& loop;
    UdpSocket socket{loop, *this};
    std::map<std::string, Records> records;
    std::map<int, std::chrono::milliseconds> delay;  // by qtype
    std::map<int, bool> silent;                      // by qtype: never answer
    int questions = 0;
    std::vector<std::unique_ptr<Timer>> pending;

    explicit FakeDns(Loop& l) : loop(l) {
        socket.bind(*SocketAddress::parse("127.0.0.1", 0));
        socket.start_receiving();
    }
    std::string address() const { return socket.local_address().to_string(); }

    void on_datagram(UdpSocket&, std::span<const char> q, const SocketAddress& from, bool) override {
        if (q.size() < 17) return;
        questions++;
        std::string name;
        std::size_t at = 12;
        while (at < q.size() && q[at] != 0) {
            auto len = static_cast<unsigned char>(q[at]);
            if (!name.empty()) name += '.';
            name.append(q.data() + at + 1, len);
            at += 1 + len;
        }
        at += 1;
        if (at + 4 > q.size()) return;
        int qtype = (static_cast<unsigned char>(q[at]) << 8) | static_cast<unsigned char>(q[at + 1]);
        std::string reply(q.data(), at + 4);
        reply[2] = static_cast<char>(0x84 | (q[2] & 0x01));  // QR AA, RD copied
        reply[3] = 0;
        reply[6] = reply[7] = reply[8] = reply[9] = reply[10] = reply[11] = 0;
        auto found = records.find(name);
        if (found == records.end()) {
            reply[3] = 3;  // NXDOMAIN
        } else {
            const auto& list = qtype == 28 ? found->second.aaaa : found->second.a;
            if (qtype == 1 || qtype == 28) {
                for (const auto& ip : list) {
                    unsigned char raw[16];
                    int family = qtype == 28 ? AF_INET6 : AF_INET;
                    inet_pton(family, ip.c_str(), raw);
                    std::string rr("\xc0\x0c\x00\x00\x00\x01\x00\x00\x00\x3c\x00\x00", 12);
                    rr[3] = static_cast<char>(qtype);
                    rr[11] = static_cast<char>(qtype == 28 ? 16 : 4);
                    rr.append(reinterpret_cast<char*>(raw), qtype == 28 ? 16 : 4);
                    reply += rr;
                }
                reply[7] = static_cast<char>(list.size());
            }
        }
        if (silent[qtype]) return;
        auto wait = delay.count(qtype) ? delay[qtype] : std::chrono::milliseconds(0);
        if (wait.count() == 0) {
            socket.send({reply.data(), reply.size()}, from);
            return;
        }
        pending.push_back(std::make_unique<Timer>(loop));
        pending.back()->start(wait, [this, reply, from] { socket.send({reply.data(), reply.size()}, from); });
    }
};

// ResolverOptions that only ever ask `dns`.
inline ResolverOptions hermetic(const FakeDns& dns) {
    ResolverOptions o;
    o.servers = {dns.address()};
    o.timeout = std::chrono::milliseconds(300);
    o.tries = 1;
    return o;
}

// A listening socket (never accepting: the kernel completes handshakes into
// the accept queue). With `full`, the queue is filled first (backlog 0, one
// connection waiting), so the kernel drops further SYNs: connecting to it
// hangs until a timeout. IPv6 sockets are IPV6_V6ONLY.
struct RawListener {
    int fd = -1;
    int filler = -1;
    std::uint16_t port = 0;
    SocketAddress address;

    RawListener(const char* ip, bool full, std::uint16_t want_port = 0) {
        auto bind_to = *SocketAddress::parse(ip, want_port);
        fd = ::socket(bind_to.family(), SOCK_STREAM, 0);
        int one = 1;
        if (bind_to.is_ipv6()) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (::bind(fd, bind_to.sockaddr_ptr(), bind_to.length()) != 0 || ::listen(fd, full ? 0 : 16) != 0) {
            ::close(fd);
            fd = -1;
            return;
        }
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
        address = SocketAddress(reinterpret_cast<sockaddr*>(&ss));
        port = address.port();
        if (full) {
            filler = ::socket(bind_to.family(), SOCK_STREAM, 0);
            if (::connect(filler, address.sockaddr_ptr(), address.length()) != 0) {
                ::close(filler);
                filler = -1;
            }
        }
    }
    ~RawListener() {
        if (filler >= 0) ::close(filler);
        if (fd >= 0) ::close(fd);
    }
    bool ok() const { return fd >= 0; }
};

// A port on `ip` where nothing listens (bound, then closed).
inline std::uint16_t closed_port(const char* ip) {
    RawListener probe(ip, false);
    return probe.port;
}

inline bool ipv6_loopback() {
    RawListener probe("::1", false);
    return probe.ok();
}

// One name served on several loopback addresses, all on one port: a
// listener per address, and the name's A and AAAA records in `dns`.
class NamedPeers {
public:
    enum class Peer { accepts, silent };  // silent: its accept queue full, SYNs dropped

    NamedPeers(FakeDns& dns, std::string name) : dns_(dns), name_(std::move(name)) {}

    // Listens on `ip` at the name's port (the first address picks it) and
    // adds the record. False when `ip` cannot be bound there.
    bool add(const std::string& ip, Peer peer) {
        listeners_.push_back(std::make_unique<RawListener>(ip.c_str(), peer == Peer::silent, port_));
        if (!listeners_.back()->ok()) return false;
        port_ = listeners_.back()->port;
        FakeDns::Records& records = dns_.records[name_];
        (ip.find(':') != std::string::npos ? records.aaaa : records.a).push_back(ip);
        return true;
    }
    std::uint16_t port() const { return port_; }
    // The address of the i-th peer added.
    const SocketAddress& address(std::size_t i) const { return listeners_.at(i)->address; }

private:
    FakeDns& dns_;
    std::string name_;
    std::uint16_t port_ = 0;
    std::vector<std::unique_ptr<RawListener>> listeners_;
};

inline double ms_since(std::uint64_t start_ns) { return static_cast<double>(monotonic_ns() - start_ns) / 1e6; }

// What an asynchronous operation handed to its callback, and whether the
// callback ran inside the call that started it (it never may).
template <typename T>
struct Delivered {
    T value;
    bool inside_start = false;
};

// Calls `start` with a callback, then runs the loop until that callback has
// run, at most `limit` (a broken test fails instead of hanging).
template <typename T>
Delivered<T> run_until_delivered(Loop& loop, const std::function<void(std::function<void(T)>)>& start,
                                 std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::optional<T> got;
    bool inside = true, inside_start = false;
    start([&](T value) {
        inside_start = inside;
        got = std::move(value);
    });
    inside = false;
    Timer guard(loop);
    bool expired = false;
    guard.start(limit, [&] { expired = true; });
    while (!got && !expired) loop.run_once(true);
    EXPECT_FALSE(expired) << "no callback within " << limit.count() << " ms";
    if (!got) return {T{}, inside_start};
    return {std::move(*got), inside_start};
}

}  // namespace connect_test
