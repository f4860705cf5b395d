// Every lookup's life: its handle, its deadline, and the queue its callback
// is delivered from (resolver_impl.hpp has the states a lookup goes through).
#include "internal.hpp"
#include "loop_impl.hpp"
#include "resolver_impl.hpp"
#include "dns/dns_status.hpp"

namespace netreactor {

DnsLookup Resolver::Impl::start(DnsLookupState* state, std::chrono::milliseconds deadline) {
    state->impl = this;
    state->started_ns = monotonic_ns();
    state->next = live_head;
    if (live_head != nullptr) live_head->prev = state;
    live_head = state;
    live_count++;
    outstanding++;
    if (deadline.count() == 0) deadline = default_deadline;
    if (deadline.count() > 0) add_deadline(state, deadline);
    return DnsLookup(state);
}

void Resolver::Impl::add_deadline(DnsLookupState* state, std::chrono::milliseconds deadline) {
    state->deadline_ns = state->started_ns + static_cast<std::uint64_t>(deadline.count()) * 1000000ULL;
    state->has_deadline = true;
    if (deadline == default_deadline) {
        // Same duration, later start (the clock is monotonic): the latest deadline.
        state->in_deadline_queue = true;
        state->deadline_prev = deadline_queue_tail;
        if (deadline_queue_tail != nullptr) deadline_queue_tail->deadline_next = state;
        else deadline_queue_head = state;
        deadline_queue_tail = state;
    } else {
        state->deadline_at = deadlines.emplace(state->deadline_ns, state);
    }
    if (first_deadline() == state) rearm_deadline();
}

void Resolver::Impl::remove_deadline(DnsLookupState* state) {
    if (state->in_deadline_queue) {
        if (state->deadline_prev != nullptr) state->deadline_prev->deadline_next = state->deadline_next;
        else deadline_queue_head = state->deadline_next;
        if (state->deadline_next != nullptr) state->deadline_next->deadline_prev = state->deadline_prev;
        else deadline_queue_tail = state->deadline_prev;
        state->deadline_prev = state->deadline_next = nullptr;
        state->in_deadline_queue = false;
    } else {
        deadlines.erase(state->deadline_at);
    }
    state->has_deadline = false;
}

DnsLookupState* Resolver::Impl::first_deadline() const {
    DnsLookupState* queued_first = deadline_queue_head;
    DnsLookupState* mapped_first = deadlines.empty() ? nullptr : deadlines.begin()->second;
    if (queued_first == nullptr) return mapped_first;
    if (mapped_first == nullptr) return queued_first;
    return mapped_first->deadline_ns < queued_first->deadline_ns ? mapped_first : queued_first;
}

void Resolver::Impl::unlink(DnsLookupState* state) {
    if (!state->live) return;
    state->live = false;
    if (state->prev != nullptr) state->prev->next = state->next;
    else live_head = state->next;
    if (state->next != nullptr) state->next->prev = state->prev;
    state->prev = state->next = nullptr;
    live_count--;
    if (state->has_deadline) {
        remove_deadline(state);
        // The timer may stay armed for this lookup's deadline while others
        // wait for theirs (it is never later than the first one): firing
        // early only re-arms it, where re-arming at every answer cost ~200
        // instructions. With none left it stops: an armed timer keeps the
        // loop alive, never for lookups that ended.
        if (first_deadline() == nullptr) rearm_deadline();
    }
}

// The state has its result: queue its delivery.
void Resolver::Impl::complete(DnsLookupState* state) {
    unlink(state);
    state->queued = true;
    ready.push_back(state);
    if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&delivery)))
        uv_idle_start(&delivery, [](uv_idle_t* idle) { static_cast<Impl*>(idle->data)->flush(); });
}

void Resolver::Impl::maybe_free(DnsLookupState* state) {
    if (state->finished && !state->queued && !state->in_ares && !state->delivering) delete state;
}

// The handle let go (cancel or destruction): the callback never runs.
void Resolver::Impl::drop(DnsLookupState* state) {
    state->handle = nullptr;
    if (state->finished) return;
    state->finished = true;
    outstanding--;
    unlink(state);
    maybe_free(state);
    reap();
}

