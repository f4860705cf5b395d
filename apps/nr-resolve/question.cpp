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
DnsQueryResult merge(DnsQueryResult a, DnsQueryResult aaaa) {
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

Answer from_hosts(const Question& q, const std::vector<netreactor::SocketAddress>& addresses) {
    Answer answer{q, {}, true};
    DnsQueryResult& r = answer.result;
    r.name = q.input;
    r.status = DnsStatus::NoError;
    r.server = "";
    netreactor::DnsMessage m;
    m.question_name = q.input;
    for (const auto& address : addresses) {
        DnsRecord record;
        record.name = q.input;
        record.type = address.is_ipv6() ? kAAAA : kA;
        record.data = address.ip();
        record.fields = netreactor::DnsAddressData{address.ip()};
        m.answers.push_back(std::move(record));
    }
    r.message = std::move(m);
    return answer;
}

}  // namespace

std::string type_label(const Question& question) {
    if (question.kind == QuestionKind::address) return "ADDRESS";
    return netreactor::dns_type_name(question.type);
}

void ask(netreactor::Resolver& resolver, const Question& question, AnswerCallback done) {
    switch (question.kind) {
        // Detached: the Runner outlives every question, and the Resolver
        // drops them all when it goes.
        case QuestionKind::record:
            resolver.query(question.input, question.type, [q = question, done = std::move(done)](DnsQueryResult r) mutable {
                done(Answer{std::move(q), std::move(r), false});
            }).detach();
            return;
        case QuestionKind::reverse:
            resolver.reverse(question.input, [q = question, done = std::move(done)](DnsQueryResult r) mutable {
                done(Answer{std::move(q), std::move(r), false});
            }).detach();
            return;
        case QuestionKind::address: break;
    }
    if (auto listed = resolver.hosts_file_addresses(question.input); !listed.empty()) {
        done(from_hosts(question, listed));
        return;
    }
    // Both halves in flight at once; the second to finish prints the line.
    struct Pair {
        Question question;
        AnswerCallback done;
        std::optional<DnsQueryResult> a, aaaa;
        void finish() {
            if (a && aaaa) done(Answer{question, merge(std::move(*a), std::move(*aaaa)), false});
        }
    };
    auto pair = std::make_shared<Pair>(Pair{question, std::move(done), {}, {}});
    resolver.query(question.input, kA, [pair](DnsQueryResult r) { pair->a = std::move(r); pair->finish(); }).detach();
    resolver.query(question.input, kAAAA, [pair](DnsQueryResult r) { pair->aaaa = std::move(r); pair->finish(); }).detach();
}

}  // namespace resolve
