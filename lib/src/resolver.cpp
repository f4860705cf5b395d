// The Resolver: lookups as objects with a handle, a deadline and a delivery
// queue, on top of one c-ares channel.
//
// Every lookup is a DnsLookupState. It is "live" until it has a result, then
// "queued" until its callback runs from the loop (never inside the call that
// started it, nor inside c-ares), then "finished". Its memory is freed once it
// is finished and c-ares no longer holds it (c-ares 1.18 cannot drop a single
// query: a lookup that ended early, by its deadline, its handle or a
// malformed answer, stays allocated until c-ares lets it go).
#include "netreactor/resolver.hpp"

#include <cctype>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <unordered_map>

#include "dns/ares_channel.hpp"
#include "dns/dns_wire.hpp"
#include "dns/hosts_file.hpp"
#include "loop_impl.hpp"
#include "internal.hpp"

namespace netreactor {

std::string_view to_string(DnsStatus status) noexcept {
    switch (status) {
        case DnsStatus::NoError: return "NOERROR";
        case DnsStatus::NoData: return "NODATA";
        case DnsStatus::NxDomain: return "NXDOMAIN";
        case DnsStatus::FormErr: return "FORMERR";
        case DnsStatus::ServFail: return "SERVFAIL";
        case DnsStatus::NotImp: return "NOTIMP";
        case DnsStatus::Refused: return "REFUSED";
        case DnsStatus::YxDomain: return "YXDOMAIN";
        case DnsStatus::YxRrset: return "YXRRSET";
        case DnsStatus::NxRrset: return "NXRRSET";
        case DnsStatus::NotAuth: return "NOTAUTH";
        case DnsStatus::NotZone: return "NOTZONE";
        case DnsStatus::OtherRcode: return "RCODE";
        case DnsStatus::CnameLoop: return "CNAME_LOOP";
        case DnsStatus::Timeout: return "TIMEOUT";
        case DnsStatus::NoServer: return "NOSERVER";
        case DnsStatus::Truncated: return "TRUNCATED";
        case DnsStatus::BadName: return "BADNAME";
        case DnsStatus::BadResp: return "BADRESP";
        case DnsStatus::Canceled: return "CANCELED";
        case DnsStatus::NoMemory: return "ENOMEM";
        case DnsStatus::Failed: return "EDNS";
    }
    return "EDNS";
}

std::string_view error_code(DnsStatus status) noexcept {
    switch (status) {
        case DnsStatus::NoError: return "";
        case DnsStatus::Timeout: return "ETIMEDOUT";
        case DnsStatus::NoServer: return "ENOSERVER";
        case DnsStatus::Canceled: return "ECANCELED";
        case DnsStatus::Truncated: return "EOF";
        default: return to_string(status);
    }
}

DnsStatus status_from_rcode(int rcode) noexcept {
    switch (rcode) {
        case 0: return DnsStatus::NoError;
        case 1: return DnsStatus::FormErr;
        case 2: return DnsStatus::ServFail;
        case 3: return DnsStatus::NxDomain;
        case 4: return DnsStatus::NotImp;
        case 5: return DnsStatus::Refused;
        case 6: return DnsStatus::YxDomain;
        case 7: return DnsStatus::YxRrset;
        case 8: return DnsStatus::NxRrset;
        case 9: return DnsStatus::NotAuth;
        case 10: return DnsStatus::NotZone;
        default: return DnsStatus::OtherRcode;
    }
}

namespace {

Error lookup_error(DnsStatus status, std::string message, std::string_view code = {}) {
    return Error(std::string(code.empty() ? error_code(status) : code), std::move(message), "resolve");
}

// The status of a c-ares failure (no answer to decode).
DnsStatus status_from_ares(int ares_status) {
    switch (ares_status) {
        case ARES_SUCCESS: return DnsStatus::NoError;
        case ARES_ENODATA: return DnsStatus::NoData;
        case ARES_ENOTFOUND:
        case ARES_ENONAME: return DnsStatus::NxDomain;
        case ARES_EFORMERR: return DnsStatus::FormErr;
        case ARES_ESERVFAIL: return DnsStatus::ServFail;
        case ARES_ENOTIMP: return DnsStatus::NotImp;
        case ARES_EREFUSED: return DnsStatus::Refused;
        case ARES_ETIMEOUT: return DnsStatus::Timeout;
        case ARES_ECONNREFUSED: return DnsStatus::NoServer;
        case ARES_EBADNAME: return DnsStatus::BadName;
        case ARES_EBADRESP: return DnsStatus::BadResp;
        case ARES_ECANCELLED:
        case ARES_EDESTRUCTION: return DnsStatus::Canceled;
        case ARES_ENOMEM: return DnsStatus::NoMemory;
        default: return DnsStatus::Failed;
    }
}

std::string ares_failure_message(DnsStatus status, int ares_status) {
    switch (status) {
        case DnsStatus::Timeout: return "no answer from the DNS server in time";
        case DnsStatus::NoServer: return "no DNS server could be contacted (each one refused or failed)";
        case DnsStatus::Canceled: return "lookup canceled";
        default: return ares_strerror(ares_status);
    }
}

}  // namespace

// One lookup, whatever its kind.
struct DnsLookupState {
    Resolver::Impl* impl = nullptr;
    DnsLookup* handle = nullptr;
    DnsLookupState* prev = nullptr;  // the live list
    DnsLookupState* next = nullptr;
    bool live = true;       // no result yet
    bool queued = false;    // in the delivery queue
    bool finished = false;  // delivered, or dropped: the callback never runs again
    bool in_ares = false;   // c-ares holds a pointer to this state
    bool has_deadline = false;
    std::multimap<std::uint64_t, DnsLookupState*>::iterator deadline_at;
    std::uint64_t started_ns = 0;

