// Load mode over TCP: each flow is a connection carrying a byte stream of
// back-to-back messages; an echo is complete when its last byte is back.
#include <algorithm>
#include <chrono>
#include <string>

#include "load_run.hpp"
#include "netreactor/tcp_connection.hpp"

namespace echo_client {

namespace {

using netreactor::Error;
using netreactor::TcpConnection;

class TcpLoad;

struct TcpFlow final : Flow, netreactor::ConnectionHandler {
    TcpLoad* load = nullptr;
    std::unique_ptr<TcpConnection> conn;
    std::uint64_t received = 0;  // bytes echoed and checked

    void on_connected(TcpConnection& c) override;
    void on_data(TcpConnection& c, std::span<const char> data) override;
    void on_eof(TcpConnection& c) override;
    void on_closed(TcpConnection& c, const Error* error) override;
};

class TcpLoad final : public LoadRun {
public:
    TcpLoad(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload, LoadResult& result)
        : LoadRun(loop, options, payload, result), flows_(options.connections) {
        attach(flows_, this);
    }

    void connected(TcpFlow& flow) {
        flow.conn->set_nodelay(true);
        flow_opened(flow);
    }

    void data(TcpFlow& flow, std::span<const char> bytes) {
        // Every byte must be the next one of this flow's stream, and none may
        // come back that was not sent.
        std::uint64_t size = payload_.message_size();
        if (flow.received + bytes.size() > flow.sent * size ||
            payload_.first_mismatch(flow.rotation, flow.received, bytes) != Payload::npos) {
            return flow_mismatch(flow);
        }
        flow.received += bytes.size();
        std::uint64_t complete = flow.received / size - flow.done;
        if (complete > 0) echoed(flow, complete, netreactor::monotonic_ns());
    }

    void closed(TcpFlow& flow, const Error* error) {
        Error reason = error != nullptr ? *error : Error("EOF", "the connection closed", "read");
        if (flow.open) {
            flow_failed(flow, reason);
        } else {
            open_failed(reason);
        }
    }

    void eof(TcpFlow& flow) {
        flow_failed(flow, Error("EOF",
                                "the server closed the connection with " + std::to_string(flow.in_flight()) +
                                    " messages not echoed",
                                "read"));
    }

private:
    void open_flows() override {
        const auto limit = connect_time_left();
        for (auto& flow : flows_) flow.conn = TcpConnection::connect(loop_, options_.server, limit, flow);
    }

    // --timeout bounds the whole connect phase, the name lookup included (as
    // in an exchange): the connections get what the lookup left of it, at
    // least 1 ms (0 would mean no limit at all).
    std::chrono::milliseconds connect_time_left() const {
        if (options_.timeout.count() == 0) return options_.timeout;
        const auto spent = std::chrono::ceil<std::chrono::milliseconds>(
            std::chrono::nanoseconds(netreactor::monotonic_ns() - options_.connect_started_ns));
        return std::max(options_.timeout - spent, std::chrono::milliseconds(1));
    }

    void transmit(Flow& flow, std::size_t count) override {
        static_cast<TcpFlow&>(flow).conn->write(payload_.messages(flow.rotation, count));
    }

    void close_flow(Flow& flow) override { static_cast<TcpFlow&>(flow).conn->close(); }

    void reply_overdue(Flow& flow) override { flow_failed(flow, overdue_error(flow)); }
    void drain_expired(Flow& flow) override { flow_failed(flow, overdue_error(flow)); }

    Error overdue_error(Flow& flow) const {
        return Error("ETIMEDOUT",
                     "no echo within " + std::to_string(options_.timeout.count()) + " ms (" +
                         std::to_string(flow.in_flight()) + " messages in flight)",
                     "reply");
    }

    std::vector<TcpFlow> flows_;
};

void TcpFlow::on_connected(TcpConnection&) { load->connected(*this); }
void TcpFlow::on_data(TcpConnection&, std::span<const char> data) { load->data(*this, data); }
void TcpFlow::on_eof(TcpConnection&) { load->eof(*this); }
void TcpFlow::on_closed(TcpConnection&, const Error* error) { load->closed(*this, error); }

}  // namespace

std::unique_ptr<LoadRun> make_tcp_load(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload,
                                       LoadResult& result) {
    return std::make_unique<TcpLoad>(loop, options, payload, result);
}

}  // namespace echo_client