// With no lookup live, any query c-ares still retries is one nobody
// waits for: cancel them all (c-ares 1.18 cannot cancel just one).
void Resolver::Impl::reap() {
    if (destroyed || live_count > 0 || channel->pending == 0 || channel->busy()) return;
    channel->run([&] { ares_cancel(channel->get()); });
}

void Resolver::Impl::flush() {
    if (flushing || destroyed) return;
    flushing = true;
    while (!ready.empty() && !destroyed) {
        DnsLookupState* state = ready.front();
        ready.pop_front();
        state->queued = false;
        if (state->finished) {
            maybe_free(state);
            continue;
        }
        state->finished = true;
        outstanding--;
        state->release_handle();
        state->deliver();  // may destroy the Resolver: `this` stays allocated until its handles close
    }
    flushing = false;
    if (!destroyed && ready.empty()) uv_idle_stop(&delivery);
}

void Resolver::Impl::rearm_deadline() {
    if (destroyed) return;
    DnsLookupState* first = first_deadline();
    if (first == nullptr) {
        uv_timer_stop(&deadline_timer);
        return;
    }
    std::uint64_t now = monotonic_ns();
    std::uint64_t at = first->deadline_ns;
    std::uint64_t ms = at > now ? (at - now + 999999) / 1000000 : 0;
    uv_timer_start(&deadline_timer, [](uv_timer_t* t) { static_cast<Impl*>(t->data)->on_deadline(); }, ms, 0);
}

void Resolver::Impl::on_deadline() {
    std::uint64_t now = monotonic_ns();
    for (DnsLookupState* state; (state = first_deadline()) != nullptr && state->deadline_ns <= now + 500000;) {
        auto ms = (state->deadline_ns - state->started_ns) / 1000000;
        state->fail(DnsStatus::Timeout,
                    lookup_error(DnsStatus::Timeout, "no answer within the lookup's deadline (" + std::to_string(ms) + " ms)"));
        complete(state);
    }
    reap();
    rearm_deadline();
    flush();
}

void Resolver::Impl::on_tcp_failure(const char* code) {
    for (DnsLookupState* s = live_head; s != nullptr; s = s->next) s->note_tcp_failure(code);
}
void Resolver::Impl::after_process() {
    reap();
    flush();
}

void Resolver::Impl::shutdown() {
    destroyed = true;
    for (DnsLookupState* s = live_head; s != nullptr;) {
        DnsLookupState* next = s->next;
        s->live = false;
        s->prev = s->next = nullptr;
        s->has_deadline = false;
        s->in_deadline_queue = false;
        s->finished = true;
        s->release_handle();
        maybe_free(s);
        s = next;
    }
    live_head = nullptr;
    live_count = 0;
    deadlines.clear();
    deadline_queue_head = deadline_queue_tail = nullptr;
    for (DnsLookupState* s : ready) {
        s->queued = false;
        s->finished = true;
        s->release_handle();
        maybe_free(s);
    }
    ready.clear();
    outstanding = 0;
    channel->set_observer(nullptr);
    channel->destroy();  // c-ares lets go of every query: their states are freed
    auto closed = [](uv_handle_t* h) {
        auto* self = static_cast<Impl*>(h->data);
        if (--self->open_handles == 0) delete self;
    };
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline_timer), closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&delivery), closed);
}

// --- DnsLookup ---

DnsLookup::DnsLookup(DnsLookupState* state) noexcept : state_(state) { state_->handle = this; }

DnsLookup::~DnsLookup() { cancel(); }

DnsLookup::DnsLookup(DnsLookup&& other) noexcept : state_(other.state_) {
    other.state_ = nullptr;
    if (state_ != nullptr) state_->handle = this;
}

DnsLookup& DnsLookup::operator=(DnsLookup&& other) noexcept {
    if (this != &other) {
        cancel();
        state_ = other.state_;
        other.state_ = nullptr;
        if (state_ != nullptr) state_->handle = this;
    }
    return *this;
}

void DnsLookup::cancel() noexcept {
    if (state_ == nullptr) return;
    DnsLookupState* state = state_;
    state_ = nullptr;
    state->impl->drop(state);
}

void DnsLookup::detach() noexcept {
    if (state_ == nullptr) return;
    state_->handle = nullptr;
    state_ = nullptr;
}

}  // namespace netreactor
