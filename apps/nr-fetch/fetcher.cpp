#include "fetcher.hpp"

#include <algorithm>

#include "connect_report.hpp"
#include "duration.hpp"
#include "netreactor/co.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/version.hpp"

namespace fetch {

namespace co = netreactor::co;

namespace {

using netreactor::Error;

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
    const nrapp::HttpUrl& url = request.url;
    std::string host = url.host.bracketed();
    if (url.port_or_default() != 80) host += ":" + std::to_string(url.port_or_default());
    return "GET " + url.target + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: nr-fetch/" +
           netreactor::version() + "\r\nConnection: close\r\n\r\n";
}

namespace {

// The response as it arrives: heads (interim 1xx skipped), then the body to
// the sink, bounded by the announced length.
class ResponseReader {
public:
    enum class Step { more, done };

    ResponseReader(const FetchRequest& request, StdoutSink* sink, FetchResult& result)
        : request_(request), sink_(sink), result_(result) {}

    Step on_bytes(std::span<const char> data) {
        if (result_.head) return deliver_body(data);
        head_buffer_.append(data.data(), data.size());
        return parse_heads();
    }

    // The server closed its side: complete, or why the response is not.
    void on_eof() {
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
        }
    }

    void fail(Stage stage, Error error) {
        result_.failed_stage = stage;
        result_.error = std::move(error);
    }

private:
    // RFC 9110 section 15.2: a 1xx is an interim response; the final one
    // follows on the same connection (maybe in the same read).
    Step parse_heads() {
        while (true) {
            HeadParse parsed = parse_response_head(head_buffer_);
            if (parsed.state == HeadState::incomplete) return Step::more;
            if (parsed.state == HeadState::malformed) {
                fail(Stage::receive, Error("EPROTO", "malformed response head: " + parsed.error, "parse"));
                return Step::done;
            }
            if (parsed.head.status == 101) {
                fail(Stage::receive, Error("EPROTO", "101 Switching Protocols without an Upgrade request", "parse"));
                return Step::done;
            }
            if (parsed.head.status < 200) {
                result_.interim.push_back(parsed.head.status);
                head_buffer_.erase(0, parsed.head_bytes);
                continue;
            }
            if (parsed.head.transfer_encoding) {
                fail(Stage::receive, Error("EPROTO", "Transfer-Encoding in a response to an HTTP/1.0 request", "parse"));
                return Step::done;
            }
            result_.head = std::move(parsed.head);
            if (request_.stop_at_redirect && is_followed_redirect(result_.head->status) &&
                result_.head->header("location"))
                return Step::done;  // the redirect's body is not the resource
            std::string rest = head_buffer_.substr(parsed.head_bytes);
            head_buffer_.clear();
            return deliver_body(rest);
        }
    }

    Step deliver_body(std::span<const char> bytes) {
        auto announced = announced_body_length(*result_.head);
        if (announced) {
            std::uint64_t room = *announced - std::min(*announced, result_.body_bytes);
            bytes = bytes.first(static_cast<std::size_t>(std::min<std::uint64_t>(room, bytes.size())));
        }
        if (sink_ != nullptr && !bytes.empty() && !sink_->write(bytes)) {
            if (!sink_->reader_gone()) fail(Stage::output, Error::from_errno(sink_->output_errno(), "output"));
            return Step::done;  // or the reader has what it wanted
        }
        result_.body_bytes += bytes.size();
        return announced && result_.body_bytes >= *announced ? Step::done : Step::more;
    }

    const FetchRequest& request_;
    StdoutSink* sink_;
    FetchResult& result_;
    std::string head_buffer_;
};

// `operation`, bounded by `timeout` unless it is zero.
template <class Awaitable>
auto bounded(netreactor::Loop& loop, std::chrono::milliseconds timeout, Awaitable operation)
    -> co::Task<decltype(operation.await_resume())> {
    if (timeout.count() == 0) co_return co_await std::move(operation);
    co_return co_await co::with_timeout(loop, timeout, std::move(operation));
}

co::Task<void> fetch(netreactor::Loop& loop, const FetchRequest& request, StdoutSink* sink, FetchResult& result) {
    ResponseReader response(request, sink, result);
    result.marks.start = netreactor::monotonic_ns();

    // Resolve and connect: the addresses raced as RFC 8305 says, the whole
    // phase (lookups and every attempt) bounded by --connect-timeout, as
    // curl's is: attempts overlap, so a limit per attempt would let a name
    // with N silent addresses take about N x 250 ms longer than asked.
    netreactor::ConnectOptions options;
    options.family = request.family;
    options.deadline = request.connect_timeout;
    options.resolver.servers = request.dns_servers;
    co::ConnectReport connected;
    try {
        connected = co_await co::connect_reporting(loop, request.url.host.text, request.url.port_or_default(), options);
    } catch (const netreactor::SystemError& e) {
        response.fail(Stage::resolve, e.error());
        co_return;
    }
    netreactor::ConnectOutcome& outcome = connected.outcome;
    if (const auto* winner = connected.winner()) result.peer = winner->address;
    result.addresses = std::move(outcome.addresses);
    result.attempts = std::move(outcome.attempts);
    if (outcome.first_attempt_ms) {
        result.marks.resolved = result.marks.start + static_cast<std::uint64_t>(*outcome.first_attempt_ms * 1e6);
        if (!connected.stream) result.peer = result.attempts.back().address;  // the last one tried
    }
    if (!connected.stream) {
        Stage stage = outcome.error->operation() == "resolve" ? Stage::resolve : Stage::connect;
        response.fail(stage, nrapp::in_option_words(*outcome.error, outcome.elapsed_ms, request.connect_timeout,
                                                   request.url.host.text, "--connect-timeout"));
        co_return;
    }
    co::TcpStream& stream = connected.stream;
    result.marks.connected = netreactor::monotonic_ns();

    // Send: the request is sent once the kernel has taken all of it.
    stream.connection().set_high_water_mark(0);
    try {
        co_await bounded(loop, request.receive_timeout, stream.write(request_text(request)));
    } catch (const co::TimedOut&) {
        response.fail(Stage::send, Error("ETIMEDOUT", "the request could not be sent within " +
                                                          nrapp::seconds_text(request.receive_timeout), "write"));
        co_return;
    } catch (const netreactor::SystemError& e) {
        response.fail(Stage::send, e.error());
        co_return;
    }
    result.marks.sent = netreactor::monotonic_ns();

    // Receive until the response is complete or the server closes; the
    // timeout bounds each silence.
    for (;;) {
        std::span<const char> data;
        try {
            data = co_await bounded(loop, request.receive_timeout, stream.read_view());
        } catch (const co::TimedOut&) {
            response.fail(Stage::receive, Error("ETIMEDOUT", "no data from the server within " +
                                                                 nrapp::seconds_text(request.receive_timeout), "read"));
            co_return;
        } catch (const netreactor::SystemError& e) {
            response.fail(Stage::receive, e.error());
            co_return;
        }
        if (data.empty()) {
            response.on_eof();
            co_return;
        }
        if (!result.marks.first_byte) result.marks.first_byte = netreactor::monotonic_ns();
        if (response.on_bytes(data) == ResponseReader::Step::done) co_return;
    }
}

}  // namespace

FetchResult fetch_once(netreactor::Loop& loop, const FetchRequest& request, StdoutSink* sink) {
    FetchResult result;
    co::run(loop, fetch(loop, request, sink, result));
    result.marks.finished = netreactor::monotonic_ns();
    return result;
}

}  // namespace fetch