    virtual ~DnsLookupState() = default;
    // Sets a failure as the result (a deadline, cancel_all()).
    virtual void fail(DnsStatus status, Error error) = 0;
    // Runs the callback with the result; may free this state first.
    virtual void deliver() = 0;
    virtual void note_tcp_failure(const char*) {}
    // The handle, if any, no longer refers to this state.
    void release_handle() noexcept {
        if (handle != nullptr) handle->state_ = nullptr;
        handle = nullptr;
    }
};

struct NETREACTOR_INTERNAL Resolver::Impl : AresChannel::Observer {
    uv_loop_t* loop = nullptr;
    AresChannel* channel = nullptr;
    std::vector<std::string> servers;
    bool use_hosts_file = true;
    std::chrono::milliseconds default_deadline{0};
    std::unique_ptr<HostsFile> hosts;  // loaded on first use

    DnsLookupState* live_head = nullptr;
    std::size_t live_count = 0;
    std::deque<DnsLookupState*> ready;
    std::size_t outstanding = 0;  // started, neither delivered nor dropped
    std::multimap<std::uint64_t, DnsLookupState*> deadlines;
    std::unordered_map<std::uint16_t, DnsLookupState*> by_id;  // queries c-ares holds, by DNS ID
    std::mt19937 random{std::random_device{}()};

    uv_timer_t deadline_timer{};
    uv_idle_t delivery{};
    int open_handles = 0;
    bool destroyed = false;
    bool flushing = false;

    DnsLookup start(DnsLookupState* state, std::chrono::milliseconds deadline) {
        state->impl = this;
        state->started_ns = monotonic_ns();
        state->next = live_head;
        if (live_head != nullptr) live_head->prev = state;
        live_head = state;
        live_count++;
        outstanding++;
        if (deadline.count() == 0) deadline = default_deadline;
        if (deadline.count() > 0) {
            auto at = state->started_ns + static_cast<std::uint64_t>(deadline.count()) * 1000000ULL;
            state->deadline_at = deadlines.emplace(at, state);
            state->has_deadline = true;
            if (state->deadline_at == deadlines.begin()) rearm_deadline();
        }
        return DnsLookup(state);
    }

    void unlink(DnsLookupState* state) {
        if (!state->live) return;
        state->live = false;
        if (state->prev != nullptr) state->prev->next = state->next;
        else live_head = state->next;
        if (state->next != nullptr) state->next->prev = state->prev;
        state->prev = state->next = nullptr;
        live_count--;
        if (state->has_deadline) {
            bool first = state->deadline_at == deadlines.begin();
            deadlines.erase(state->deadline_at);
            state->has_deadline = false;
            // An armed timer keeps the loop alive: never for a lookup that ended.
            if (first) rearm_deadline();
        }
    }

