#include "exchange.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "connect_report.hpp"
#include "duration.hpp"
#include "netreactor/tcp_connection.hpp"
#include "netreactor/tcp_connector.hpp"
#include "netreactor/timer.hpp"
#include "netreactor/udp_socket.hpp"

namespace echo_client {

namespace {

using netreactor::Error;
using netreactor::monotonic_ns;

// Round-trip bookkeeping shared by TCP and UDP: one message in flight at a
// time, each with its own reply deadline.
class Exchange {
public:
    Exchange(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload, bool keep_reply,
             ExchangeResult& result)
        : options_(options), payload_(payload), keep_reply_(keep_reply), result_(result), reply_timer_(loop) {}
    virtual ~Exchange() = default;

protected:
    // Sends the next message and arms its reply deadline.
    void send_message() {
        sent_ns_ = monotonic_ns();
        if (options_.timeout.count() > 0) {
            reply_timer_.start(options_.timeout, [this] {
                fail(Error("ETIMEDOUT",
                           "no complete echo within " + nrapp::seconds_text(options_.timeout) + " (received " +
                               std::to_string(received_in_message()) + " of " +
                               std::to_string(payload_.message_size()) + " bytes)",
                           "reply"));
            });
        }
        result_.bytes_sent += payload_.message_size();
        transmit(payload_.message());
    }

    // A whole echo arrived and matched: record it, then send the next one or end.
    void complete_message() {
        std::uint64_t rtt = monotonic_ns() - sent_ns_;
        reply_timer_.stop();
        result_.rtt_min_ns = result_.messages == 0 ? rtt : std::min(result_.rtt_min_ns, rtt);
        result_.rtt_max_ns = std::max(result_.rtt_max_ns, rtt);
        result_.rtt_total_ns += rtt;
        result_.messages++;
        if (result_.messages < options_.count) {
            send_message();
        } else {
            finish();
        }
    }

    void keep_reply(std::span<const char> data) {
        if (keep_reply_ && result_.messages == 0) result_.first_reply.append(data.data(), data.size());
    }

    void mismatch(std::uint64_t stream_offset) {
        result_.match = false;
        result_.mismatch_offset = stream_offset;
        finish();
    }

    void fail(Error error) {
        if (done_) return;
        result_.error = std::move(error);
        finish();
    }

    void finish() {
        if (done_) return;
        done_ = true;
        reply_timer_.stop();
        close();
    }

    std::uint64_t received_in_message() const {
        return result_.bytes_received - result_.messages * payload_.message_size();
    }

    virtual void transmit(std::span<const char> message) = 0;
    virtual void close() = 0;

    const ClientOptions& options_;
    const Payload& payload_;
    bool keep_reply_;
    ExchangeResult& result_;
    bool done_ = false;

private:
    netreactor::Timer reply_timer_;
    std::uint64_t sent_ns_ = 0;
};

class TcpExchange final : public Exchange, public netreactor::ConnectionHandler {
public:
    using Exchange::Exchange;

    void start(netreactor::Loop& loop, const netreactor::ConnectOptions& options) {
        started_ns_ = monotonic_ns();
        try {
            connector_ = std::make_unique<netreactor::TcpConnector>(loop, options);
            connector_->connect(options_.host, options_.server.port(), *this,
                                [this](netreactor::ConnectOutcome outcome) { on_outcome(std::move(outcome)); });
        } catch (const netreactor::SystemError& e) {
            result_.resolve_failed = true;
            fail(Error("EUSAGE", "--dns-server: " + e.error().message() + " (see --help)", "arguments"));
        }
    }

