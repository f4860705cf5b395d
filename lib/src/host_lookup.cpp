#include "netreactor/host_lookup.hpp"

#include "connect/dual_stack_lookup.hpp"
#include "connect/host_rules.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "internal.hpp"

namespace netreactor {

struct NETREACTOR_INTERNAL HostLookup::Impl {
    Loop& loop;
    HostLookupOptions options;
    // One start() in progress: the lookups, what they found, the deadline.
    std::unique_ptr<DualStackLookup> lookup;
    std::vector<SocketAddress> v6, v4;
    HostAddresses result;
    std::uint64_t started_ns = 0;
    Callback done;
    Timer deadline;
    Timer deliver_timer;

    explicit Impl(Loop& l, HostLookupOptions o) : loop(l), options(std::move(o)), deadline(l), deliver_timer(l) {}

    void reset() {
        lookup.reset();
        deadline.stop();
        deliver_timer.stop();
        v6.clear();
        v4.clear();
        done = nullptr;
    }

    void finish(std::optional<Error> error) {
        deadline.stop();
        result.error = std::move(error);
        if (!result.error) result.addresses = connect_rules::interleave(v6, v4);
        // From the loop, so the lookup is not destroyed inside its own callback.
        deliver_timer.start(std::chrono::milliseconds(0), [this] {
            lookup.reset();
            result.elapsed_ms = static_cast<double>(monotonic_ns() - started_ns) / 1e6;
            auto callback = std::move(done);
            auto value = std::move(result);
            reset();
            callback(std::move(value));  // may destroy the HostLookup: touch nothing after
        });
    }
};

HostLookup::HostLookup(Loop& loop, HostLookupOptions options) : impl_(new Impl(loop, std::move(options))) {}

HostLookup::~HostLookup() = default;

void HostLookup::start(std::string_view host, std::uint16_t port, Callback done) {
    cancel();
    Impl& s = *impl_;
    s.result = HostAddresses{std::string(host), {}, std::nullopt, 0};
    s.started_ns = monotonic_ns();
    s.done = std::move(done);
    s.lookup = std::make_unique<DualStackLookup>(
        s.loop, host, port, s.options.family, s.options.resolver, [&s](DualStackLookup::Answer answer) {
            s.v6.insert(s.v6.end(), answer.v6.begin(), answer.v6.end());
            s.v4.insert(s.v4.end(), answer.v4.begin(), answer.v4.end());
            if (answer.complete) s.finish(std::move(answer.error));
        });
    if (s.options.deadline.count() > 0) {
        s.deadline.start(s.options.deadline, [&s] {
            s.lookup.reset();  // a timer callback, not the lookup's: fine to end it here
            s.finish(Error("ETIMEDOUT",
                           "no answer for " + s.result.host + " within the " +
                               std::to_string(s.options.deadline.count()) + " ms deadline",
                           "resolve"));
        });
    }
}

void HostLookup::cancel() { impl_->reset(); }

bool HostLookup::active() const noexcept { return impl_->done != nullptr; }

}  // namespace netreactor
