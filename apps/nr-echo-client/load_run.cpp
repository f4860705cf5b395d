#include "load_run.hpp"

#include <algorithm>
#include <bit>
#include <csignal>
#include <limits>

#include "netreactor/signal_watcher.hpp"

namespace echo_client {

using netreactor::Error;

namespace {

// How long the drain after the window waits for echoes when --timeout is 0.
constexpr std::chrono::milliseconds kDefaultDrain{5000};

}  // namespace

LoadRun::LoadRun(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload, LoadResult& result)
    : loop_(loop),
      options_(options),
      payload_(payload),
      result_(result),
      warmup_timer_(loop),
      window_timer_(loop),
      scan_timer_(loop),
      drain_timer_(loop) {}

LoadRun::~LoadRun() = default;

void LoadRun::attach(std::vector<Flow*> flows) {
    flows_ = std::move(flows);
    // A power of two of slots per flow: the ring index is a mask, not a division.
    std::size_t slots = std::bit_ceil(options_.pipeline);
    slot_mask_ = slots - 1;
    send_times_ = std::make_unique<std::uint64_t[]>(flows_.size() * slots);
    for (std::size_t i = 0; i < flows_.size(); ++i) {
        flows_[i]->rotation = (i * 7919) % payload_.message_size();
        flows_[i]->send_times = send_times_.get() + i * slots;
    }
}

void LoadRun::run() {
    netreactor::SignalWatcher sigint(loop_, SIGINT, [this](int) { interrupt(); });
    netreactor::SignalWatcher sigterm(loop_, SIGTERM, [this](int) { interrupt(); });
    pending_opens_ = flows_.size();
    open_flows();
    loop_.run();
}

void LoadRun::interrupt() {
    if (phase_ == Phase::running) return end_window();
    if (phase_ == Phase::warming) {
        // No window at all (duration_s 0): the messages in flight are the warm-up's.
        end_warmup();
        return drain();
    }
    if (phase_ == Phase::connecting) {
        // Connections still being made are dropped with the run.
        for (Flow* flow : flows_) {
            if (!flow->open) close_flow(*flow);
        }
        finish();
    }
}

void LoadRun::flow_opened(Flow& flow) {
    flow.open = true;
    open_flows_++;
    result_.connected++;
    if (--pending_opens_ == 0) begin_load();
}

void LoadRun::open_failed(const Error& error) {
    result_.errors++;
    if (!result_.first_error) result_.first_error = error;
    if (--pending_opens_ == 0) begin_load();
}

void LoadRun::begin_load() {
    if (open_flows_ == 0) return finish();
    // Replies are due within --timeout in the warm-up as in the window.
    if (options_.timeout.count() > 0) {
        auto period = std::clamp(options_.timeout / 4, std::chrono::milliseconds(1), std::chrono::milliseconds(100));
        scan_timer_.start(period, [this] { scan_for_overdue_replies(); }, period);
    }
    if (options_.warmup.count() == 0) return begin_window();
    phase_ = Phase::warming;
    warmup_start_ns_ = netreactor::monotonic_ns();
    for (Flow* flow : flows_) flow->first_counted = std::numeric_limits<std::uint64_t>::max();
    warmup_timer_.start(options_.warmup, [this] {
        end_warmup();
        begin_window();
    });
    for (Flow* flow : flows_) send_more(*flow, warmup_start_ns_);
}

void LoadRun::end_warmup() {
    warmup_timer_.stop();
    result_.warmup_s = static_cast<double>(netreactor::monotonic_ns() - warmup_start_ns_) / 1e9;
}

void LoadRun::begin_window() {
    phase_ = Phase::running;
    window_start_ns_ = netreactor::monotonic_ns();
    // What the flows sent so far was the warm-up's; the window counts from here.
    for (Flow* flow : flows_) flow->first_counted = flow->sent;
    if (options_.duration.count() > 0) window_timer_.start(options_.duration, [this] { end_window(); });
    for (Flow* flow : flows_) send_more(*flow, window_start_ns_);
}

void LoadRun::send_more(Flow& flow, std::uint64_t now_ns) {
    if ((phase_ != Phase::running && phase_ != Phase::warming) || !flow.open) return;
    std::uint64_t room = options_.pipeline - flow.in_flight();
    // --count limits the window's messages; the warm-up is bounded by time alone.
    if (options_.count > 0 && phase_ == Phase::running)
        room = std::min(room, options_.count - (flow.sent - flow.first_counted));
    if (room == 0) {
        if (flow.in_flight() == 0) retire(flow);  // its --count is done
        return;
    }
    for (std::uint64_t i = flow.sent; i < flow.sent + room; ++i) sent_at(flow, i) = now_ns;
    flow.sent += room;
    transmit(flow, static_cast<std::size_t>(room));
}

void LoadRun::echoed(Flow& flow, std::uint64_t count, std::uint64_t now_ns) {
    const std::uint64_t warm = flow.sent_in_warmup(count);
    result_.warmup_messages += warm;
    const std::uint64_t counted = count - warm;
    if (phase_ == Phase::running) {
        for (std::uint64_t i = flow.done + warm; i < flow.done + count; ++i)
            result_.latency.record(now_ns - sent_at(flow, i));
        result_.messages += counted;
        result_.bytes += counted * payload_.message_size();
    } else if (phase_ == Phase::draining) {
        result_.drained += counted;
    }
    flow.done += count;
    if (phase_ == Phase::draining && flow.in_flight() == 0) return retire(flow);
    send_more(flow, now_ns);
}

void LoadRun::lost(Flow& flow) {
    result_.lost += 1 - flow.sent_in_warmup(1);
    flow.done++;
    if (phase_ == Phase::draining && flow.in_flight() == 0) return retire(flow);
    send_more(flow, netreactor::monotonic_ns());
}

void LoadRun::flow_failed(Flow& flow, const Error& error) {
    if (!flow.open) return;
    result_.errors++;
    if (!result_.first_error) result_.first_error = error;
    retire(flow);
}

void LoadRun::flow_mismatch(Flow& flow) {
    if (!flow.open) return;
    result_.mismatches++;
    retire(flow);
}

void LoadRun::retire(Flow& flow) {
    if (!flow.open) return;
    flow.open = false;
    close_flow(flow);
    if (--open_flows_ > 0 || phase_ == Phase::connecting || phase_ == Phase::finished) return;
    if (phase_ == Phase::warming) end_warmup();  // every flow failed in the warm-up: no window
    if (phase_ == Phase::running) end_window();
    finish();
}

void LoadRun::end_window() {
    if (phase_ != Phase::running) return;
    result_.elapsed_s = static_cast<double>(netreactor::monotonic_ns() - window_start_ns_) / 1e9;
    drain();
}

void LoadRun::drain() {
    phase_ = Phase::draining;
    window_timer_.stop();
    for (Flow* flow : flows_)
        if (flow->open && flow->in_flight() == 0) retire(*flow);
    if (phase_ != Phase::draining) return;  // nothing was in flight
    drain_timer_.start(options_.timeout.count() > 0 ? options_.timeout + std::chrono::milliseconds(100) : kDefaultDrain,
                       [this] { expire_drain(); });
}

void LoadRun::scan_for_overdue_replies() {
    auto limit = static_cast<std::uint64_t>(options_.timeout.count()) * 1'000'000;
    std::uint64_t now = netreactor::monotonic_ns();
    for (Flow* flow : flows_) {
        if (phase_ == Phase::finished) return;
        // Replacements sent meanwhile are newer than `now`: compare without underflow.
        while (flow->open && flow->in_flight() > 0 && sent_at(*flow, flow->done) + limit < now)
            reply_overdue(*flow);
    }
}

void LoadRun::expire_drain() {
    for (Flow* flow : flows_) {
        if (phase_ == Phase::finished) return;
        if (flow->open) drain_expired(*flow);
    }
}

void LoadRun::finish() {
    phase_ = Phase::finished;
    warmup_timer_.stop();
    window_timer_.stop();
    scan_timer_.stop();
    drain_timer_.stop();
    for (Flow* flow : flows_) {
        if (flow->open) {
            flow->open = false;
            close_flow(*flow);
        }
    }
    open_flows_ = 0;
}

void run_load(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload, LoadResult& result) {
    auto load = options.proto == Proto::tcp ? make_tcp_load(loop, options, payload, result)
                                            : make_udp_load(loop, options, payload, result);
    load->run();
}

}  // namespace echo_client
