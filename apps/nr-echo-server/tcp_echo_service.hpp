// TCP echo on one loop: accepts, echoes every byte back, applies
// backpressure, closes idle peers, drains on shutdown.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "echo_config.hpp"
#include "json_output.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/tcp_listener.hpp"
#include "netreactor/timer.hpp"

namespace echo {

class TcpEchoService final : public netreactor::AcceptHandler, public netreactor::ConnectionHandler {
public:
    TcpEchoService(netreactor::Loop& loop, const EchoConfig& config, EchoTotals& totals, nrapp::JsonOutput& out);
    ~TcpEchoService() override;

    // Binds and listens (throws netreactor::SystemError). With reuse_port, other
    // workers can bind the same port.
    void listen(const netreactor::SocketAddress& address, bool reuse_port);
    netreactor::SocketAddress local_address() const;

    // Stops accepting and closes every connection once its queued echo is
    // sent (and, for a peer still sending, once the peer closed too); `done`
    // runs when none is left (or the drain timeout forced them).
    void drain(std::function<void()> done);
    std::size_t live_connections() const noexcept { return slots_.size(); }

    void on_accept(std::unique_ptr<netreactor::TcpConnection> conn) override;
    void on_accept_error(const netreactor::Error& error) override;
    void on_data(netreactor::TcpConnection& conn, std::span<const char> data) override;
    void on_high_water(netreactor::TcpConnection& conn) override;
    void on_write_drained(netreactor::TcpConnection& conn) override;
    void on_closed(netreactor::TcpConnection& conn, const netreactor::Error* error) override;

private:
    struct ConnectionLog {
        std::string peer;
        std::uint64_t accepted_ms;
    };

    void remove(netreactor::TcpConnection& conn, const netreactor::Error* error);
    void close_idle_connections();
    void finish_drain_if_empty();

    netreactor::Loop& loop_;
    const EchoConfig& config_;
    EchoTotals& totals_;
    nrapp::JsonOutput& out_;
    std::unique_ptr<netreactor::TcpListener> listener_;
    // Live connections; each one's context() holds its index here, so removal
    // is a swap with the last slot. With --log-connections, logs_[i] describes
    // slots_[i]; without, it stays empty so an idle connection costs one pointer here.
    std::vector<std::unique_ptr<netreactor::TcpConnection>> slots_;
    std::vector<ConnectionLog> logs_;
    std::optional<netreactor::Timer> idle_sweep_;
    std::optional<netreactor::Timer> drain_deadline_;
    std::function<void()> drain_done_;
    std::uint64_t last_accept_error_report_ms_ = 0;
    bool draining_ = false;
};

}  // namespace echo
