// One HTTP/1.0 GET on the reactor, stage by stage: resolve and connect
// (netreactor::TcpConnector: the host's addresses raced as RFC 8305 says,
// one deadline over the lookups and all attempts), send, receive (an
// inactivity timeout, restarted by every byte). Interim 1xx responses are skipped (RFC 9110
// section 15.2). Each failure is recorded with the stage it happened in.
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
#include "http_url.hpp"
#include "netreactor/address.hpp"
#include "netreactor/error.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/tcp_connector.hpp"

namespace fetch {

enum class Stage { resolve, connect, send, receive, redirect, output };
const char* stage_name(Stage stage);

struct FetchRequest {
    nrapp::HttpUrl url;  // host, port (none: 80), request target (never a fragment)
    std::chrono::milliseconds connect_timeout{10000};  // resolve + all attempts; 0: none of ours
    std::chrono::milliseconds receive_timeout{30000};  // longest silence; 0: none
    std::vector<std::string> dns_servers;              // empty: the system's configuration
    int family = AF_UNSPEC;                            // -4: AF_INET, -6: AF_INET6
    // A redirect that will be followed (--location) ends the fetch at its
    // head: its body is not the resource and never reaches the sink.
    bool stop_at_redirect = false;
};

// True for the statuses --location follows: 301, 302, 303, 307, 308.
bool is_followed_redirect(int status);

// The bytes sent: "GET TARGET HTTP/1.0", Host, User-Agent, Connection: close.
std::string request_text(const FetchRequest& request);

// Monotonic marks (ns) of the stage boundaries reached.
struct StageMarks {
    std::uint64_t start = 0;
    std::optional<std::uint64_t> resolved, connected, sent, first_byte, finished;
};

struct FetchResult {
    std::vector<netreactor::SocketAddress> addresses;  // what the name resolved to
    std::vector<netreactor::ConnectAttemptReport> attempts;  // the connect race, attempt by attempt
    netreactor::SocketAddress peer;                    // the address connected to
    std::vector<int> interim;                          // 1xx statuses skipped, in order
    std::optional<ResponseHead> head;                  // the final response
    std::uint64_t body_bytes = 0;
    StageMarks marks;
    std::optional<Stage> failed_stage;
    std::optional<netreactor::Error> error;
};

// Runs one fetch on `loop` until it is over: resolve and connect, send,
// receive, each failure recorded with its stage. Straight-line code on the
// coroutine layer (netreactor/co.hpp), one stage after the other.
FetchResult fetch_once(netreactor::Loop& loop, const FetchRequest& request, StdoutSink* sink);

}  // namespace fetch
