// The coroutine echo server of bench/echo: TCP and UDP echo written with
// netreactor::co (one task per TCP connection, one task for UDP), printing the
// same "listening" lines as nr-echo-server. run_bench.py drives it beside
// nr-echo-server and raw epoll.
//
//   co-echo-server [PORT]
#include <netreactor/co.hpp>
#include <netreactor/netreactor.hpp>

#include <cstdio>
#include <cstdlib>

namespace nr = netreactor;
namespace co = netreactor::co;

namespace {

// read_view lends the bytes (no buffer in the frame, no copy), as the
// callback server writes straight from the loop's read buffer.
co::Task<void> session(co::TcpStream s) {
    // As nr-echo-server: no Nagle delay; replies queue up to 1 MiB, then the
    // session waits (and stops reading) until the peer has taken them all.
    s.connection().set_nodelay(true);
    s.connection().set_high_water_mark(1024 * 1024);
    for (;;) {
        std::span<const char> data = co_await s.read_view();
        if (data.empty()) break;
        co_await s.write(data);
    }
    co_await s.shutdown();
}

co::Task<void> serve_tcp(co::TcpAcceptor& acceptor, co::TaskGroup& sessions) {
    for (;;) sessions.spawn(session(co_await acceptor.accept()));
}

// receive_view lends the datagram (no copy), as the callback server sends
// straight from the loop's read buffer; a truncated one is dropped, as there.
co::Task<void> serve_udp(co::UdpSocket& socket) {
    for (;;) {
        co::DatagramView d = co_await socket.receive_view();
        if (!d.truncated) co_await socket.send(d.data, d.from);
    }
}

}  // namespace

int main(int argc, char** argv) {
    nr::ignore_sigpipe();
    nr::Loop loop;
    auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 0);
    co::TcpAcceptor acceptor(loop, *nr::SocketAddress::parse("127.0.0.1", port));
    port = acceptor.local_address().port();
    co::UdpSocket udp(loop);
    udp.bind(*nr::SocketAddress::parse("127.0.0.1", port));
    std::printf("{\"event\":\"listening\",\"proto\":\"tcp\",\"address\":\"127.0.0.1\",\"port\":%d}\n", port);
    std::printf("{\"event\":\"listening\",\"proto\":\"udp\",\"address\":\"127.0.0.1\",\"port\":%d}\n", port);
    std::fflush(stdout);
    co::TaskGroup sessions;
    auto tcp = co::spawn(serve_tcp(acceptor, sessions));
    auto datagrams = co::spawn(serve_udp(udp));
    loop.run();
}
