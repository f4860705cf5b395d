#include "question.hpp"

#include <memory>

namespace resolve {

namespace {

using netreactor::DnsQueryResult;
using netreactor::DnsRecord;
using netreactor::DnsType;

constexpr std::uint16_t kA = static_cast<std::uint16_t>(DnsType::A);
constexpr std::uint16_t kAAAA = static_cast<std::uint16_t>(DnsType::AAAA);

using netreactor::DnsStatus;

bool has_addresses(const DnsQueryResult& r) { return r.status == DnsStatus::NoError; }

bool same_record(const DnsRecord& a, const DnsRecord& b) {
    return a.type == b.type && a.data == b.data && netreactor::dns_names_equal(a.name, b.name);
}

// One line for the A and AAAA answers: every record of both (a CNAME shared
// by both once), and the status of the pair: NOERROR if either has
// addresses; otherwise a failure other than NODATA wins (a timeout of one
// half is not "no data"), A's before AAAA's; NODATA for both says so.
// `aaaa` is left with what was not taken (its records moved, their vector
// kept) for the resolver to reuse.
DnsQueryResult merge(DnsQueryResult a, DnsQueryResult& aaaa) {
    DnsQueryResult merged = std::move(a);
    merged.type = 0;
    merged.tcp = merged.tcp || aaaa.tcp;
    merged.rtt_ms = std::max(merged.rtt_ms, aaaa.rtt_ms);
    if (!merged.message && aaaa.message) {
        merged.message = std::move(aaaa.message);
        merged.server = aaaa.server;
    } else if (merged.message && aaaa.message) {
        auto& answers = merged.message->answers;
        for (auto& record : aaaa.message->answers) {
            bool dup = false;
            for (const auto& existing : answers) dup = dup || same_record(existing, record);
            if (!dup) answers.push_back(std::move(record));
        }
        if (merged.message->authority.empty()) merged.message->authority = std::move(aaaa.message->authority);
    }
    bool a_ok = merged.status == DnsStatus::NoError;
    if (a_ok || has_addresses(aaaa)) {
        merged.status = DnsStatus::NoError;
        merged.error.reset();
    } else if (merged.status == DnsStatus::NoData && aaaa.status != DnsStatus::NoData) {
        merged.status = aaaa.status;
        merged.error = aaaa.error;
    } else if (merged.status == DnsStatus::NoData) {
        merged.error = netreactor::Error("NODATA", "no A or AAAA record for this name", "resolve");
    }
    return merged;
}

netreactor::DnsQueryResult from_hosts(const std::string& name, const std::vector<netreactor::SocketAddress>& addresses) {
    DnsQueryResult r;
    r.name = name;
    r.status = DnsStatus::NoError;
    r.server = "";
    netreactor::DnsMessage m;
    m.question_name = name;
    for (const auto& address : addresses) {
        DnsRecord record;
        record.name = name;
        record.type = address.is_ipv6() ? kAAAA : kA;
        record.data = address.ip();
        record.fields = netreactor::DnsAddressData{address.ip()};
        m.answers.push_back(std::move(record));
    }
    r.message = std::move(m);
    return r;
}

}  // namespace

// The callbacks take the result by rvalue reference: std::function passes on
// the one it was given, where a by-value parameter would be a second move.
void PendingQuestion::ask(netreactor::Resolver& resolver, Question&& question) {
    question_ = std::move(question);
    resolver_ = &resolver;
    const std::string& name = question_.input;
    switch (question_.kind) {
        case QuestionKind::record:
            lookup_ = resolver.query(name, question_.type, [this](DnsQueryResult&& r) { answered(std::move(r)); });
            return;
        case QuestionKind::reverse:
            lookup_ = resolver.reverse(name, [this](DnsQueryResult&& r) { answered(std::move(r)); });
            return;
        case QuestionKind::address: break;
    }
    if (auto listed = resolver.hosts_file_addresses(name); !listed.empty()) {
        answered(from_hosts(name, listed), true);
        return;
    }
    // Both halves in flight at once; the second to finish makes the answer.
    a_.reset();
    aaaa_.reset();
    lookup_ = resolver.query(name, kA, [this](DnsQueryResult&& r) {
        a_ = std::move(r);
        address_half_answered();
    });
    aaaa_lookup_ = resolver.query(name, kAAAA, [this](DnsQueryResult&& r) {
        aaaa_ = std::move(r);
        address_half_answered();
    });
}

void PendingQuestion::address_half_answered() {
    if (!a_ || !aaaa_) return;
    DnsQueryResult merged = merge(std::move(*a_), *aaaa_);
    // The AAAA half's storage goes back now: answered() may ask the next
    // question with this PendingQuestion, which resets both halves.
    resolver_->recycle(std::move(*aaaa_));
    answered(std::move(merged));
}

// Once its line is written the result goes back to the resolver, whose next
// queries reuse its buffers (names, records): most answers then need no
// allocation of their own. The receiver may ask this question's successor
// meanwhile (the same resolver).
void PendingQuestion::answered(DnsQueryResult&& result, bool from_hosts_file) {
    netreactor::Resolver& resolver = *resolver_;
    receiver_.answered(*this, question_, result, from_hosts_file);
    resolver.recycle(std::move(result));
}

}  // namespace resolve
