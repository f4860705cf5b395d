// TCP echo on one loop: accepts, echoes every byte back, applies
// backpressure (per peer, and on the bytes queued by all peers together),
// closes idle and stalled peers, drains on shutdown.
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

class TcpEchoService;

// One accepted connection and the handler of its events: the library's
// one-handler-object-per-connection pattern. Stored by value in the service's
// slot vector (48 bytes, no allocation of its own), so its index there is its
// position; moving it re-attaches the connection to the new address.
class EchoConnection final : public netreactor::ConnectionHandler {
public:
    EchoConnection(TcpEchoService& service, std::unique_ptr<netreactor::TcpConnection> conn) noexcept;
    EchoConnection(EchoConnection&& other) noexcept;
    EchoConnection& operator=(EchoConnection&& other) noexcept;
    ~EchoConnection() override = default;

    netreactor::TcpConnection& connection() const noexcept { return *conn_; }

    // What the service knows of this connection's unsent echo.
    struct OutputWatch {
        std::size_t queued = 0;         // queued_bytes() when last looked; summed in the service's queued_total_
        std::uint64_t sent_mark = 0;    // bytes_sent() at the last progress seen
        std::uint64_t progress_ms = 0;  // loop time of that progress (or of the queue starting)
    };
    OutputWatch& output_watch() noexcept { return watch_; }

    void on_data(netreactor::TcpConnection& conn, std::span<const char> data) override;
    void on_high_water(netreactor::TcpConnection& conn) override;
    void on_write_drained(netreactor::TcpConnection& conn) override;
    void on_closed(netreactor::TcpConnection& conn, const netreactor::Error* error) override;

private:
    TcpEchoService* service_;
    std::unique_ptr<netreactor::TcpConnection> conn_;
    OutputWatch watch_;
};

class TcpEchoService final : public netreactor::AcceptHandler {
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

private:
    friend class EchoConnection;

    struct ConnectionLog {
        std::string peer;
        std::uint64_t accepted_ms;
    };

    // Destroys `slot` and its connection (the last slot moves into its place).
    void remove(EchoConnection& slot, const netreactor::Error* error);
    // Notes `slot`'s queue size (`queued`, just read) and applies --max-queued.
    void watch_queue(EchoConnection& slot, std::size_t queued);
    void note_queue_limit(netreactor::TcpConnection& conn);
    // Periodic: closes idle and stalled connections, refreshes queue sizes.
    void sweep();
    void start_sweep();
    void close_stalled(EchoConnection& slot, std::uint64_t now);
    void close_quiet_while_draining();
    void finish_drain_if_empty();

    netreactor::Loop& loop_;
    const EchoConfig& config_;
    EchoTotals& totals_;
    nrapp::JsonOutput& out_;
    std::unique_ptr<netreactor::TcpListener> listener_;
    // Live connections; a slot's index is its position, so removal moves the
    // last slot into the hole. With --log-connections, logs_[i] describes
    // slots_[i]; without, it stays empty so an idle connection costs one slot here.
    std::vector<EchoConnection> slots_;
    std::vector<ConnectionLog> logs_;
    // Bytes queued by this worker's connections (an upper bound: a queue that
    // shrank without emptying is seen at the next sweep), and its share of
    // --max-queued (0: no limit).
    std::size_t queued_total_ = 0;
    std::size_t queue_budget_ = 0;
    std::uint64_t queue_limit_paused_since_report_ = 0;
    std::uint64_t last_queue_limit_report_ms_ = 0;
    std::optional<netreactor::Timer> idle_sweep_;
    std::optional<netreactor::Timer> drain_deadline_;
    std::optional<netreactor::Timer> drain_sweep_;
    std::function<void()> drain_done_;
    std::uint64_t last_accept_error_report_ms_ = 0;
    bool draining_ = false;
};

}  // namespace echo
