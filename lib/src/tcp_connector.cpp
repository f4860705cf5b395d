#include "netreactor/tcp_connector.hpp"

#include <algorithm>
#include <deque>

#include "connect/dual_stack_lookup.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "internal.hpp"

namespace netreactor {

namespace {

double ms_since(std::uint64_t from_ns) { return static_cast<double>(monotonic_ns() - from_ns) / 1e6; }

}  // namespace

const ConnectAttemptReport* ConnectOutcome::winner() const noexcept {
    if (!connection) return nullptr;
    for (const auto& a : attempts)
        if (!a.error) return &a;
    return nullptr;
}

namespace {

// One connect(): the lookup, the attempts and their timers. The connection
// handler of every attempt until the outcome is delivered.
class Race final : public ConnectionHandler {
public:
    Race(Loop& loop, const ConnectOptions& options, std::string_view host, std::uint16_t port,
         ConnectionHandler& user_handler, TcpConnector::Callback done)
        : loop_(loop), options_(options), user_handler_(user_handler), done_(std::move(done)), attempt_timer_(loop),
          resolution_timer_(loop), deadline_timer_(loop), deliver_timer_(loop), started_ns_(monotonic_ns()) {
        outcome_.host = std::string(host);
        outcome_.port = port;
        if (options_.deadline.count() > 0) deadline_timer_.start(options_.deadline, [this] { on_deadline(); });
        lookup_ = std::make_unique<DualStackLookup>(loop, host, port, options_.family, options_.resolver,
                                                    [this](DualStackLookup::Answer a) { on_answer(std::move(a)); });
    }

private:
    struct Attempt {
        std::unique_ptr<TcpConnection> conn;
        std::size_t report;  // index in outcome_.attempts
        std::uint64_t started_ns;
    };

    // ---- addresses ----------------------------------------------------------

    void on_answer(DualStackLookup::Answer answer) {
        if (finished_) return;
        in_lookup_callback_ = true;
        handle_answer(std::move(answer));
        in_lookup_callback_ = false;
    }

    void handle_answer(DualStackLookup::Answer answer) {
        pending_v6_.insert(pending_v6_.end(), answer.v6.begin(), answer.v6.end());
        pending_v4_.insert(pending_v4_.end(), answer.v4.begin(), answer.v4.end());
        if (answer.complete) {
            lookup_complete_ = true;
            // Not destroyed here: we are inside its callback; finish() does it later.
        }
        if (answer.error && outcome_.attempts.empty()) {
            fail(*answer.error);
            return;
        }
        if (outcome_.attempts.empty()) {
            // RFC 8305 section 3: IPv4 first and AAAA still pending: give AAAA
            // the resolution delay before connecting over IPv4.
            if (!lookup_complete_ && pending_v6_.empty()) {
                if (!pending_v4_.empty() && !resolution_timer_.active())
                    resolution_timer_.start(options_.resolution_delay, [this] { start_next_attempt(); });
                return;
            }
            resolution_timer_.stop();
            start_next_attempt();
            return;
        }
        // Attempts are running: new addresses join the queue. If the attempt
        // delay already passed with nothing to start, start one now.
        if (!attempt_timer_.active()) start_next_attempt();
        if (!finished_) fail_if_exhausted();
    }

    // ---- attempts -------------------------------------------------------------

    void start_next_attempt() {
        if (finished_) return;
        // RFC 8305 section 4: alternate the families, IPv6 first.
        std::deque<SocketAddress>* from = nullptr;
        if (next_v6_ && !pending_v6_.empty()) from = &pending_v6_;
        else if (!pending_v4_.empty()) from = &pending_v4_;
        else if (!pending_v6_.empty()) from = &pending_v6_;
        if (from == nullptr) return;  // wait for the other family, or for the attempts running
        SocketAddress address = from->front();
        from->pop_front();
        next_v6_ = !address.is_ipv6();
        if (!outcome_.first_attempt_ms) outcome_.first_attempt_ms = ms_since(started_ns_);
        outcome_.attempts.push_back({address, std::nullopt, ms_since(started_ns_), 0});
        outcome_.addresses.push_back(address);
        // The connection reports its outcome from the loop, even a failure to start.
        attempts_.push_back({TcpConnection::connect(loop_, address, options_.attempt_timeout, *this),
                             outcome_.attempts.size() - 1, monotonic_ns()});
        attempt_timer_.start(options_.attempt_delay, [this] { start_next_attempt(); });
    }

    Attempt* find(const TcpConnection& conn) {
        for (auto& a : attempts_)
            if (a.conn.get() == &conn) return &a;
        return nullptr;
    }

    // Records how `attempt` ended: `error`, or won when null.
    void end_attempt(Attempt& attempt, const Error* error) {
        auto& report = outcome_.attempts[attempt.report];
        if (error != nullptr) report.error = *error;
        report.elapsed_ms = ms_since(attempt.started_ns);
    }

    void on_connected(TcpConnection& conn) override {
        Attempt* winner = find(conn);
        if (finished_ || winner == nullptr) return;
        end_attempt(*winner, nullptr);
        conn.pause_reading();  // until the user's handler takes over
        outcome_.connection = std::move(winner->conn);
        winner_ = outcome_.connection.get();
        winner_report_ = winner->report;
        finish(std::nullopt);
    }

