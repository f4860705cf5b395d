// Internal: the Resolver's moving parts, shared by its source files.
//
//   resolver.cpp          the public calls: starting each kind of lookup
//   resolver_lookups.cpp  every lookup's life: handle, deadline, delivery queue
//   resolver_query.cpp    query() and reverse(): the answer, decoded once, classified
//   resolver_address.cpp  lookup_addresses(): c-ares' getaddrinfo
//   dns/dns_status.cpp    statuses, their names and error codes
//   dns/ares_channel.cpp  the c-ares channel on the loop: sockets, timer
//
// Every lookup is a DnsLookupState. It is "live" until it has a result, then
// "queued" until its callback runs from the loop (never inside the call that
// started it, nor inside c-ares), then "finished". Its memory is freed once it
// is finished and c-ares no longer holds it (c-ares 1.18 cannot drop a single
// query: a lookup that ended early, by its deadline, its handle or a
// malformed answer, stays allocated until c-ares lets it go).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "dns/ares_channel.hpp"
#include "dns/dns_id_map.hpp"
#include "dns/hosts_file.hpp"
#include "internal.hpp"
#include "netreactor/resolver.hpp"

namespace netreactor {

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
    bool delivering = false;  // its callback is running (from the state itself): freed once it returns
    bool has_deadline = false;
    std::uint64_t deadline_ns = 0;  // when its deadline falls (has_deadline), monotonic_ns()
    // Where it waits for its deadline: the queue (the options' deadline) or the map.
    bool in_deadline_queue = false;
    DnsLookupState* deadline_prev = nullptr;
    DnsLookupState* deadline_next = nullptr;
    std::multimap<std::uint64_t, DnsLookupState*>::iterator deadline_at;
    std::uint64_t started_ns = 0;

    DnsLookupState() = default;
    DnsLookupState(const DnsLookupState&) = delete;
    DnsLookupState& operator=(const DnsLookupState&) = delete;
    virtual ~DnsLookupState() = default;
    // Sets a failure as the result (a deadline, cancel_all()).
    virtual void fail(DnsStatus status, Error error) = 0;
    // Runs the callback with the result, then frees this state if nobody
    // else holds it.
    virtual void deliver() = 0;
    virtual void note_tcp_failure(const char*) {}
    // The handle, if any, no longer refers to this state.
    void release_handle() noexcept {
        if (handle != nullptr) handle->state_ = nullptr;
        handle = nullptr;
    }
};

// The lookups of one Resolver and the c-ares channel they go through. It
// outlives the Resolver until its loop handles are closed.
struct NETREACTOR_INTERNAL Resolver::Impl : AresChannel::Observer {
    uv_loop_t* loop = nullptr;
    AresChannel* channel = nullptr;
    std::vector<std::string> servers;
    bool use_hosts_file = true;
    std::chrono::milliseconds default_deadline{0};
    DnsParseOptions parse_options;  // how answers to query() are decoded
    // Storage of results given back by recycle(), reused by later queries:
    // a spent message becomes the next decoding's target (the walker
    // overwrites every field and reuses its strings and records in place), a
    // spent name the next query's name. Each bounded (kSpareResults, made or
    // reserved up front, so recycle() never allocates). The messages are
    // slots: the first spare_message_count hold spent messages, the rest
    // moved-from (empty) ones, left in place rather than destroyed and made
    // again for every answer.
    static constexpr std::size_t kSpareResults = 64;
    std::vector<DnsMessage> spare_messages;
    std::size_t spare_message_count = 0;
    std::vector<std::string> spare_names;
    std::unique_ptr<HostsFile> hosts;  // loaded on first use

