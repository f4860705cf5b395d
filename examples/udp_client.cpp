// A UDP request/response client with a timeout and retries: sends one request,
// waits --timeout seconds for the reply from that server, sends again up to
// --retries more times. UDP may lose either datagram, so the request must be
// safe to repeat.
//
//   udp_client --server 127.0.0.1:9900 [--timeout 0.5] [--retries 3] [MESSAGE]
//   prints "reply after N attempt(s): TEXT" and exits 0, or exits 1
#include <netreactor/netreactor.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace nr = netreactor;

class RequestClient : public nr::UdpHandler {
public:
    RequestClient(nr::Loop& loop, nr::SocketAddress server, std::string request, std::chrono::milliseconds timeout,
                  int retries)
        : socket_(loop, *this), timer_(loop), server_(server), request_(std::move(request)), timeout_(timeout),
          attempts_left_(1 + retries) {}

    void start() {
        socket_.bind(*nr::SocketAddress::parse(server_.is_ipv6() ? "::" : "0.0.0.0", 0));
        socket_.start_receiving();
        send_attempt();
    }
    bool answered() const { return answered_; }

    void on_datagram(nr::UdpSocket&, std::span<const char> data, const nr::SocketAddress& from, bool) override {
        if (!(from == server_) || answered_) return;  // not our server, or a late duplicate
        answered_ = true;
        std::printf("reply after %d attempt(s): %.*s\n", attempts_, static_cast<int>(data.size()), data.data());
        finish();
    }
    void on_error(nr::UdpSocket&, const nr::Error& error) override {
        std::fprintf(stderr, "attempt %d: %s\n", attempts_, error.describe().c_str());  // the timer retries
    }

private:
    void send_attempt() {
        if (attempts_left_-- == 0) {
            std::fprintf(stderr, "no reply from %s after %d attempt(s)\n", server_.to_string().c_str(), attempts_);
            return finish();
        }
        ++attempts_;
        socket_.send(request_, server_);
        timer_.start(timeout_, [this] { send_attempt(); });  // replaces the previous schedule
    }
    // Stopping the timer and the socket leaves the loop nothing to wait for: run() returns.
    void finish() {
        timer_.stop();
        socket_.stop_receiving();
    }

    nr::UdpSocket socket_;
    nr::Timer timer_;
    nr::SocketAddress server_;
    std::string request_;
    std::chrono::milliseconds timeout_;
    int attempts_left_;
    int attempts_ = 0;
    bool answered_ = false;
};

int main(int argc, char** argv) {
    nr::ignore_sigpipe();
    std::string server = "127.0.0.1:9900", message = "hello";
    double timeout = 0.5;
    int retries = 3;
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        bool has_value = i + 1 < argc;
        if (flag == "--server" && has_value) server = argv[++i];
        else if (flag == "--timeout" && has_value) timeout = std::atof(argv[++i]);
        else if (flag == "--retries" && has_value) retries = std::atoi(argv[++i]);
        else if (flag.starts_with("--")) { std::fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
        else message = argv[i];
    }
    auto address = nr::SocketAddress::parse_endpoint(server, 9900);
    if (!address || timeout <= 0 || retries < 0) { std::fprintf(stderr, "bad arguments\n"); return 2; }

    nr::Loop loop;
    RequestClient client(loop, *address, message, std::chrono::ceil<std::chrono::milliseconds>(std::chrono::duration<double>(timeout)), retries);
    try {
        client.start();
    } catch (const nr::SystemError& e) {
        std::fprintf(stderr, "%s\n", e.error().describe().c_str());
        return 1;
    }
    loop.run();
    return client.answered() ? 0 : 1;
}
