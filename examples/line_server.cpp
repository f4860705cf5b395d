// A line-based TCP server with backpressure: answers every line with the line
// upper-cased. A peer that sends without reading makes its replies queue up;
// past the high-water mark the server stops reading that peer until the queue
// is down to the low-water mark, so one slow peer costs at most the mark plus one read of memory.
//
//   line_server [--host 127.0.0.1] [--port 0] [--high-water BYTES]
//   prints "listening IP:PORT", then "paused PEER" / "resumed PEER" on stderr
#include <netreactor/netreactor.hpp>

#include <cctype>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace nr = netreactor;

class Session;
using Sessions = std::map<const Session*, std::unique_ptr<Session>>;  // owns every session

// One handler object per connection: it owns the connection and its state.
class Session final : public nr::ConnectionHandler {
public:
    Session(Sessions& sessions, std::unique_ptr<nr::TcpConnection> conn)
        : sessions_(sessions), conn_(std::move(conn)) {}
    nr::TcpConnection& connection() { return *conn_; }

    void on_data(nr::TcpConnection& conn, std::span<const char> data) override {
        partial_.append(data.data(), data.size());  // bytes after the last '\n'
        std::size_t start = 0;
        for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
            std::string reply = partial_.substr(start, nl + 1 - start);
            for (char& c : reply) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            if (!conn.write(reply)) return;  // the reason reaches on_closed
        }
        partial_.erase(0, start);
        if (partial_.size() > 64UL * 1024) end();  // no line is that long: close
    }

    // Backpressure: stop reading a peer whose replies pile up, resume when sent.
    void on_high_water(nr::TcpConnection& conn) override {
        conn.pause_reading();
        std::fprintf(stderr, "paused %s (%zu bytes queued)\n", conn.peer_address().to_string().c_str(),
                     conn.queued_bytes());
    }
    void on_low_water(nr::TcpConnection& conn) override {
        conn.resume_reading();
        std::fprintf(stderr, "resumed %s\n", conn.peer_address().to_string().c_str());
    }

    void on_closed(nr::TcpConnection& conn, const nr::Error* error) override {
        if (error) std::fprintf(stderr, "closed %s: %s\n", conn.peer_address().to_string().c_str(),
                                error->describe().c_str());
        end();
    }

private:
    void end() { sessions_.erase(this); }  // destroys this session and its connection

    Sessions& sessions_;
    std::unique_ptr<nr::TcpConnection> conn_;
    std::string partial_;
};

class LineServer : public nr::AcceptHandler {
public:
    explicit LineServer(std::size_t high_water) : high_water_(high_water) {}

    void on_accept(std::unique_ptr<nr::TcpConnection> conn) override {
        conn->set_high_water_mark(high_water_);
        conn->set_low_water_mark(high_water_ / 4);
        auto session = std::make_unique<Session>(sessions_, std::move(conn));
        session->connection().start(*session);
        sessions_.emplace(session.get(), std::move(session));
    }

private:
    std::size_t high_water_;
    Sessions sessions_;  // owns every session
};

int main(int argc, char** argv) {
    nr::ignore_sigpipe();
    std::string host = "127.0.0.1";
    unsigned long port = 0, high_water = 64UL * 1024;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view flag = argv[i];
        if (flag == "--host") host = argv[i + 1];
        else if (flag == "--port") port = std::strtoul(argv[i + 1], nullptr, 10);
        else if (flag == "--high-water") high_water = std::strtoul(argv[i + 1], nullptr, 10);
        else { std::fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    auto address = nr::SocketAddress::parse(host, static_cast<std::uint16_t>(port));
    if (!address || port > 65535) { std::fprintf(stderr, "bad --host or --port\n"); return 2; }

    nr::Loop loop;
    LineServer server(high_water);
    try {
        nr::TcpListener listener(loop, *address, {}, server);
        std::printf("listening %s\n", listener.local_address().to_string().c_str());
        std::fflush(stdout);
        // SIGINT/SIGTERM end the loop; the destructors close every socket.
        nr::SignalWatcher sigint(loop, SIGINT, [&](int) { loop.stop(); });
        nr::SignalWatcher sigterm(loop, SIGTERM, [&](int) { loop.stop(); });
        loop.run();
    } catch (const nr::SystemError& e) {
        std::fprintf(stderr, "%s\n", e.error().describe().c_str());
        return 1;
    }
}
