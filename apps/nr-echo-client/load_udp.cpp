// Load mode over UDP: each flow is a connected UDP socket; one datagram is
// one message, and its echo must be the same datagram. Message k of a flow is
// the payload rotated by k more bytes, so an echo tells which message it is:
// echoes of one socket come back in order, so when the echo of a later
// message arrives, the ones before it were lost. A datagram whose echo never
// comes is given up after --timeout. Loss slows a flow but never stops it.
#include <optional>

#include "load_run.hpp"
#include "netreactor/udp_socket.hpp"

namespace echo_client {

namespace {

using netreactor::Error;

class UdpLoad;

struct UdpFlow final : Flow, netreactor::UdpHandler {
    UdpLoad* load = nullptr;
    std::optional<netreactor::UdpSocket> socket;

    void on_datagram(netreactor::UdpSocket&, std::span<const char> data, const netreactor::SocketAddress&,
                     bool truncated) override;
    void on_error(netreactor::UdpSocket&, const Error& error) override;
};

class UdpLoad final : public LoadRun {
public:
    UdpLoad(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload, LoadResult& result)
        : LoadRun(loop, options, payload, result), flows_(options.connections) {
        attach(flows_, this);
    }

    void datagram(UdpFlow& flow, std::span<const char> data, bool truncated) {
        if (!flow.open) return;
        if (!truncated && data.size() == payload_.message_size()) {
            for (std::uint64_t skipped = 0; skipped < flow.in_flight(); ++skipped) {
                if (is_echo_of(flow, flow.done + skipped, data)) {
                    lost_before_echo(flow, skipped);
                    return echoed(flow, 1, netreactor::monotonic_ns());
                }
            }
            // A late echo of a message already given up as lost.
            std::uint64_t oldest = flow.done > options_.pipeline ? flow.done - options_.pipeline : 0;
            for (std::uint64_t k = oldest; k < flow.done; ++k)
                if (is_echo_of(flow, k, data)) return;
        }
        flow_mismatch(flow);
    }

    void error(UdpFlow& flow, const Error& error) { flow_failed(flow, error); }

private:
    void open_flows() override {
        for (auto& flow : flows_) {
            try {
                flow.socket.emplace(loop_, flow);
                flow.socket->connect(options_.server);
                flow.socket->start_receiving();
            } catch (const netreactor::SystemError& e) {
                flow.socket.reset();
                open_failed(e.error());
                continue;
            }
            flow_opened(flow);
        }
    }

    std::size_t rotation_of(const Flow& flow, std::uint64_t message) const {
        return static_cast<std::size_t>((flow.rotation + message) % payload_.message_size());
    }

    bool is_echo_of(const Flow& flow, std::uint64_t message, std::span<const char> data) const {
        return payload_.first_mismatch(rotation_of(flow, message), 0, data) == Payload::npos;
    }

    void transmit(Flow& flow, std::size_t count) override {
        auto& udp = static_cast<UdpFlow&>(flow);
        // A failed send reports to on_error, which may close the flow.
        for (std::uint64_t k = flow.sent - count; k < flow.sent && udp.open; ++k)
            udp.socket->send(payload_.messages(rotation_of(flow, k), 1), {});
    }

    void close_flow(Flow& flow) override { static_cast<UdpFlow&>(flow).socket.reset(); }

    void reply_overdue(Flow& flow) override { lost(flow); }

    void drain_expired(Flow& flow) override {
        while (flow.open && flow.in_flight() > 0) lost(flow);
    }

    std::vector<UdpFlow> flows_;
};

void UdpFlow::on_datagram(netreactor::UdpSocket&, std::span<const char> data, const netreactor::SocketAddress&,
                          bool truncated) {
    load->datagram(*this, data, truncated);
}

void UdpFlow::on_error(netreactor::UdpSocket&, const Error& error) { load->error(*this, error); }

}  // namespace

std::unique_ptr<LoadRun> make_udp_load(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload,
                                       LoadResult& result) {
    return std::make_unique<UdpLoad>(loop, options, payload, result);
}

}  // namespace echo_client