    void on_closed(TcpConnection& conn, const Error* error) override {
        if (&conn == winner_) {
            // Lost between winning and delivery (one loop turn): say so.
            Error why = error ? *error : Error("ECONNRESET", "closed before it was handed over", "connect");
            outcome_.attempts[winner_report_].error = why;
            outcome_.error = why;
            winner_ = nullptr;
            outcome_.connection.reset();  // allowed inside its own callback
            return;
        }
        Attempt* attempt = find(conn);
        if (finished_ || attempt == nullptr) return;
        const Error reset("ECONNRESET", "closed while connecting", "connect");
        end_attempt(*attempt, error != nullptr ? error : &reset);
        last_failure_ = attempt->report;
        attempts_.erase(attempts_.begin() + (attempt - attempts_.data()));  // destroys `conn`: allowed here
        // A failed attempt does not wait for the attempt delay (RFC 8305 section 5).
        attempt_timer_.stop();
        start_next_attempt();
        if (!finished_) fail_if_exhausted();
    }

    void on_data(TcpConnection&, std::span<const char>) override {}  // reading is paused at once
    void on_eof(TcpConnection&) override {}

    // Every address tried, none running, nothing more to come: the last
    // failure speaks for all (each is listed in the message and the report).
    void fail_if_exhausted() {
        if (!attempts_.empty() || !pending_v6_.empty() || !pending_v4_.empty() || !lookup_complete_) return;
        if (outcome_.attempts.empty()) return;  // the lookup's own error was reported
        const Error& last = *outcome_.attempts[last_failure_].error;
        if (outcome_.attempts.size() == 1) {
            fail(last);
            return;
        }
        std::string message = "no address of " + outcome_.host + " accepted a connection:";
        for (const auto& a : outcome_.attempts)
            message += " " + a.address.to_string() + " " + a.error->message() + " (" + a.error->code() + ");";
        message.pop_back();
        fail(Error(last.code(), message, "connect"));
    }

    void on_deadline() {
        if (finished_) return;
        const Error late("ETIMEDOUT", "still connecting when the deadline passed", "connect");
        for (auto& a : attempts_) end_attempt(a, &late);
        std::string ms = std::to_string(options_.deadline.count());
        bool resolving = outcome_.attempts.empty();
        fail(Error("ETIMEDOUT",
                   resolving ? "no address for " + outcome_.host + " within the " + ms + " ms deadline"
                             : "no connection to " + outcome_.host + " within the " + ms + " ms deadline",
                   resolving ? "resolve" : "connect"));
    }

    // ---- outcome --------------------------------------------------------------

    void fail(Error error) { finish(std::move(error)); }

    void finish(std::optional<Error> error) {
        finished_ = true;
        outcome_.error = std::move(error);
        const Error canceled("ECANCELED", "canceled: another address connected first", "connect");
        for (auto& a : attempts_) {
            if (a.conn && !outcome_.attempts[a.report].error) end_attempt(a, &canceled);
        }
        attempts_.clear();  // closes the losers; may run inside one's callback, which is allowed
        attempt_timer_.stop();
        resolution_timer_.stop();
        deadline_timer_.stop();
        for (const auto* queue : {&pending_v6_, &pending_v4_})
            outcome_.addresses.insert(outcome_.addresses.end(), queue->begin(), queue->end());
        // Never inside connect() (the lookup answers from the loop at the
        // earliest). From inside the lookup's own callback, deliver on the
        // next loop turn, so that the lookup is not destroyed under itself;
        // from anywhere else (a connection's or a timer's callback) at once,
        // touching nothing afterwards.
        if (in_lookup_callback_) {
            deliver_timer_.start(std::chrono::milliseconds(0), [this] { deliver(); });
        } else {
            deliver();
        }
    }

    void deliver() {
        lookup_.reset();
        outcome_.elapsed_ms = ms_since(started_ns_);
        // The user's handler from now on, reading again (paused at the win).
        if (outcome_.connection) outcome_.connection->start(user_handler_);
        winner_ = nullptr;
        auto done = std::move(done_);
        auto outcome = std::move(outcome_);
        auto forget = std::move(on_delivered);
        forget();  // the owner destroys this race: touch nothing after
        done(std::move(outcome));
    }

public:
    std::function<void()> on_delivered;

private:
    Loop& loop_;
    const ConnectOptions& options_;
    ConnectionHandler& user_handler_;
    TcpConnector::Callback done_;
    Timer attempt_timer_;
    Timer resolution_timer_;
    Timer deadline_timer_;
    Timer deliver_timer_;
    std::uint64_t started_ns_;
    std::unique_ptr<DualStackLookup> lookup_;
    std::deque<SocketAddress> pending_v6_, pending_v4_;
    std::vector<Attempt> attempts_;
    bool next_v6_ = true;
    bool lookup_complete_ = false;
    bool finished_ = false;
    bool in_lookup_callback_ = false;
    std::size_t last_failure_ = 0;
    TcpConnection* winner_ = nullptr;
    std::size_t winner_report_ = 0;
    ConnectOutcome outcome_;
};

}  // namespace

struct NETREACTOR_INTERNAL TcpConnector::Impl {
    Loop& loop;
    ConnectOptions options;
    std::unique_ptr<Race> race;
};

TcpConnector::TcpConnector(Loop& loop, ConnectOptions options) : impl_(new Impl{loop, std::move(options), nullptr}) {}

TcpConnector::~TcpConnector() = default;

void TcpConnector::connect(std::string_view host, std::uint16_t port, ConnectionHandler& handler, Callback done) {
    cancel();
    impl_->race = std::make_unique<Race>(impl_->loop, impl_->options, host, port, handler, std::move(done));
    // The race ends inside its own delivery timer's callback; destroying a
    // Timer there is allowed, and the callback copied what it needs first.
    impl_->race->on_delivered = [impl = impl_.get()] { impl->race.reset(); };
}

void TcpConnector::cancel() { impl_->race.reset(); }

bool TcpConnector::active() const noexcept { return impl_->race != nullptr; }

const ConnectOptions& TcpConnector::options() const noexcept { return impl_->options; }

}  // namespace netreactor
