// query() and reverse(): a question's answer, decoded once (in the socket
// hook, where an undecodable answer can be reported at once) and classified.
#include "dns/dns_parse.hpp"
#include "dns/dns_status.hpp"
#include "internal.hpp"
#include "loop_impl.hpp"
#include "resolver_impl.hpp"

namespace netreactor {

void QueryState::drop_unconfirmed_message() noexcept {
    if (parsed_bytes == nullptr) return;
    parsed_bytes = nullptr;
    result.message.reset();
}

void QueryState::fail(DnsStatus status, Error error) {
    drop_unconfirmed_message();
    result.status = status;
    result.error = std::move(error);
    result.tcp = truncated;
    result.rtt_ms = static_cast<double>(monotonic_ns() - started_ns) / 1e6;
}
void QueryState::deliver() {
    // The result goes to the callback from here, not through a copy; the
    // state stays allocated while the callback runs, whatever it destroys
    // (its Resolver, other lookups: c-ares may let go of this one meanwhile).
    delivering = true;
    callback(std::move(result));
    delivering = false;
    Resolver::Impl::maybe_free(this);
}
void QueryState::note_tcp_failure(const char* code) {
    if (truncated) tcp_failure = code;
}

void QueryState::classify(int ares_status, const unsigned char* abuf, int alen) {
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
    // The hook's decoding of these bytes is confirmed; any other is replaced.
    const bool decoded_by_hook = parsed_bytes == abuf && parsed_size == static_cast<std::size_t>(alen);
    parsed_bytes = nullptr;
    if (!decoded_by_hook) {
        if (auto error = parse_dns_message_into({abuf, static_cast<std::size_t>(alen)}, impl->parse_options,
                                                impl->decoding_target(r.message))) {
            r.message.reset();
            return fail(DnsStatus::BadResp, lookup_error(DnsStatus::BadResp, error->message()));
        }
    }
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

void on_query_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    auto* state = static_cast<QueryState*>(arg);
    Resolver::Impl* impl = state->impl;
    state->in_ares = false;
    impl->channel->pending--;
    if (impl->by_id.find(state->id) == state) impl->by_id.erase(state->id);
    if (!state->live || impl->destroyed) {
        Resolver::Impl::maybe_free(state);
        return;
    }
    if (abuf != nullptr) {
        auto source = impl->channel->answer_source();
        // An unconfirmed message is the hook's decoding of the last UDP
        // datagram with this ID read in this round; an answer over TCP never
        // went through the hook.
        if (source.tcp) state->drop_unconfirmed_message();
        state->result.tcp = source.tcp;
        if (!source.server.empty()) state->result.server = std::move(source.server);
    }
    state->classify(status, abuf, alen);
    impl->complete(state);
}

void Resolver::Impl::on_datagram(const std::uint8_t* data, std::size_t size) {
    if (size < 12 || (data[2] & 0x80) == 0) return;  // not a response
    auto id = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
    DnsLookupState* found = by_id.find(id);
    if (found == nullptr || !found->live) return;
    auto* state = static_cast<QueryState*>(found);
    if (data[2] & 0x02) {
        state->truncated = true;  // c-ares asks again over TCP
        return;
    }
    auto error = parse_dns_message_into({data, size}, parse_options, decoding_target(state->result.message));
    if (!error) {
        // c-ares checks the question and hands the same bytes to on_query_answer.
        state->parsed_bytes = data;
        state->parsed_size = size;
        return;
    }
    // The right ID but a body nobody can decode: c-ares would drop it and
    // wait for the whole schedule of tries. Say so now.
    state->parsed_bytes = nullptr;
    state->result.message.reset();
    auto source = channel->answer_source();
    if (!source.server.empty()) state->result.server = std::move(source.server);
    state->fail(DnsStatus::BadResp, lookup_error(DnsStatus::BadResp, error->message()));
    complete(state);
}

DnsMessage& Resolver::Impl::decoding_target(std::optional<DnsMessage>& slot) {
    if (slot) return *slot;
    if (spare_message_count == 0) return slot.emplace();
    // The slot's moved-from message stays (empty) for the next recycle().
    return slot.emplace(std::move(spare_messages[--spare_message_count]));
}

std::string Resolver::Impl::query_name(std::string_view name) {
    if (spare_names.empty()) return std::string(name);
    std::string reused = std::move(spare_names.back());
    spare_names.pop_back();
    reused.assign(name);
    return reused;
}

// A DNS ID no query of this channel holds (IDs must be unique in flight).
std::optional<std::uint16_t> Resolver::Impl::free_id() {
    if (by_id.size() >= 65536) return std::nullopt;
    for (;;) {
        auto id = static_cast<std::uint16_t>(random() & 0xffff);
        if (by_id.find(id) == nullptr) return id;
    }
}

}  // namespace netreactor
