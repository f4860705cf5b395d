// What nr-resolve asks, and what it prints for each question.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "netreactor/resolver.hpp"

namespace resolve {

enum class QuestionKind {
    address,  // the default: A and AAAA merged, hosts file first (if on)
    record,   // one record type (-t)
    reverse,  // PTR of a numeric address (-x)
};

struct Question {
    std::uint64_t id = 0;   // ordinal of the input name, from 1
    std::uint64_t seq = 0;  // ordinal of the question (a name asked for two types gives two)
    std::string input;      // the name or address as given
    QuestionKind kind = QuestionKind::address;
    std::uint16_t type = 0;  // record: the type; reverse: PTR
};

// A question and its result in one value (the JSON check builds these; the
// runner is told of each answer by reference, nothing moved).
struct Answer {
    Question question;
    netreactor::DnsQueryResult result;  // for an address question: A and AAAA merged
    bool from_hosts_file = false;
};

// One question in flight and the lookups that answer it (two for an address
// question: A and AAAA at once, merged into one answer). Its owner keeps it
// while the question is in flight: destroying it cancels its lookups, whose
// callbacks then never run. Its address must not change while it is asked
// (the lookups' callbacks point at it, so they stay small enough for
// std::function to hold without an allocation per lookup).
class PendingQuestion {
public:
    // Told when a question is answered; the question may be asked again from
    // there. `question` is the pending question's own (its input may be
    // taken); both references are valid until the call returns.
    class Receiver {
    public:
        virtual void answered(PendingQuestion& pending, Question& question, const netreactor::DnsQueryResult& result,
                              bool from_hosts_file) = 0;

    protected:
        ~Receiver() = default;
    };

    explicit PendingQuestion(Receiver& receiver) noexcept : receiver_(receiver) {}
    PendingQuestion(const PendingQuestion&) = delete;
    PendingQuestion& operator=(const PendingQuestion&) = delete;

    // Asks `question` (the previous one, if any, must have been answered).
    // The receiver is told once: from the loop, or before ask() returns for
    // an address question the hosts file answers.
    void ask(netreactor::Resolver& resolver, Question&& question);

private:
    void answered(netreactor::DnsQueryResult&& result, bool from_hosts_file = false);
    void address_half_answered();

    Receiver& receiver_;
    netreactor::Resolver* resolver_ = nullptr;  // the last ask()'s: each answer's storage goes back to it
    Question question_;
    netreactor::DnsLookup lookup_;       // the question's lookup; an address question's A lookup
    netreactor::DnsLookup aaaa_lookup_;  // an address question's AAAA lookup
    std::optional<netreactor::DnsQueryResult> a_, aaaa_;  // an address question's halves, as they come
};

}  // namespace resolve