    // The state has its result: queue its delivery.
    void complete(DnsLookupState* state) {
        unlink(state);
        state->queued = true;
        ready.push_back(state);
        if (!uv_is_active(reinterpret_cast<uv_handle_t*>(&delivery)))
            uv_idle_start(&delivery, [](uv_idle_t* idle) { static_cast<Impl*>(idle->data)->flush(); });
    }

    static void maybe_free(DnsLookupState* state) {
        if (state->finished && !state->queued && !state->in_ares) delete state;
    }

    // The handle let go (cancel or destruction): the callback never runs.
    void drop(DnsLookupState* state) {
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
    void reap() {
        if (destroyed || live_count > 0 || channel->pending == 0 || channel->busy()) return;
        channel->run([&] { ares_cancel(channel->get()); });
    }

    void flush() {
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

    void rearm_deadline() {
        if (destroyed) return;
        if (deadlines.empty()) {
            uv_timer_stop(&deadline_timer);
            return;
        }
        std::uint64_t now = monotonic_ns();
        std::uint64_t at = deadlines.begin()->first;
        std::uint64_t ms = at > now ? (at - now + 999999) / 1000000 : 0;
        uv_timer_start(&deadline_timer, [](uv_timer_t* t) { static_cast<Impl*>(t->data)->on_deadline(); }, ms, 0);
    }

    void on_deadline() {
        std::uint64_t now = monotonic_ns();
        while (!deadlines.empty() && deadlines.begin()->first <= now + 500000) {
            DnsLookupState* state = deadlines.begin()->second;
            auto ms = (deadlines.begin()->first - state->started_ns) / 1000000;
            state->fail(DnsStatus::Timeout,
                        lookup_error(DnsStatus::Timeout, "no answer within the lookup's deadline (" + std::to_string(ms) + " ms)"));
            complete(state);
        }
        reap();
        rearm_deadline();
        flush();
    }

    // AresChannel::Observer
    void on_datagram(const std::uint8_t* data, std::size_t size) override;
    void on_tcp_failure(const char* code) override {
        for (DnsLookupState* s = live_head; s != nullptr; s = s->next) s->note_tcp_failure(code);
    }
    void after_process() override {
        reap();
        flush();
    }

    // A DNS ID no query of this channel holds (IDs must be unique in flight).
    std::optional<std::uint16_t> free_id() {
        if (by_id.size() >= 65536) return std::nullopt;
        for (;;) {
            auto id = static_cast<std::uint16_t>(random() & 0xffff);
            if (!by_id.contains(id)) return id;
        }
    }

    void shutdown() {
        destroyed = true;
        for (DnsLookupState* s = live_head; s != nullptr;) {
            DnsLookupState* next = s->next;
            s->live = false;
            s->prev = s->next = nullptr;
            s->has_deadline = false;
            s->finished = true;
            s->release_handle();
            maybe_free(s);
            s = next;
        }
        live_head = nullptr;
        live_count = 0;
        deadlines.clear();
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
};

namespace {

// query() and reverse().
struct QueryState final : DnsLookupState {
    Resolver::QueryCallback callback;
    DnsQueryResult result;
    std::uint16_t id = 0;
    bool truncated = false;           // a UDP answer with TC came: c-ares asks again over TCP
    const char* tcp_failure = nullptr;  // what that TCP connection met
    // The decoded datagram, kept between the socket hook and c-ares' callback
    // (same buffer, same processing round) so an answer is parsed once.
    const std::uint8_t* parsed_bytes = nullptr;
    std::size_t parsed_size = 0;
    DnsParseResult parsed;

    void fail(DnsStatus status, Error error) override {
        result.status = status;
        result.error = std::move(error);
        result.tcp = truncated;
        result.rtt_ms = static_cast<double>(monotonic_ns() - started_ns) / 1e6;
    }
    void deliver() override {
        auto cb = std::move(callback);
        auto value = std::move(result);
        Resolver::Impl::maybe_free(this);
        cb(std::move(value));
    }
    void note_tcp_failure(const char* code) override {
        if (truncated) tcp_failure = code;
    }

    // The status of the question from c-ares' status and the answer.
    void classify(int ares_status, const unsigned char* abuf, int alen) {
        DnsQueryResult& r = result;
        if (abuf == nullptr || alen <= 0) {
            DnsStatus status = status_from_ares(ares_status == ARES_SUCCESS ? ARES_EBADRESP : ares_status);
            if (truncated && (status == DnsStatus::NoServer || status == DnsStatus::Timeout)) {
                std::string what = tcp_failure == nullptr ? std::string(status == DnsStatus::Timeout ? "ETIMEDOUT" : "ECONNREFUSED")
                                                          : std::string(tcp_failure);
                std::string why = what == "EOF"          ? "the server closed the connection without answering"
                                  : what == "ECONNRESET" ? "the server closed (reset) the connection without answering"
                                                         : "the TCP connection failed (" + what + ")";
                return fail(DnsStatus::Truncated,
                            lookup_error(DnsStatus::Truncated, "the UDP answer was truncated and the retry over TCP failed: " + why, what));
            }
            return fail(status, lookup_error(status, ares_failure_message(status, ares_status)));
        }
        DnsParseResult fresh;
        DnsParseResult* p = &parsed;
        if (parsed_bytes != abuf || parsed_size != static_cast<std::size_t>(alen)) {
            fresh = parse_dns_message({abuf, static_cast<std::size_t>(alen)});
            p = &fresh;
        }
        parsed_bytes = nullptr;
        if (!p->message) return fail(DnsStatus::BadResp, lookup_error(DnsStatus::BadResp, p->error->message()));
        r.message = std::move(p->message);
        const DnsMessage& m = *r.message;
        if (m.rcode != 0) {
            DnsStatus status = status_from_rcode(m.rcode);
            std::string name = dns_rcode_name(m.rcode);
            return fail(status, lookup_error(status, "the DNS server answered " + name, status == DnsStatus::OtherRcode ? name : ""));
        }
        for (const auto& record : m.answers) {
            if (record.type == r.type || (r.type == static_cast<std::uint16_t>(DnsType::ANY) && dns_names_equal(record.name, r.name))) {
                r.status = DnsStatus::NoError;
                r.error.reset();
                r.tcp = r.tcp || truncated;
                r.rtt_ms = static_cast<double>(monotonic_ns() - started_ns) / 1e6;
                return;
            }
        }
        if (follow_cnames(m.answers, r.name).loop)
            return fail(DnsStatus::CnameLoop, lookup_error(DnsStatus::CnameLoop, "the CNAME chain loops"));
        fail(DnsStatus::NoData, lookup_error(DnsStatus::NoData, "no " + dns_type_name(r.type) + " record for this name"));
    }
};

void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    auto* state = static_cast<QueryState*>(arg);
    Resolver::Impl* impl = state->impl;
    state->in_ares = false;
    impl->channel->pending--;
    if (auto it = impl->by_id.find(state->id); it != impl->by_id.end() && it->second == state) impl->by_id.erase(it);
    if (!state->live || impl->destroyed) {
        Resolver::Impl::maybe_free(state);
        return;
    }
    if (abuf != nullptr) {
        auto source = impl->channel->answer_source();
        // The cached parse is of the last UDP datagram with this ID, read in
        // this round; an answer over TCP never went through it.
        if (source.tcp) state->parsed_bytes = nullptr;
        state->result.tcp = source.tcp;
        if (!source.server.empty()) state->result.server = std::move(source.server);
    }
    state->classify(status, abuf, alen);
    impl->complete(state);
}

// lookup_addresses().
struct AddressState final : DnsLookupState {
    Resolver::AddressCallback callback;
    AddressLookup result;
    std::uint16_t port = 0;

    void fail(DnsStatus status, Error error) override {
        result.addresses.clear();
        result.status = status;
        result.error = std::move(error);
    }
    void deliver() override {
        auto cb = std::move(callback);
        auto value = std::move(result);
        Resolver::Impl::maybe_free(this);
        cb(std::move(value));
    }
};

void on_addrinfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* info) {
    auto* state = static_cast<AddressState*>(arg);
    Resolver::Impl* impl = state->impl;
    state->in_ares = false;
    impl->channel->pending--;
    if (!state->live || impl->destroyed) {
        if (info != nullptr) ares_freeaddrinfo(info);
        Resolver::Impl::maybe_free(state);
        return;
    }
    AddressLookup& result = state->result;
    if (status == ARES_SUCCESS && info != nullptr) {
        for (auto* cname = info->cnames; cname != nullptr; cname = cname->next) {
            if (cname->alias != nullptr) result.cname_chain.emplace_back(cname->alias);
        }
        for (auto* node = info->nodes; node != nullptr; node = node->ai_next) {
            SocketAddress address(node->ai_addr);
            if (address.empty()) continue;
            address.set_port(state->port);
            bool seen = false;
            for (const auto& a : result.addresses) seen = seen || a == address;
            if (!seen) result.addresses.push_back(address);
        }
    }
    if (info != nullptr) ares_freeaddrinfo(info);
    if (result.addresses.empty()) {
        int effective = status == ARES_SUCCESS ? ARES_ENODATA : status;
        DnsStatus s = status_from_ares(effective);
        std::string_view code = effective == ARES_EBADFAMILY ? "EAFNOSUPPORT" : std::string_view{};
        std::string message = s == DnsStatus::NoData ? "the name has no address of the family asked"
                                                     : ares_failure_message(s, effective);
        state->fail(s, lookup_error(s, message, code));
    }
    impl->complete(state);
}

}  // namespace

void Resolver::Impl::on_datagram(const std::uint8_t* data, std::size_t size) {
    if (size < 12 || (data[2] & 0x80) == 0) return;  // not a response
    auto id = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    auto it = by_id.find(id);
    if (it == by_id.end() || !it->second->live) return;
    auto* state = static_cast<QueryState*>(it->second);
    if (data[2] & 0x02) {
        state->truncated = true;  // c-ares asks again over TCP
        return;
    }
    state->parsed = parse_dns_message({data, size});
    if (state->parsed.message) {
        // c-ares checks the question and hands the same bytes to on_answer.
        state->parsed_bytes = data;
        state->parsed_size = size;
        return;
    }
    // The right ID but a body nobody can decode: c-ares would drop it and
    // wait for the whole schedule of tries. Say so now.
    auto source = channel->answer_source();
    if (!source.server.empty()) state->result.server = std::move(source.server);
    state->fail(DnsStatus::BadResp, lookup_error(DnsStatus::BadResp, state->parsed.error->message()));
    state->parsed = {};
    complete(state);
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

// --- Resolver ---

Resolver::Resolver(Loop& loop, const ResolverOptions& options) : impl_(new Impl) {
    impl_->loop = uv_loop_of(loop);
    impl_->use_hosts_file = options.use_hosts_file;
    impl_->default_deadline = options.deadline;
    try {
        impl_->channel = new AresChannel(impl_->loop, options);
    } catch (...) {
        delete impl_;
        throw;
    }
    impl_->channel->set_observer(impl_);
    uv_timer_init(impl_->loop, &impl_->deadline_timer);
    impl_->deadline_timer.data = impl_;
    uv_idle_init(impl_->loop, &impl_->delivery);
    impl_->delivery.data = impl_;
    impl_->open_handles = 2;
    ares_addr_port_node* list = nullptr;
    if (ares_get_servers_ports(impl_->channel->get(), &list) == ARES_SUCCESS) {
        for (auto* node = list; node != nullptr; node = node->next) {
            sockaddr_storage ss{};
            if (node->family == AF_INET) {
                auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
                sin->sin_family = AF_INET;
                std::memcpy(&sin->sin_addr, &node->addr.addr4, sizeof sin->sin_addr);
                sin->sin_port = htons(static_cast<std::uint16_t>(node->udp_port ? node->udp_port : 53));
            } else if (node->family == AF_INET6) {
                auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
                sin6->sin6_family = AF_INET6;
                std::memcpy(&sin6->sin6_addr, &node->addr.addr6, sizeof sin6->sin6_addr);
                sin6->sin6_port = htons(static_cast<std::uint16_t>(node->udp_port ? node->udp_port : 53));
            }
            impl_->servers.push_back(SocketAddress(reinterpret_cast<sockaddr*>(&ss)).to_string());
        }
        ares_free_data(list);
    }
}

Resolver::~Resolver() { impl_->shutdown(); }

namespace {

bool is_localhost(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    constexpr std::string_view kLocalhost = "localhost";
    if (name.size() != kLocalhost.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(name[i])) != kLocalhost[i]) return false;
    }
    return true;
}

}  // namespace

DnsLookup Resolver::lookup_addresses(std::string_view name, int family, std::uint16_t port, AddressCallback callback,
                                     std::chrono::milliseconds deadline) {
    auto* state = new AddressState;
    state->callback = std::move(callback);
    state->port = port;
    state->result.name = std::string(name);
    DnsLookup handle = impl_->start(state, deadline);
    if (std::memchr(name.data(), '\0', name.size()) != nullptr) {
        // c-ares reads a C string: it would ask another name.
        state->fail(DnsStatus::BadName, lookup_error(DnsStatus::BadName, "invalid domain name: contains a NUL byte"));
        impl_->complete(state);
        return handle;
    }
    if (family == AF_INET6 && impl_->use_hosts_file && is_localhost(name)) {
        // The answer is ::1 whether the hosts file has it or c-ares makes it
        // up (RFC 6761), but c-ares 1.18.1 leaks the copy of the name when it
        // makes it up (found by LeakSanitizer in nr-fetch -6 --host localhost).
        state->result.addresses.push_back(*SocketAddress::parse("::1", port));
        impl_->complete(state);
        return handle;
    }
    ares_addrinfo_hints hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
    AresChannel* channel = impl_->channel;
    state->in_ares = true;
    channel->pending++;
    std::string node(name);
    channel->submit([&] { ares_getaddrinfo(channel->get(), node.c_str(), nullptr, &hints, on_addrinfo, state); });
    return handle;
}

DnsLookup Resolver::query(std::string_view name, std::uint16_t type, QueryCallback callback,
                          std::chrono::milliseconds deadline) {
    auto* state = new QueryState;
    state->callback = std::move(callback);
    DnsQueryResult& result = state->result;
    result.name = std::string(name);
    result.type = type;
    if (!impl_->servers.empty()) result.server = impl_->servers.front();
    DnsLookup handle = impl_->start(state, deadline);
    std::string why;
    auto wire = encode_dns_name(name, why);
    if (!wire) {
        state->fail(DnsStatus::BadName, lookup_error(DnsStatus::BadName, "invalid domain name: " + why));
        impl_->complete(state);
        return handle;
    }
    auto id = impl_->free_id();
    if (!id) {
        state->fail(DnsStatus::Failed, lookup_error(DnsStatus::Failed, "65536 queries in flight: no DNS ID left"));
        impl_->complete(state);
        return handle;
    }
    // Our own bytes through ares_send: we know each query's ID (to report an
    // undecodable answer to it at once), and the name is exactly the one
    // given, escapes read as RFC 1035 says. IDs are unique among the
    // queries in flight (c-ares 1.18's ares_send keeps the ID it is given, and
    // answers to queries sharing an ID are dropped). With NOCHECKRESP it hands
    // over every answer, whatever its rcode.
    state->id = *id;
    impl_->by_id.emplace(*id, state);
    auto packet = build_dns_query(*wire, type, *id);
    AresChannel* channel = impl_->channel;
    state->in_ares = true;
    channel->pending++;
    channel->submit([&] { ares_send(channel->get(), packet.data(), static_cast<int>(packet.size()), on_answer, state); });
    return handle;
}

DnsLookup Resolver::reverse(std::string_view ip, QueryCallback callback, std::chrono::milliseconds deadline) {
    auto name = reverse_name(ip);
    if (!name) {
        auto* state = new QueryState;
        state->callback = std::move(callback);
        state->result.name = std::string(ip);
        state->result.type = static_cast<std::uint16_t>(DnsType::PTR);
        DnsLookup handle = impl_->start(state, deadline);
        state->fail(DnsStatus::BadName,
                    lookup_error(DnsStatus::BadName, "not a numeric IPv4 or IPv6 address: " + std::string(ip)));
        impl_->complete(state);
        return handle;
    }
    return query(*name, static_cast<std::uint16_t>(DnsType::PTR), std::move(callback), deadline);
}

std::vector<SocketAddress> Resolver::hosts_file_addresses(std::string_view name, int family) {
    if (!impl_->use_hosts_file) return {};
    if (!impl_->hosts) impl_->hosts = std::make_unique<HostsFile>("/etc/hosts");
    return impl_->hosts->lookup(name, family);
}

void Resolver::cancel_all() {
    while (impl_->live_head != nullptr) {
        DnsLookupState* state = impl_->live_head;
        state->fail(DnsStatus::Canceled, lookup_error(DnsStatus::Canceled, "lookup canceled"));
        impl_->complete(state);
    }
    impl_->reap();
}

std::size_t Resolver::pending() const noexcept { return impl_->outstanding; }

std::vector<std::string> Resolver::servers() const { return impl_->servers; }

}  // namespace netreactor
