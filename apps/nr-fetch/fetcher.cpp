#include "fetcher.hpp"

#include <algorithm>

#include "location.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/version.hpp"

namespace fetch {

namespace {

using netreactor::Error;

std::string seconds_text(std::chrono::milliseconds ms) {
    std::string text = std::to_string(static_cast<double>(ms.count()) / 1000.0);
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    return text;
}

// The body length the head announces: none for 1xx/204/304, Content-Length
// if given, else "until the server closes" (nullopt).
std::optional<std::uint64_t> announced_body_length(const ResponseHead& head) {
    if (head.status < 200 || head.status == 204 || head.status == 304) return 0;
    return head.content_length;
}

}  // namespace

bool is_followed_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

const char* stage_name(Stage stage) {
    switch (stage) {
        case Stage::resolve: return "resolve";
        case Stage::connect: return "connect";
        case Stage::send: return "send";
        case Stage::receive: return "receive";
        case Stage::redirect: return "redirect";
        case Stage::output: return "output";
    }
    return "?";
}

std::string request_text(const FetchRequest& request) {
    std::string host = request.host.find(':') != std::string::npos ? "[" + request.host + "]" : request.host;
    if (request.port != 80) host += ":" + std::to_string(request.port);
    return "GET " + without_fragment(request.path) + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: nr-fetch/" +
           netreactor::version() + "\r\nConnection: close\r\n\r\n";
}

Fetcher::Fetcher(netreactor::Loop& loop, FetchRequest request, StdoutSink* sink)
    : loop_(loop), request_(std::move(request)), sink_(sink), receive_timer_(loop) {}

// Members are destroyed in reverse order: the connection and the connector go
// first, and none of their callbacks can reach this object afterwards.
Fetcher::~Fetcher() = default;

void Fetcher::start() {
    result_.marks.start = netreactor::monotonic_ns();
    stage_ = Stage::resolve;
    netreactor::ConnectOptions options;
    options.family = request_.family;
    options.attempt_timeout = request_.connect_timeout;
    options.resolver.servers = request_.dns_servers;
    try {
        connector_ = std::make_unique<netreactor::TcpConnector>(loop_, options);
        connector_->connect(request_.host, request_.port, *this,
                            [this](netreactor::ConnectOutcome outcome) { on_connect_outcome(std::move(outcome)); });
    } catch (const netreactor::SystemError& e) {
        fail(Stage::resolve, e.error());
    }
}

void Fetcher::on_connect_outcome(netreactor::ConnectOutcome outcome) {
    if (done_) return;
    if (const auto* winner = outcome.winner()) result_.peer = winner->address;
    result_.addresses = std::move(outcome.addresses);
    result_.attempts = std::move(outcome.attempts);
    if (outcome.first_attempt_ms) {
        result_.marks.resolved = result_.marks.start + static_cast<std::uint64_t>(*outcome.first_attempt_ms * 1e6);
        stage_ = Stage::connect;
        if (!outcome.connection) result_.peer = result_.attempts.back().address;  // the last one tried
    }
    if (!outcome.connection) {
        fail(outcome.error->operation() == "resolve" ? Stage::resolve : Stage::connect, *outcome.error);
        return;
    }
    conn_ = std::move(outcome.connection);
    result_.marks.connected = netreactor::monotonic_ns();
    stage_ = Stage::send;
    restart_receive_timer();  // also bounds a send the peer never takes
    std::string text = request_text(request_);
    if (!conn_->write(text)) return;  // the reason reaches on_closed
    if (conn_->queued_bytes() == 0) on_sent();
}

void Fetcher::on_write_drained(netreactor::TcpConnection&) {
    if (stage_ == Stage::send) on_sent();
}

void Fetcher::on_sent() {
    result_.marks.sent = netreactor::monotonic_ns();
    stage_ = Stage::receive;
}

void Fetcher::restart_receive_timer() {
    if (request_.receive_timeout.count() == 0) return;
    receive_timer_.start(request_.receive_timeout, [this] {
        std::string what = stage_ == Stage::send ? "the request could not be sent" : "no data from the server";
        fail(stage_, Error("ETIMEDOUT", what + " within " + seconds_text(request_.receive_timeout) + " s",
                           stage_ == Stage::send ? "write" : "read"));
    });
}

void Fetcher::on_data(netreactor::TcpConnection&, std::span<const char> data) {
    if (done_) return;
    if (!result_.marks.first_byte) result_.marks.first_byte = netreactor::monotonic_ns();
    if (stage_ == Stage::send) on_sent();  // an early answer counts as sent
    restart_receive_timer();
    if (result_.head) {
        deliver_body(data);
        return;
    }
    head_buffer_.append(data.data(), data.size());
    parse_heads();
}

// RFC 9110 section 15.2: a 1xx is an interim response; the final one follows
// on the same connection (maybe in the same read).
void Fetcher::parse_heads() {
    while (true) {
        HeadParse parsed = parse_response_head(head_buffer_);
        if (parsed.state == HeadState::incomplete) return;
        if (parsed.state == HeadState::malformed) {
            fail(Stage::receive, Error("EPROTO", "malformed response head: " + parsed.error, "parse"));
            return;
        }
        if (parsed.head.status == 101) {
            fail(Stage::receive, Error("EPROTO", "101 Switching Protocols without an Upgrade request", "parse"));
            return;
        }
        if (parsed.head.status < 200) {
            result_.interim.push_back(parsed.head.status);
            head_buffer_.erase(0, parsed.head_bytes);
            continue;
        }
        if (parsed.head.transfer_encoding) {
            fail(Stage::receive, Error("EPROTO", "Transfer-Encoding in a response to an HTTP/1.0 request", "parse"));
            return;
        }
        result_.head = std::move(parsed.head);
        if (request_.stop_at_redirect && is_followed_redirect(result_.head->status) &&
            result_.head->header("location")) {
            finish();  // the redirect's body is not the resource
            return;
        }
        std::string rest = head_buffer_.substr(parsed.head_bytes);
        head_buffer_.clear();
        deliver_body(rest);
        return;
    }
}

bool Fetcher::body_complete() const {
    auto announced = announced_body_length(*result_.head);
    return announced && result_.body_bytes >= *announced;
}

void Fetcher::deliver_body(std::span<const char> bytes) {
    if (auto announced = announced_body_length(*result_.head)) {
        std::uint64_t room = *announced - std::min(*announced, result_.body_bytes);
        bytes = bytes.first(static_cast<std::size_t>(std::min<std::uint64_t>(room, bytes.size())));
    }
    if (sink_ != nullptr && !bytes.empty() && !sink_->write(bytes)) {
        if (sink_->reader_gone()) {
            finish();  // the reader has what it wanted
        } else {
            fail(Stage::output, *sink_->error());
        }
        return;
    }
    result_.body_bytes += bytes.size();
    if (body_complete()) finish();
}

void Fetcher::on_eof(netreactor::TcpConnection&) {
    if (done_) return;
    if (!result_.head) {
        std::string got = head_buffer_.empty() ? "no response at all"
                                               : std::to_string(head_buffer_.size()) + " bytes of an incomplete head";
        fail(Stage::receive, Error("EPROTO", "the server closed the connection after " + got, "parse"));
        return;
    }
    auto announced = announced_body_length(*result_.head);
    if (announced && result_.body_bytes < *announced) {
        fail(Stage::receive, Error("ETRUNCATED",
                                   "the server closed the connection after " + std::to_string(result_.body_bytes) +
                                       " of " + std::to_string(*announced) + " body bytes",
                                   "read"));
        return;
    }
    finish();
}

void Fetcher::on_closed(netreactor::TcpConnection&, const Error* error) {
    if (done_) return;
    if (error == nullptr) {
        on_eof(*conn_);
        return;
    }
    fail(stage_, *error);
}

void Fetcher::fail(Stage stage, Error error) {
    if (done_) return;
    result_.failed_stage = stage;
    result_.error = std::move(error);
    finish();
}

void Fetcher::finish() {
    if (done_) return;
    done_ = true;
    result_.marks.finished = netreactor::monotonic_ns();
    receive_timer_.stop();
    if (conn_) conn_->close();
    loop_.stop();
}

}  // namespace fetch
