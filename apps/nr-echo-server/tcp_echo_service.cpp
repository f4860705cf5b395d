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
    bytes_dropped += other.bytes_dropped;
    stall_closed += other.stall_closed;
    queue_limit_pauses += other.queue_limit_pauses;
    return *this;
}

namespace {

// On shutdown, a connection that received nothing for this long (and has no
// echo queued) is closed at once instead of lingering until its peer closes.
constexpr std::uint64_t kQuietBeforeCloseMs = 500;
// While draining, how often connections are looked at for that quiet.
constexpr std::chrono::milliseconds kDrainSweepPeriod{100};

// How often the queue sizes are refreshed when only --max-queued asks for it.
constexpr std::chrono::milliseconds kQueueRefreshPeriod{250};

// The sweep runs often enough for the shortest timeout asked (a quarter of
// it), but no more than every 10 ms.
std::chrono::milliseconds sweep_period(const EchoConfig& config) {
    std::chrono::milliseconds period = kQueueRefreshPeriod;
    for (auto timeout : {config.idle_timeout, config.stall_timeout})
        if (timeout.count() > 0) period = std::min(period, timeout / 4);
    return std::max(period, std::chrono::milliseconds(10));
}

}  // namespace

EchoConnection::EchoConnection(TcpEchoService& service, std::unique_ptr<TcpConnection> conn) noexcept
    : service_(&service), conn_(std::move(conn)) {}

EchoConnection::EchoConnection(EchoConnection&& other) noexcept
    : service_(other.service_), conn_(std::move(other.conn_)), watch_(other.watch_) {
    if (conn_) conn_->attach(*this);
}

EchoConnection& EchoConnection::operator=(EchoConnection&& other) noexcept {
    service_ = other.service_;
    conn_ = std::move(other.conn_);  // destroys the connection held here (allowed inside its callbacks)
    watch_ = other.watch_;
    if (conn_) conn_->attach(*this);
    return *this;
}

// The per-message path: the echo and a look at the queue, nothing more (what
// was not echoed is counted once, when the connection ends: remove()).
void EchoConnection::on_data(TcpConnection& conn, std::span<const char> data) {
    conn.write(data);
    std::size_t queued = conn.queued_bytes();
    // The usual case, nothing queued before or now, skips the bookkeeping.
    if (queued != 0 || watch_.queued != 0) service_->watch_queue(*this, queued);
}

void EchoConnection::on_high_water(TcpConnection& conn) {
    // The peer sends faster than it reads: stop reading until it catches up.
    conn.pause_reading();
}

void EchoConnection::on_write_drained(TcpConnection& conn) {
    service_->watch_queue(*this, 0);
    conn.resume_reading();
}

void EchoConnection::on_closed(TcpConnection&, const netreactor::Error* error) {
    if (error != nullptr) service_->totals_.errors++;
    service_->remove(*this, error);  // destroys this connection; `this` may now hold another
}

TcpEchoService::TcpEchoService(netreactor::Loop& loop, const EchoConfig& config, EchoTotals& totals,
                               nrapp::JsonOutput& out)
    : loop_(loop), config_(config), totals_(totals), out_(out) {
    // Each worker owns an equal share of --max-queued.
    if (config_.max_queued > 0) queue_budget_ = std::max<std::size_t>(config_.max_queued / config_.workers, 1);
    if (config_.idle_timeout.count() > 0 || config_.stall_timeout.count() > 0 || queue_budget_ > 0) {
        idle_sweep_.emplace(loop_);
        // Without an idle timeout the sweep looks only at queued echo: it
        // runs while some is queued (watch_queue starts it). A loop with a
        // timer armed sleeps with a timeout, which costs the kernel a timer
        // per wake-up (docs/benchmarks.md, "Per-datagram cost, UDP echo").
        if (config_.idle_timeout.count() > 0) start_sweep();
    }
}

