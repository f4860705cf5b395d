// A TCP port forwarder: each connection accepted on 127.0.0.1:LISTEN_PORT is
// joined to a new connection to HOST:PORT (by name, RFC 8305), and bytes are
// relayed both ways. Backpressure: when one side's output queue passes the
// high-water mark, the other side is no longer read until the queue is down to
// the low-water mark, so a pair holds at most about HIGH + 256 KiB per
// direction. A FIN is passed on once everything before it is sent (half-close
// both ways); the pair ends when both directions are done, or at once on an error.
//
//   tcp_forwarder LISTEN_PORT HOST PORT [HIGH_WATER [LOW_WATER]]   prints "listening 127.0.0.1:PORT"
#include <netreactor/netreactor.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

namespace nr = netreactor;

struct Config {
    std::string host;
    std::uint16_t port = 0;
    std::size_t high_water = 1 << 20, low_water = 256 << 10;
};

class Pair;
using Pairs = std::map<const Pair*, std::unique_ptr<Pair>>;

// One direction's end: the handler of one connection, relaying to the other.
class Side final : public nr::ConnectionHandler {
public:
    Side(Pair& pair, Side& other) : pair_(pair), other_(other) {}
    std::unique_ptr<nr::TcpConnection> conn;

    void on_data(nr::TcpConnection&, std::span<const char> data) override { other_.conn->write(data); }
    void on_eof(nr::TcpConnection&) override { other_.conn->shutdown_after_drain(); }  // pass the FIN on
    void on_shutdown(nr::TcpConnection&, const nr::Error* error) override;
    void on_high_water(nr::TcpConnection&) override { other_.conn->pause_reading(); }
    void on_low_water(nr::TcpConnection&) override { other_.conn->resume_reading(); }
    void on_closed(nr::TcpConnection&, const nr::Error* error) override;

    bool done() const { return conn->eof_received() && conn->shutdown_sent(); }

private:
    Pair& pair_;
    Side& other_;
};

// An accepted client and its upstream; owns both connections.
class Pair {
public:
    Pair(nr::Loop& loop, Pairs& pairs, const Config& config, std::unique_ptr<nr::TcpConnection> accepted)
        : pairs_(pairs), connector_(loop) {
        client_.conn = std::move(accepted);
        client_.conn->attach(client_);  // not read until the upstream is there
        connector_.connect(config.host, config.port, upstream_, [this, config](nr::ConnectOutcome outcome) {
            if (!outcome.connection) return end(&*outcome.error);
            upstream_.conn = std::move(outcome.connection);
            for (Side* side : {&client_, &upstream_}) {
                side->conn->set_high_water_mark(config.high_water);
                side->conn->set_low_water_mark(config.low_water);
            }
            client_.conn->resume_reading();
        });
    }
    void end_if_done() { if (client_.done() && upstream_.done()) end(nullptr); }
    void end(const nr::Error* error) {
        if (error) std::fprintf(stderr, "tcp_forwarder: %s\n", error->describe().c_str());
        pairs_.erase(this);  // destroys both connections and both handlers: touch nothing after
    }

private:
    Pairs& pairs_;
    Side client_{*this, upstream_}, upstream_{*this, client_};
    nr::TcpConnector connector_;  // destroyed first: no attempt outlives its handler
};

void Side::on_shutdown(nr::TcpConnection&, const nr::Error* error) {
    if (!error) pair_.end_if_done();  // an error is followed by on_closed
}
void Side::on_closed(nr::TcpConnection&, const nr::Error* error) { pair_.end(error); }

struct Forwarder final : nr::AcceptHandler {
    nr::Loop& loop;
    Config config;
    Pairs pairs;
    Forwarder(nr::Loop& l, Config c) : loop(l), config(std::move(c)) {}
    void on_accept(std::unique_ptr<nr::TcpConnection> conn) override {
        auto pair = std::make_unique<Pair>(loop, pairs, config, std::move(conn));
        pairs.emplace(pair.get(), std::move(pair));
    }
};

int main(int argc, char** argv) {
    if (argc < 4 || argc > 6) {
        std::fprintf(stderr, "usage: tcp_forwarder LISTEN_PORT HOST PORT [HIGH_WATER [LOW_WATER]]\n");
        return 2;
    }
    nr::ignore_sigpipe();
    Config config{argv[2], static_cast<std::uint16_t>(std::atoi(argv[3]))};
    if (argc > 4) config.high_water = std::strtoul(argv[4], nullptr, 10);
    if (argc > 5) config.low_water = std::strtoul(argv[5], nullptr, 10);
    nr::Loop loop;
    Forwarder forwarder(loop, config);
    try {
        nr::TcpListener listener(loop, *nr::SocketAddress::parse("127.0.0.1", std::atoi(argv[1])), {}, forwarder);
        std::printf("listening %s\n", listener.local_address().to_string().c_str());
        std::fflush(stdout);
        loop.run();
    } catch (const nr::SystemError& e) {
        std::fprintf(stderr, "tcp_forwarder: %s\n", e.error().describe().c_str());
        return 1;
    }
}
