// A TCP echo server written with coroutines: one task per connection reads
// and writes back until the peer's FIN, then half-closes. Backpressure needs
// no code: write() holds the task while the peer does not read, and nothing
// is read meanwhile.
//
//   co_echo_server [PORT]        prints "listening 127.0.0.1:PORT"
#include <netreactor/co.hpp>
#include <netreactor/netreactor.hpp>

#include <cstdio>
#include <cstdlib>

namespace nr = netreactor;
namespace co = netreactor::co;

co::Task<void> session(co::TcpStream s) {
    char buf[4096];
    while (std::size_t n = co_await s.read_some(buf)) co_await s.write(std::span<const char>(buf, n));
    co_await s.shutdown();
}

co::Task<void> serve(co::TcpAcceptor& acceptor, co::TaskGroup& sessions) {
    for (;;) sessions.spawn(session(co_await acceptor.accept()));
}

int main(int argc, char** argv) {
    nr::ignore_sigpipe();
    nr::Loop loop;
    auto port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 0);
    co::TcpAcceptor acceptor(loop, *nr::SocketAddress::parse("127.0.0.1", port));
    std::printf("listening %s\n", acceptor.local_address().to_string().c_str());
    std::fflush(stdout);
    co::TaskGroup sessions;  // owns the sessions; a failed one ends alone
    auto server = co::spawn(serve(acceptor, sessions));
    loop.run();
}