void TcpEchoService::start_sweep() {
    auto period = sweep_period(config_);
    idle_sweep_->start(period, [this] { sweep(); }, period);
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

void TcpEchoService::watch_queue(EchoConnection& slot, std::size_t queued) {
    EchoConnection::OutputWatch& watch = slot.output_watch();
    TcpConnection& conn = slot.connection();
    if (watch.queued == 0 && queued != 0) {
        // The stall clock starts when echo begins to wait.
        watch.sent_mark = conn.bytes_sent();
        watch.progress_ms = loop_.now_ms();
    }
    queued_total_ = queued_total_ - watch.queued + queued;
    watch.queued = queued;
    if (queued_total_ != 0 && idle_sweep_ && !idle_sweep_->active()) start_sweep();
    // Past the budget, a peer that holds queued echo is read no more until
    // its queue drains (on_write_drained): the memory stops growing, and
    // peers whose echo flows are still served.
    if (queue_budget_ > 0 && queued_total_ > queue_budget_ && queued != 0 && conn.reading() && !draining_) {
        conn.pause_reading();
        note_queue_limit(conn);
    }
}

void TcpEchoService::note_queue_limit(TcpConnection& conn) {
    totals_.queue_limit_pauses++;
    queue_limit_paused_since_report_++;
    // Many peers may be paused at once: one event a second says so.
    std::uint64_t now = loop_.now_ms();
    if (last_queue_limit_report_ms_ != 0 && now - last_queue_limit_report_ms_ < 1000) return;
    last_queue_limit_report_ms_ = now;
    out_.emit({{"event", "queue_limit"},
               {"peer", conn.peer_address().to_string()},
               {"queued_bytes", queued_total_},
               {"max_queued", queue_budget_},
               {"paused", queue_limit_paused_since_report_}});
    queue_limit_paused_since_report_ = 0;
}

void TcpEchoService::remove(EchoConnection& slot, const netreactor::Error* error) {
    TcpConnection& conn = slot.connection();
    // Every byte read went to write(), which sent it, queued it, or refused it
    // (our side had shut down, or the connection failed). Echo still queued
    // now will never be sent (closed, reset or failed): dropped. What write()
    // refused is discarded: what neither the kernel took nor the queue holds.
    // (write() changes bytes_sent() + queued_bytes() only by what it accepts.)
    // So bytes_in == bytes_out + bytes_discarded + bytes_dropped.
    std::uint64_t received = conn.bytes_received();
    std::uint64_t sent = conn.bytes_sent();
    std::size_t queued = conn.queued_bytes();
    totals_.bytes_in += received;
    totals_.bytes_out += sent;
    totals_.bytes_dropped += queued;
    totals_.bytes_discarded += received - sent - queued;
    queued_total_ -= slot.output_watch().queued;
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

void TcpEchoService::sweep() {
    if (config_.idle_timeout.count() == 0 && queued_total_ == 0) {
        idle_sweep_->stop();  // nothing to look at until echo is queued again (watch_queue)
        return;
    }
    std::uint64_t now = loop_.now_ms();
    auto idle_limit = static_cast<std::uint64_t>(config_.idle_timeout.count());
    auto stall_limit = static_cast<std::uint64_t>(config_.stall_timeout.count());
    for (std::size_t i = 0; i < slots_.size();) {
        EchoConnection& slot = slots_[i];
        TcpConnection& conn = slot.connection();
        EchoConnection::OutputWatch& watch = slot.output_watch();
        std::size_t queued = conn.queued_bytes();
        if (queued != watch.queued) watch_queue(slot, queued);
        if (queued == 0) {
            if (idle_limit > 0 && now - conn.last_activity_ms() >= idle_limit) {
                totals_.idle_closed++;
                conn.close();
                remove(slot, nullptr);  // the last slot moved into i: look at it next
                continue;
            }
        } else if (std::uint64_t sent = conn.bytes_sent(); sent != watch.sent_mark) {
            watch.sent_mark = sent;  // the peer reads: its echo moves
            watch.progress_ms = now;
        } else if (stall_limit > 0 && now - watch.progress_ms >= stall_limit) {
            close_stalled(slot, now);  // the last slot moved into i: look at it next
            continue;
        }
        ++i;
    }
}

void TcpEchoService::close_stalled(EchoConnection& slot, std::uint64_t now) {
    TcpConnection& conn = slot.connection();
    totals_.stall_closed++;
    out_.emit({{"event", "stalled"},
               {"peer", conn.peer_address().to_string()},
               {"queued_bytes", conn.queued_bytes()},
               {"stalled_ms", now - slot.output_watch().progress_ms}});
    // The peer does not read: a graceful close would wait on it forever.
    conn.close();
    remove(slot, nullptr);
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
    // once it has been quiet for a while with nothing queued (a peer that
    // keeps the connection open after our FIN), or at the drain deadline. A
    // peer already quiet with nothing queued is closed at once. Neither call
    // calls back synchronously, so the vector is stable.
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
    drain_sweep_.emplace(loop_);
    drain_sweep_->start(kDrainSweepPeriod, [this] { close_quiet_while_draining(); }, kDrainSweepPeriod);
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

void TcpEchoService::close_quiet_while_draining() {
    // Everything the peer sent was read (we read on while draining), so this
    // close sends no reset. close_gracefully() calls nothing back
    // synchronously: the vector is stable.
    std::uint64_t now = loop_.now_ms();
    for (EchoConnection& slot : slots_) {
        TcpConnection& conn = slot.connection();
        if (conn.state() == TcpConnection::State::connected && conn.queued_bytes() == 0 &&
            now - conn.last_activity_ms() >= kQuietBeforeCloseMs)
            conn.close_gracefully();
    }
}

void TcpEchoService::finish_drain_if_empty() {
    if (!draining_ || !slots_.empty() || !drain_done_) return;
    drain_deadline_.reset();
    drain_sweep_.reset();
    auto done = std::move(drain_done_);
    drain_done_ = nullptr;
    done();
}

}  // namespace echo
