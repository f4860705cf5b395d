// A resolve-then-connect health checker: every --interval, connect to HOST
// PORT by name (netreactor::TcpConnector: AAAA and A together, addresses
// raced as RFC 8305 says, one deadline), print one JSON line, close.
//   health_check HOST PORT [--count N] [--interval S] [--deadline S] [--dns-server IP:PORT]
// Exit status: 0 when the last check succeeded, 1 when it failed, 2 on usage.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <netreactor/netreactor.hpp>

using namespace netreactor;

namespace {

std::string quoted(const std::string& text) {  // a JSON string: escapes what JSON requires
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

// The connection is closed as soon as it is made: no event of it is awaited.
struct Ignore : ConnectionHandler {
    void on_data(TcpConnection&, std::span<const char>) override {}
    void on_closed(TcpConnection&, const Error*) override {}
};

std::string report(int check, const ConnectOutcome& o) {
    std::string line = "{\"check\":" + std::to_string(check) + ",\"host\":" + quoted(o.host) +
                       ",\"port\":" + std::to_string(o.port) + ",\"ok\":" + (o.connection ? "true" : "false");
    if (const auto* won = o.winner()) line += ",\"address\":" + quoted(won->address.ip());
    if (o.error)
        line += ",\"error\":{\"code\":" + quoted(o.error->code()) + ",\"message\":" + quoted(o.error->message()) + "}";
    line += ",\"elapsed_ms\":" + std::to_string(o.elapsed_ms) + ",\"attempts\":[";
    for (std::size_t i = 0; i < o.attempts.size(); ++i) {
        const auto& a = o.attempts[i];
        std::string result = !a.error ? "connected" : a.error->code() == "ECANCELED" ? "canceled" : a.error->code();
        line += (i ? ",{" : "{") + std::string("\"address\":") + quoted(a.address.ip()) + ",\"result\":" +
                quoted(result) + ",\"elapsed_ms\":" + std::to_string(a.elapsed_ms) + "}";
    }
    return line + "]}";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s HOST PORT [--count N] [--interval S] [--deadline S] [--dns-server IP:PORT]\n",
                     argv[0]);
        return 2;
    }
    ignore_sigpipe();
    std::string host = argv[1];
    auto port = static_cast<std::uint16_t>(std::atoi(argv[2]));
    int count = 1;
    double interval = 1, deadline = 5;
    ConnectOptions options;
    for (int i = 3; i + 1 < argc; i += 2) {
        std::string flag = argv[i];
        if (flag == "--count") count = std::atoi(argv[i + 1]);
        else if (flag == "--interval") interval = std::atof(argv[i + 1]);
        else if (flag == "--deadline") deadline = std::atof(argv[i + 1]);
        else if (flag == "--dns-server") options.resolver.servers.push_back(argv[i + 1]);
        else return std::fprintf(stderr, "unknown option %s\n", argv[i]), 2;
    }
    options.deadline = std::chrono::milliseconds(static_cast<long>(deadline * 1000));

    Loop loop;
    Ignore ignore;
    TcpConnector connector(loop, options);
    Timer next(loop);
    int done = 0;
    bool last_ok = false;
    std::function<void()> check = [&] {
        try {
            connector.connect(host, port, ignore, [&](ConnectOutcome outcome) {
                last_ok = outcome.connection != nullptr;  // destroying it closes the connection
                std::printf("%s\n", report(++done, outcome).c_str());
                std::fflush(stdout);
                if (done < count) next.start(std::chrono::milliseconds(static_cast<long>(interval * 1000)), check);
            });
        } catch (const SystemError& e) {  // a malformed --dns-server
            std::fprintf(stderr, "health_check: %s\n", e.what());
        }
    };
    check();
    loop.run();
    return last_ok ? 0 : 1;
}
