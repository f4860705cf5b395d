// One HTTP/1.0 GET on the reactor, stage by stage: resolve (netreactor::
// Resolver, skipped for a numeric host), connect (each address in turn, with
// a timeout), send, receive (an inactivity timeout, restarted by every byte).
// Each failure is recorded with the stage it happened in.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/socket.h>

#include "body_sink.hpp"
#include "http_response_head.hpp"
#include "netreactor/address.hpp"
#include "netreactor/error.hpp"
#include "netreactor/resolver.hpp"
#include "netreactor/tcp_connection.hpp"
#include "netreactor/timer.hpp"

namespace fetch {

enum class Stage { resolve, connect, send, receive, output };
const char* stage_name(Stage stage);

struct FetchRequest {
    std::string host;  // name or numeric address (no brackets)
    std::uint16_t port = 80;
    std::string path = "/";
    std::chrono::milliseconds connect_timeout{10000};  // 0: the kernel's limit
    std::chrono::milliseconds receive_timeout{30000};  // longest silence; 0: none
    std::vector<std::string> dns_servers;              // empty: the system's configuration
    int family = AF_UNSPEC;                            // -4: AF_INET, -6: AF_INET6
};

// The bytes sent: "GET PATH HTTP/1.0", Host, User-Agent, Connection: close.
std::string request_text(const FetchRequest& request);

// Monotonic marks (ns) of the stage boundaries reached.
struct StageMarks {
    std::uint64_t start = 0;
    std::optional<std::uint64_t> resolved, connected, sent, first_byte, finished;
};

struct FetchResult {
    std::vector<netreactor::SocketAddress> addresses;  // what the name resolved to
    netreactor::SocketAddress peer;                    // the address connected to
    std::optional<ResponseHead> head;
    std::uint64_t body_bytes = 0;
    StageMarks marks;
    std::optional<Stage> failed_stage;
    std::optional<netreactor::Error> error;
};

class Fetcher : private netreactor::ConnectionHandler {
public:
    // `sink` receives the body; null counts the bytes only (--json).
    Fetcher(netreactor::Loop& loop, FetchRequest request, StdoutSink* sink);
    ~Fetcher() override;

    // Starts; the loop's run() returns once the fetch is over (stop()).
    void start();
    const FetchResult& result() const noexcept { return result_; }

private:
    void on_resolved(netreactor::AddressLookup lookup);
    void connect_next();
    void on_connected(netreactor::TcpConnection& conn) override;
    void on_data(netreactor::TcpConnection& conn, std::span<const char> data) override;
    void on_eof(netreactor::TcpConnection& conn) override;
    void on_write_drained(netreactor::TcpConnection& conn) override;
    void on_closed(netreactor::TcpConnection& conn, const netreactor::Error* error) override;

    void on_sent();
    void restart_receive_timer();
    void deliver_body(std::span<const char> bytes);
    bool body_complete() const;
    void fail(Stage stage, netreactor::Error error);
    void finish();

    netreactor::Loop& loop_;
    FetchRequest request_;
    StdoutSink* sink_;
    std::unique_ptr<netreactor::Resolver> resolver_;
    std::unique_ptr<netreactor::TcpConnection> conn_;
    netreactor::Timer receive_timer_;
    std::size_t next_address_ = 0;
    Stage stage_ = Stage::resolve;
    std::string head_buffer_;
    bool done_ = false;
    FetchResult result_;
};

}  // namespace fetch
