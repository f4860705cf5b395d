// What nr-resolve asks, and what it prints for each question.
#pragma once

#include <cstdint>
#include <functional>
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

struct Answer {
    Question question;
    netreactor::DnsQueryResult result;  // for an address question: A and AAAA merged
    bool from_hosts_file = false;
};

using AnswerCallback = std::function<void(Answer)>;

// Asks one question; `done` runs once (possibly synchronously).
void ask(netreactor::Resolver& resolver, const Question& question, AnswerCallback done);

// The label printed as "type": "A", "MX"... or "ADDRESS" for the default lookup.
std::string type_label(const Question& question);

}  // namespace resolve
