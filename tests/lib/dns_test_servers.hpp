// DNS servers the Resolver and DnsLookup tests run themselves on loopback
// (queries never leave the machine), and the options that ask only them.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "netreactor/loop.hpp"
#include "netreactor/resolver.hpp"
#include "netreactor/udp_socket.hpp"

namespace dns_test {

// Asks only `server`, one try of `timeout` (short: a test waits for it).
inline netreactor::ResolverOptions hermetic(const std::string& server,
                                            std::chrono::milliseconds timeout = std::chrono::milliseconds(100)) {
    netreactor::ResolverOptions o;
    o.servers = {server};
    o.timeout = timeout;
    o.tries = 1;
    return o;
}

// The answer to query `q` (its header and question copied): NOERROR,
// authoritative, RD as asked, one A record 192.0.2.1 with `ttl`.
inline std::string one_a_answer(std::span<const char> q, std::uint32_t ttl) {
    std::string reply(q.data(), q.size());
    reply[2] = static_cast<char>(0x84 | (q[2] & 0x01));  // QR AA, RD copied
    reply[3] = 0;
    reply[7] = 1;
    reply += std::string("\xc0\x0c\x00\x01\x00\x01", 6);  // the question's name, A, IN
    for (int shift = 24; shift >= 0; shift -= 8) reply += static_cast<char>(ttl >> shift);
    reply += std::string("\x00\x04\xc0\x00\x02\x01", 6);
    return reply;
}

// Counts what it receives and never answers.
struct BlackHole : netreactor::UdpHandler {
    int queries = 0;
    void on_datagram(netreactor::UdpSocket&, std::span<const char>, const netreactor::SocketAddress&, bool) override {
        queries++;
    }
};

// A DNS server on a loopback UDP port (the test's own), answering (or not)
// as `Handler` does. It keeps the loop running while it receives: a test
// calls socket.stop_receiving() once done.
template <class Handler>
struct LoopbackDns {
    Handler handler;
    netreactor::UdpSocket socket;
    template <class... HandlerArgs>
    explicit LoopbackDns(netreactor::Loop& loop, HandlerArgs&&... args)
        : handler(std::forward<HandlerArgs>(args)...), socket(loop, handler) {
        socket.bind(*netreactor::SocketAddress::parse("127.0.0.1", 0));
        socket.start_receiving();
    }
    std::string address() const { return socket.local_address().to_string(); }
};

// A server that never answers.
struct SilentDns : LoopbackDns<BlackHole> {
    using LoopbackDns::LoopbackDns;
    // One try of 2 s (longer than any test waits), no hosts file.
    netreactor::ResolverOptions options() const {
        netreactor::ResolverOptions o = hermetic(address(), std::chrono::milliseconds(2000));
        o.use_hosts_file = false;
        return o;
    }
};

}  // namespace dns_test
