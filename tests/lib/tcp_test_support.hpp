// Shared by the TcpConnection and TcpListener tests: a handler that records
// every event (and how often it came), a listener that gives each accepted
// connection one handler, peers outside the loop (plain sockets), a byte
// pattern, and bounded runs of the loop.
#pragma once

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loop_test_support.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/tcp_listener.hpp"
#include "netreactor/timer.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

namespace tcptest {

using looptest::ends_by_itself;

// A handler whose behaviour each test plugs in.
struct TestHandler : ConnectionHandler {
    std::function<void(TcpConnection&, std::span<const char>)> data;
    std::function<void(TcpConnection&)> connected, eof, high_water, low_water, drained;
    std::function<void(TcpConnection&, const Error*)> closed, shutdown;
    std::string received;
    std::optional<std::string> close_code;     // "" for a clean close
    std::optional<std::string> shutdown_code;  // "" for a FIN sent
    bool got_eof = false;
    // How often each event came: each lifecycle event must come exactly once.
    int connected_count = 0, eof_count = 0, shutdown_count = 0, closed_count = 0;
    int high_water_count = 0, low_water_count = 0, drained_count = 0;
    bool in_call = false;  // set by a test around a call that must not call back

    void on_connected(TcpConnection& c) override {
        connected_count++;
        if (connected) connected(c);
    }
    void on_data(TcpConnection& c, std::span<const char> d) override {
        received.append(d.data(), d.size());
        if (data) data(c, d);
    }
    void on_eof(TcpConnection& c) override {
        got_eof = true;
        eof_count++;
        if (eof) eof(c); else ConnectionHandler::on_eof(c);
    }
    void on_shutdown(TcpConnection& c, const Error* e) override {
        EXPECT_FALSE(in_call) << "on_shutdown inside the call that caused it";
        shutdown_count++;
        shutdown_code = e ? e->code() : "";
        if (shutdown) shutdown(c, e);
    }
    void on_high_water(TcpConnection& c) override {
        high_water_count++;
        if (high_water) high_water(c);
    }
    void on_low_water(TcpConnection& c) override {
        low_water_count++;
        if (low_water) low_water(c);
    }
    void on_write_drained(TcpConnection& c) override {
        drained_count++;
        if (drained) drained(c);
    }
    void on_closed(TcpConnection& c, const Error* e) override {
        EXPECT_FALSE(in_call) << "on_closed inside the call that caused it";
        closed_count++;
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

// A blocking client socket outside the library, for peers that must misbehave
// or must not keep the loop running. Against a listening socket on loopback
// the kernel completes the handshake at once, even on the loop's thread.
inline int raw_connect(const SocketAddress& to) {
    int fd = ::socket(to.family(), SOCK_STREAM, 0);
    if (fd >= 0 && ::connect(fd, to.sockaddr_ptr(), to.length()) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// A plain TCP socket bound to a free port on 127.0.0.1 (its address in
// `address`), neither listening nor connected: listen() on it for a peer,
// or close it for a port nothing listens on.
inline int bound_loopback_socket(SocketAddress& address) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
    socklen_t size = sizeof sin;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &size);
    address = *SocketAddress::parse("127.0.0.1", ntohs(sin.sin_port));
    return fd;
}

// A peer outside the loop for a connection under test: a plain listening
// socket (the kernel completes the handshake) and the socket accepted from
// it, so that only the connection can keep the loop running.
struct PlainPeer {
    SocketAddress address;
    int listener = bound_loopback_socket(address);
    int accepted = -1;
    PlainPeer() { EXPECT_EQ(::listen(listener, 4), 0); }
    ~PlainPeer() {
        if (accepted >= 0) ::close(accepted);
        ::close(listener);
    }
    PlainPeer(const PlainPeer&) = delete;
    PlainPeer& operator=(const PlainPeer&) = delete;
    // A small fixed receive buffer (no autotuning) for the connections
    // accepted from now on: a large write then stays queued on our side.
    void limit_receive_buffer(int bytes) {
        EXPECT_EQ(::setsockopt(listener, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes), 0);
    }
    void accept() { accepted = ::accept(listener, nullptr, nullptr); }  // connected already: at once
    void send(std::string_view text) {
        EXPECT_EQ(::send(accepted, text.data(), text.size(), 0), static_cast<ssize_t>(text.size()));
    }
    // Reads until the FIN (or an error, or `limit` without a byte: a broken
    // test ends instead of hanging). Safe from another thread.
    std::string read_to_eof(std::chrono::seconds limit = 10s) {
        timeval timeout{static_cast<time_t>(limit.count()), 0};
        ::setsockopt(accepted, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        std::string got;
        char buf[64 * 1024];
        for (ssize_t n; (n = ::recv(accepted, buf, sizeof buf, 0)) > 0;) got.append(buf, static_cast<std::size_t>(n));
        return got;
    }
};

inline std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
    return s;
}

// Runs the loop until `done` holds, with a deadline so a broken test fails
// instead of hanging.
inline void run_until(Loop& loop, const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
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

}  // namespace tcptest