    void on_outcome(netreactor::ConnectOutcome outcome) {
        if (const auto* winner = outcome.winner()) result_.server = winner->address;
        else if (!outcome.attempts.empty()) result_.server = outcome.attempts.back().address;
        result_.attempts = std::move(outcome.attempts);
        if (!outcome.connection) {
            result_.resolve_failed = result_.attempts.empty();
            fail(nrapp::in_option_words(*outcome.error, outcome.elapsed_ms, options_.timeout, options_.host,
                                        "--timeout"));
            return;
        }
        result_.connect_ns = monotonic_ns() - started_ns_;
        conn_ = std::move(outcome.connection);
        conn_->set_nodelay(true);
        send_message();
    }

    void on_data(netreactor::TcpConnection&, std::span<const char> data) override {
        // Only what was sent may come back: anything beyond is a mismatch too.
        std::uint64_t position = result_.bytes_received;
        std::uint64_t expected = result_.bytes_sent - position;
        auto wanted = data.first(static_cast<std::size_t>(std::min<std::uint64_t>(data.size(), expected)));
        std::size_t bad = payload_.first_mismatch(0, position, wanted);
        result_.bytes_received += data.size();
        keep_reply(wanted);
        if (bad != Payload::npos) return mismatch(position + bad);
        if (data.size() > wanted.size()) return mismatch(position + wanted.size());
        if (result_.bytes_received == result_.bytes_sent) complete_message();
    }

    void on_eof(netreactor::TcpConnection&) override {
        fail(Error("EOF",
                   "the server closed the connection after echoing " + std::to_string(received_in_message()) +
                       " of " + std::to_string(payload_.message_size()) + " bytes",
                   "read"));
    }

    void on_closed(netreactor::TcpConnection&, const Error* error) override {
        fail(error != nullptr ? *error : Error("EOF", "the connection closed before the echo was complete", "read"));
    }

private:
    void transmit(std::span<const char> message) override { conn_->write(message); }
    void close() override {
        if (conn_) conn_->close();
    }

    std::unique_ptr<netreactor::TcpConnector> connector_;
    std::unique_ptr<netreactor::TcpConnection> conn_;
    std::uint64_t started_ns_ = 0;
};

class UdpExchange final : public Exchange, public netreactor::UdpHandler {
public:
    UdpExchange(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload, bool keep_reply,
                ExchangeResult& result)
        : Exchange(loop, options, payload, keep_reply, result), socket_(std::in_place, loop, *this) {}

    void start() {
        try {
            socket_->connect(options_.server);  // only the server's datagrams, and its ICMP errors
            socket_->start_receiving();
        } catch (const netreactor::SystemError& e) {
            return fail(e.error());
        }
        send_message();
    }

    void on_datagram(netreactor::UdpSocket&, std::span<const char> data, const netreactor::SocketAddress&,
                     bool truncated) override {
        if (done_) return;
        std::uint64_t position = result_.bytes_received;
        result_.bytes_received += data.size();
        keep_reply(data);
        // One datagram is one echo: a shorter, longer or cut one is a mismatch.
        std::size_t bad = payload_.first_mismatch(0, 0, data.first(std::min(data.size(), payload_.message_size())));
        if (bad != Payload::npos) return mismatch(position + bad);
        if (truncated || data.size() != payload_.message_size()) {
            return mismatch(position + std::min(data.size(), payload_.message_size()));
        }
        complete_message();
    }

    void on_error(netreactor::UdpSocket&, const Error& error) override { fail(error); }

private:
    void transmit(std::span<const char> message) override { socket_->send(message, options_.server); }
    void close() override { socket_.reset(); }

    std::optional<netreactor::UdpSocket> socket_;
};

}  // namespace

ExchangeResult run_exchange(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload,
                            bool keep_reply, const netreactor::ConnectOptions& connect) {
    ExchangeResult result;
    if (options.proto == Proto::tcp) {
        TcpExchange exchange(loop, options, payload, keep_reply, result);
        exchange.start(loop, connect);
        loop.run();
    } else {
        UdpExchange exchange(loop, options, payload, keep_reply, result);
        exchange.start();
        loop.run();
    }
    return result;
}

}  // namespace echo_client
