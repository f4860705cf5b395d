#include "tcp_echo_service.hpp"

#include <cstdint>
#include <string>

namespace echo {

using netreactor::TcpConnection;

EchoTotals& EchoTotals::operator+=(const EchoTotals& other) {
    connections += other.connections;
    rejected += other.rejected;
    idle_closed += other.idle_closed;
    errors += other.errors;
    accept_errors += other.accept_errors;
    bytes_in += other.bytes_in;
    bytes_out += other.bytes_out;
    datagrams += other.datagrams;
    datagram_bytes += other.datagram_bytes;
    forced_closed += other.forced_closed;
    bytes_discarded += other.bytes_discarded;
    return *this;
}

namespace {

// On shutdown, a connection that received nothing for this long (and has no
// echo queued) is closed at once instead of lingering until its peer closes.
constexpr std::uint64_t kQuietBeforeCloseMs = 500;

}  // namespace

EchoConnection::EchoConnection(TcpEchoService& service, std::unique_ptr<TcpConnection> conn) noexcept
    : service_(&service), conn_(std::move(conn)) {}

EchoConnection::EchoConnection(EchoConnection&& other) noexcept
    : service_(other.service_), conn_(std::move(other.conn_)) {
    if (conn_) conn_->attach(*this);
}

EchoConnection& EchoConnection::operator=(EchoConnection&& other) noexcept {
    service_ = other.service_;
    conn_ = std::move(other.conn_);  // destroys the connection held here (allowed inside its callbacks)
    if (conn_) conn_->attach(*this);
    return *this;
}

void EchoConnection::on_data(TcpConnection& conn, std::span<const char> data) {
    // Refused only once our side has shut down (draining) or failed: count it,
    // so bytes_in == bytes_out + bytes_discarded always holds.
    if (!conn.write(data)) service_->totals_.bytes_discarded += data.size();
}

void EchoConnection::on_high_water(TcpConnection& conn) {
    // The peer sends faster than it reads: stop reading until it catches up.
    conn.pause_reading();
}

void EchoConnection::on_write_drained(TcpConnection& conn) { conn.resume_reading(); }

void EchoConnection::on_closed(TcpConnection&, const netreactor::Error* error) {
    if (error != nullptr) service_->totals_.errors++;
    service_->remove(*this, error);  // destroys this connection; `this` may now hold another
}

TcpEchoService::TcpEchoService(netreactor::Loop& loop, const EchoConfig& config, EchoTotals& totals,
                               nrapp::JsonOutput& out)
    : loop_(loop), config_(config), totals_(totals), out_(out) {
    if (config_.idle_timeout.count() > 0) {
        auto period = std::max(std::chrono::milliseconds(10), std::min(config_.idle_timeout / 4, std::chrono::milliseconds(1000)));
        idle_sweep_.emplace(loop_);
        idle_sweep_->start(period, [this] { close_idle_connections(); }, period);
    }
}

TcpEchoService::~TcpEchoService() = default;

void TcpEchoService::listen(const netreactor::SocketAddress& address, bool reuse_port) {
    netreactor::ListenOptions options;
    options.backlog = config_.backlog;
    options.reuse_port = reuse_port;
    listener_ = std::make_unique<netreactor::TcpListener>(loop_, address, options, *this);
}

netreactor::SocketAddress TcpEchoService::local_address() const {
    return listener_ ? listener_->local_address() : netreactor::SocketAddress();
}

void TcpEchoService::on_accept(std::unique_ptr<TcpConnection> conn) {
    if (draining_ || (config_.max_connections > 0 && slots_.size() >= config_.max_connections)) {
        totals_.rejected++;
        conn->close();
        return;
    }
    totals_.connections++;
    conn->set_nodelay(true);
    conn->set_high_water_mark(config_.high_water_mark);
    if (config_.log_connections) {
        logs_.push_back(ConnectionLog{conn->peer_address().to_string(), loop_.now_ms()});
        out_.emit({{"event", "accepted"}, {"peer", logs_.back().peer}});
    }
    TcpConnection& started = *conn;
    slots_.emplace_back(*this, std::move(conn));  // may move the others: each re-attaches
    started.start(slots_.back());
}

void TcpEchoService::on_accept_error(const netreactor::Error& error) {
    totals_.accept_errors++;
    // EMFILE can repeat for every pending peer: report at most once a second.
    std::uint64_t now = loop_.now_ms();
    if (last_accept_error_report_ms_ != 0 && now - last_accept_error_report_ms_ < 1000) return;
    last_accept_error_report_ms_ = now;
    out_.emit({{"event", "accept_error"}, {"error", nrapp::error_json(error)}, {"count", totals_.accept_errors}});
}

void TcpEchoService::remove(EchoConnection& slot, const netreactor::Error* error) {
    TcpConnection& conn = slot.connection();
    totals_.bytes_in += conn.bytes_received();
    totals_.bytes_out += conn.bytes_sent();
    auto index = static_cast<std::size_t>(&slot - slots_.data());
    if (config_.log_connections) {
        const ConnectionLog& log = logs_[index];
        nrapp::json event = {{"event", "closed"},
                             {"peer", log.peer},
                             {"bytes_in", conn.bytes_received()},
                             {"bytes_out", conn.bytes_sent()},
                             {"duration_ms", loop_.now_ms() - log.accepted_ms}};
        if (error != nullptr) event["error"] = nrapp::error_json(*error);
        out_.emit(event);
        std::swap(logs_[index], logs_.back());
        logs_.pop_back();
    }
    if (index != slots_.size() - 1) {
        slots_[index] = std::move(slots_.back());  // destroys `conn`
    }
    slots_.pop_back();  // destroys `conn`, or the moved-from last slot
    finish_drain_if_empty();
}

void TcpEchoService::close_idle_connections() {
    std::uint64_t now = loop_.now_ms();
    auto limit = static_cast<std::uint64_t>(config_.idle_timeout.count());
    for (std::size_t i = 0; i < slots_.size();) {
        TcpConnection& conn = slots_[i].connection();
        if (now - conn.last_activity_ms() >= limit && conn.queued_bytes() == 0) {
            totals_.idle_closed++;
            conn.close();
            remove(slots_[i], nullptr);  // the last slot moved into i: look at it next
        } else {
            ++i;
        }
    }
}

void TcpEchoService::drain(std::function<void()> done) {
    draining_ = true;
    drain_done_ = std::move(done);
    listener_.reset();
    idle_sweep_.reset();
    // A peer may still be sending. Closing a socket with unread input makes
    // the kernel reset the connection and drop the echo still in its send
    // buffer, so such a connection lingers: its queued echo goes out, then our
    // FIN; what it sends meanwhile is read and dropped (write() refuses it
    // after shutdown_after_drain), and it closes when the peer does (on_eof),
    // or at the drain deadline. A peer quiet for a while with nothing queued
    // is closed at once. Neither call calls back synchronously, so the vector
    // is stable.
    std::uint64_t now = loop_.now_ms();
    for (EchoConnection& slot : slots_) {
        TcpConnection* conn = &slot.connection();
        if (conn->queued_bytes() == 0 && now - conn->last_activity_ms() >= kQuietBeforeCloseMs) {
            conn->close_gracefully();
        } else {
            conn->shutdown_after_drain();
            conn->resume_reading();
        }
    }
    if (config_.drain_timeout.count() > 0) {
        drain_deadline_.emplace(loop_);
        drain_deadline_->start(config_.drain_timeout, [this] {
            while (!slots_.empty()) {
                totals_.forced_closed++;
                slots_.back().connection().close();
                remove(slots_.back(), nullptr);
            }
        });
    }
    finish_drain_if_empty();
}

void TcpEchoService::finish_drain_if_empty() {
    if (!draining_ || !slots_.empty() || !drain_done_) return;
    drain_deadline_.reset();
    auto done = std::move(drain_done_);
    drain_done_ = nullptr;
    done();
}

}  // namespace echo
