// Internal to load mode: the bookkeeping shared by the TCP and UDP loads.
//
// A flow is one connection (or connected UDP socket) keeping up to
// --pipeline messages in flight. Its messages all come from the one shared
// Payload, rotated by the flow's own offset, so checking an echo is a memcmp
// against that buffer; send times live in one arena, a ring of --pipeline
// slots per flow. Nothing on the message path allocates or builds JSON.
//
// The phases: connecting (every flow opening), warming (--warmup: the load
// runs, nothing of it is counted), running (the measurement window), draining
// (no more sends: the echoes still in flight are waited for), finished.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "load.hpp"
#include "netreactor/timer.hpp"

namespace echo_client {

struct Flow {
    std::size_t rotation = 0;               // where this flow's messages start in the payload
    std::uint64_t* send_times = nullptr;    // a ring of >= --pipeline slots (LoadRun::sent_at)
    std::uint64_t sent = 0;                 // messages sent
    std::uint64_t done = 0;                 // messages echoed (or, UDP, given up as lost)
    // The flow's first message sent in the window: the ones before it were
    // sent in the warm-up, and their echoes are the warm-up's whenever they
    // come (so the window counts only what it sent, as without a warm-up).
    // Until the window begins every message is the warm-up's.
    std::uint64_t first_counted = 0;
    bool open = false;

    std::uint64_t in_flight() const noexcept { return sent - done; }
    // How many of the `count` oldest messages in flight were sent in the warm-up.
    std::uint64_t sent_in_warmup(std::uint64_t count) const noexcept {
        return first_counted > done ? std::min(count, first_counted - done) : 0;
    }
};

class LoadRun {
public:
    LoadRun(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload, LoadResult& result);
    virtual ~LoadRun();
    LoadRun(const LoadRun&) = delete;
    LoadRun& operator=(const LoadRun&) = delete;

    // Opens every flow, runs the load, returns when it has ended. SIGINT or
    // SIGTERM ends the window early (or the warm-up, and then there is no
    // window): the summary covers what was measured.
    void run();

protected:
    // Adopts the subclass's flows (a vector that never grows again), each
    // pointing back to `load`.
    template <typename FlowType, typename Load>
    void attach(std::vector<FlowType>& flows, Load* load) {
        std::vector<Flow*> base;
        for (auto& flow : flows) {
            flow.load = load;
            base.push_back(&flow);
        }
        attach(std::move(base));
    }

    // Starts opening every flow; each ends in flow_opened or open_failed.
    virtual void open_flows() = 0;
    // Sends `count` messages on `flow` (payload_.messages(flow.rotation, count)).
    virtual void transmit(Flow& flow, std::size_t count) = 0;
    // Closes the flow's socket; no callback of it follows.
    virtual void close_flow(Flow& flow) = 0;
    // The oldest message of `flow` has had no echo within --timeout.
    virtual void reply_overdue(Flow& flow) = 0;
    // The drain after the window timed out with messages of `flow` in flight.
    virtual void drain_expired(Flow& flow) = 0;

    void flow_opened(Flow& flow);
    void open_failed(const netreactor::Error& error);
    // `count` more messages of `flow` were echoed whole and matched.
    void echoed(Flow& flow, std::uint64_t count, std::uint64_t now_ns);
    // Gives up the oldest message in flight (UDP loss) and sends another.
    void lost(Flow& flow);
    // The `count` oldest messages in flight were lost: an echo of a later one came.
    void lost_before_echo(Flow& flow, std::uint64_t count) noexcept {
        result_.lost += count - flow.sent_in_warmup(count);
        flow.done += count;
    }
    void flow_failed(Flow& flow, const netreactor::Error& error);
    void flow_mismatch(Flow& flow);

    netreactor::Loop& loop_;
    const ClientOptions& options_;
    const Payload& payload_;
    LoadResult& result_;

private:
    enum class Phase { connecting, warming, running, draining, finished };

    void attach(std::vector<Flow*> flows);

    // Every connection attempt has ended: the warm-up, or the window, begins.
    void begin_load();
    void end_warmup();
    void begin_window();
    void end_window();
    // Stops sending and waits for the echoes in flight.
    void drain();
    void interrupt();
    void send_more(Flow& flow, std::uint64_t now_ns);
    std::uint64_t& sent_at(Flow& flow, std::uint64_t message) const noexcept {
        return flow.send_times[message & slot_mask_];
    }
    void retire(Flow& flow);
    void scan_for_overdue_replies();
    void expire_drain();
    void finish();

    std::vector<Flow*> flows_;
    std::unique_ptr<std::uint64_t[]> send_times_;
    std::uint64_t slot_mask_ = 0;
    std::size_t pending_opens_ = 0;
    std::size_t open_flows_ = 0;
    Phase phase_ = Phase::connecting;
    std::uint64_t warmup_start_ns_ = 0;
    std::uint64_t window_start_ns_ = 0;
    netreactor::Timer warmup_timer_;
    netreactor::Timer window_timer_;
    netreactor::Timer scan_timer_;
    netreactor::Timer drain_timer_;
};

std::unique_ptr<LoadRun> make_tcp_load(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload,
                                       LoadResult& result);
std::unique_ptr<LoadRun> make_udp_load(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload,
                                       LoadResult& result);

}  // namespace echo_client
