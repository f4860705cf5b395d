// A TCP port forwarder written with coroutines: each accepted connection is
// joined to a new connection to HOST:PORT (by name, RFC 8305), and bytes are
// pumped both ways. A FIN is passed on (half-close both ways); a slow reader
// holds the writer (backpressure), so memory stays bounded per connection.
//
//   co_port_forwarder LISTEN_PORT HOST PORT     prints "listening 127.0.0.1:PORT"
#include <netreactor/co.hpp>
#include <netreactor/netreactor.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

namespace nr = netreactor;
namespace co = netreactor::co;
using namespace std::chrono_literals;

co::Task<void> pump(co::TcpStream& from, co::TcpStream& to) {
    char buf[64 * 1024];
    while (std::size_t n = co_await from.read_some(buf)) co_await to.write(std::span<const char>(buf, n));
    co_await to.shutdown();  // the FIN goes on once everything before it is sent
}

co::Task<void> forward(nr::Loop& loop, co::TcpStream client, std::string host, std::uint16_t port) {
    nr::ConnectOptions options;
    options.deadline = 10s;
    co::TcpStream server = co_await co::connect(loop, host, port, options);
    co_await co::when_all(pump(client, server), pump(server, client));
}

co::Task<void> serve(nr::Loop& loop, co::TcpAcceptor& acceptor, co::TaskGroup& sessions, const char* host,
                     std::uint16_t port) {
    for (;;) sessions.spawn(forward(loop, co_await acceptor.accept(), host, port));
}

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: co_port_forwarder LISTEN_PORT HOST PORT\n");
        return 2;
    }
    nr::ignore_sigpipe();
    nr::Loop loop;
    auto listen_port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    co::TcpAcceptor acceptor(loop, *nr::SocketAddress::parse("127.0.0.1", listen_port));
    std::printf("listening %s\n", acceptor.local_address().to_string().c_str());
    std::fflush(stdout);
    co::TaskGroup sessions([](std::exception_ptr error) {  // one failed pair ends alone
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "co_port_forwarder: %s\n", e.what());
        }
    });
    auto server = co::spawn(serve(loop, acceptor, sessions, argv[2], static_cast<std::uint16_t>(std::atoi(argv[3]))));
    loop.run();
}
