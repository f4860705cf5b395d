// Runs the questions with a bounded number in flight, reading names only as
// slots free up, and prints each answer as it completes (or, with --ordered,
// in input order, holding at most `concurrency` answers).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "answer_sink.hpp"
#include "name_source.hpp"
#include "question.hpp"

namespace resolve {

struct RunOptions {
    std::size_t concurrency = 300;
    bool ordered = false;
    QuestionKind kind = QuestionKind::address;
    std::vector<std::uint16_t> types;  // for QuestionKind::record
    // Added to every id: a shard of a bigger input (--id-offset) numbers its
    // names as the whole input does.
    std::uint64_t id_offset = 0;
};

struct RunTotals {
    std::uint64_t names = 0;
    std::uint64_t questions = 0;
    // Questions by status, indexed by DnsStatus (counted per answer without
    // spelling the status: statuses() gives the names).
    std::array<std::uint64_t, static_cast<std::size_t>(netreactor::DnsStatus::Failed) + 1> by_status{};
    // "NOERROR" -> count, for each status that occurred.
    std::map<std::string, std::uint64_t> statuses() const;
    // Exit status: 0 when every question is NOERROR; else the class of the
    // failures when they share one (3 resolve, 5 timeout...), 1 when mixed.
    int exit_status = 0;
};

// Owns the questions in flight: destroying it cancels their lookups.
class Runner final : PendingQuestion::Receiver {
public:
    Runner(netreactor::Resolver& resolver, NameSource& names, RunOptions options, AnswerSink& out);
    // Starts the first questions; the loop does the rest. Call again when the
    // name source signals input (it is idempotent).
    void fill();
    const RunTotals& totals() const noexcept { return totals_; }
    std::size_t in_flight() const noexcept { return in_flight_; }
    bool finished() const noexcept { return input_done_ && in_flight_ == 0; }

private:
    void answered(PendingQuestion& pending, Question& question, const netreactor::DnsQueryResult& result,
                  bool from_hosts_file) override;
    void count(const netreactor::DnsQueryResult& result);
    PendingQuestion& idle_question();

    netreactor::Resolver& resolver_;
    NameSource& names_;
    RunOptions options_;
    AnswerSink& out_;
    RunTotals totals_;
    std::vector<Question> expanding_;  // the questions of the current name not yet started
    std::vector<std::unique_ptr<PendingQuestion>> questions_;  // at most `concurrency`, reused
    std::vector<PendingQuestion*> idle_;                       // those not in flight
    std::size_t in_flight_ = 0;
    std::uint64_t next_seq_ = 0;
    std::uint64_t next_emit_ = 0;                  // --ordered: the next seq to print
    std::map<std::uint64_t, std::string> held_;    // --ordered: answers waiting for earlier ones
    LineBuffer line_;                              // --ordered: reused for each answer
    std::string spare_name_;                       // an answered question's name, its buffer reused for the next
    bool input_done_ = false;
    bool filling_ = false;
    std::optional<int> failure_class_;
    bool mixed_failures_ = false;
};

}  // namespace resolve
