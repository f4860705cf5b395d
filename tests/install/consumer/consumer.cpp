// Uses netreactor from a subproject: a TCP exchange over loopback on one
// loop, with a timer as a watchdog. Prints "ok VERSION" and exits 0.
#include <netreactor/netreactor.hpp>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

static_assert(NETREACTOR_VERSION_MAJOR >= 0 && NETREACTOR_VERSION_MINOR >= 0 && NETREACTOR_VERSION_PATCH >= 0);
static_assert(NETREACTOR_VERSION ==
              NETREACTOR_VERSION_MAJOR * 10000 + NETREACTOR_VERSION_MINOR * 100 + NETREACTOR_VERSION_PATCH);

namespace nr = netreactor;

// Accepts one connection and echoes it; the client checks the echo.
struct Peer : nr::AcceptHandler, nr::ConnectionHandler {
    std::unique_ptr<nr::TcpListener> listener;
    std::unique_ptr<nr::TcpConnection> server_side, client_side;
    std::string received;
    bool done = false;

    void on_accept(std::unique_ptr<nr::TcpConnection> conn) override {
        server_side = std::move(conn);
        server_side->start(*this);
    }
    void on_connected(nr::TcpConnection& conn) override { conn.write(std::string_view("ping\n")); }
    void on_data(nr::TcpConnection& conn, std::span<const char> data) override {
        if (&conn == server_side.get()) {
            conn.write(data);
            return;
        }
        received.append(data.data(), data.size());
        if (received == "ping\n") {
            done = true;  // closing everything leaves the loop nothing to wait for
            server_side.reset();
            client_side.reset();
            listener.reset();
        }
    }
    void on_closed(nr::TcpConnection&, const nr::Error* error) override {
        if (error) std::fprintf(stderr, "%s\n", error->describe().c_str());
    }
};

int main() {
    nr::ignore_sigpipe();
    if (std::strcmp(nr::version(), NETREACTOR_VERSION_STRING) != 0) {
        std::fprintf(stderr, "headers %s, library %s\n", NETREACTOR_VERSION_STRING, nr::version());
        return 1;
    }
    nr::Loop loop;
    Peer peer;
    peer.listener = std::make_unique<nr::TcpListener>(loop, *nr::SocketAddress::parse("127.0.0.1", 0),
                                                      nr::ListenOptions{}, peer);
    peer.client_side =
        nr::TcpConnection::connect(loop, peer.listener->local_address(), std::chrono::seconds(5), peer);
    nr::Timer watchdog(loop);  // a background timer: does not keep run() going by itself
    watchdog.keep_loop_alive(false);
    watchdog.start(std::chrono::seconds(10), [&] { loop.stop(); });
    loop.run();
    if (!peer.done) {
        std::fprintf(stderr, "no echo\n");
        return 1;
    }
    std::printf("ok %s\n", nr::version());
    return 0;
}