    DnsLookupState* live_head = nullptr;
    std::size_t live_count = 0;
    std::deque<DnsLookupState*> ready;
    std::size_t outstanding = 0;  // started, neither delivered nor dropped
    // Lookups waiting for their deadline. Those with the options' deadline
    // (every lookup, in most programs) arrive in deadline order and wait in a
    // queue: no allocation, no search. Lookups with a deadline of their own
    // wait in the map.
    DnsLookupState* deadline_queue_head = nullptr;
    DnsLookupState* deadline_queue_tail = nullptr;
    std::multimap<std::uint64_t, DnsLookupState*> deadlines;
    DnsIdMap<DnsLookupState> by_id;  // queries c-ares holds, by DNS ID
    std::mt19937 random{std::random_device{}()};

    uv_timer_t deadline_timer{};
    uv_idle_t delivery{};
    int open_handles = 0;
    bool destroyed = false;
    bool flushing = false;

    // resolver_lookups.cpp: every lookup's life.

    // Registers a new lookup (live, with its deadline) and gives its handle.
    DnsLookup start(DnsLookupState* state, std::chrono::milliseconds deadline);
    // The state has its result: queue its delivery from the loop.
    void complete(DnsLookupState* state);
    // The handle let go (cancel or destruction): the callback never runs.
    void drop(DnsLookupState* state);
    // Frees a state nobody refers to any more.
    static void maybe_free(DnsLookupState* state);
    // With no lookup live, cancels the queries c-ares still retries.
    void reap();
    // Drops every lookup and closes the loop handles (~Resolver).
    void shutdown();

    // resolver_query.cpp: a DNS ID no query of this channel holds.
    std::optional<std::uint16_t> free_id();
    // The message an answer is decoded into: the one `slot` holds (an earlier
    // datagram's decoding), else a spent one from recycle(), else a new one.
    DnsMessage& decoding_target(std::optional<DnsMessage>& slot);
    // `name` in a spent name's buffer if there is one.
    std::string query_name(std::string_view name);

    // AresChannel::Observer
    void on_datagram(const std::uint8_t* data, std::size_t size) override;  // resolver_query.cpp
    void on_tcp_failure(const char* code) override;
    void after_process() override;

private:
    void unlink(DnsLookupState* state);
    void flush();
    // The lookup whose deadline falls first, or null.
    DnsLookupState* first_deadline() const;
    void add_deadline(DnsLookupState* state, std::chrono::milliseconds deadline);
    void remove_deadline(DnsLookupState* state);
    void rearm_deadline();
    void on_deadline();
};

// query() and reverse() (resolver_query.cpp).
struct QueryState final : DnsLookupState {
    Resolver::QueryCallback callback;
    DnsQueryResult result;
    std::uint16_t id = 0;
    bool truncated = false;             // a UDP answer with TC came: c-ares asks again over TCP
    const char* tcp_failure = nullptr;  // what that TCP connection met
    // The socket hook decodes a datagram with this query's ID straight into
    // result.message, which is then unconfirmed: c-ares has yet to accept it
    // (it checks the question, then hands the same bytes, same buffer, same
    // processing round, to on_query_answer), so an answer is decoded once and
    // never moved on its way to the callback. Set while unconfirmed: the
    // bytes decoded. A result completed otherwise drops an unconfirmed message.
    const std::uint8_t* parsed_bytes = nullptr;
    std::size_t parsed_size = 0;

    void fail(DnsStatus status, Error error) override;
    void deliver() override;
    void note_tcp_failure(const char* code) override;
    // Drops result.message if the hook decoded it and c-ares did not accept it.
    void drop_unconfirmed_message() noexcept;
    // The status of the question from c-ares' status and the answer.
    void classify(int ares_status, const unsigned char* abuf, int alen);
};

// c-ares' callback of a query's ares_send (`arg`: its QueryState).
void on_query_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);

// lookup_addresses() (resolver_address.cpp).
struct AddressState final : DnsLookupState {
    Resolver::AddressCallback callback;
    AddressLookup result;
    std::uint16_t port = 0;

    void fail(DnsStatus status, Error error) override;
    void deliver() override;
};

// c-ares' callback of ares_getaddrinfo (`arg`: its AddressState).
void on_addrinfo(void* arg, int status, int timeouts, ares_addrinfo* info);

}  // namespace netreactor
