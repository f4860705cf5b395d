#include "runner.hpp"

#include <algorithm>

#include "answer_json.hpp"
#include "exit_status.hpp"

namespace resolve {

Runner::Runner(netreactor::Resolver& resolver, NameSource& names, RunOptions options, AnswerSink& out)
    : resolver_(resolver), names_(names), options_(std::move(options)), out_(out) {
    options_.concurrency = std::max<std::size_t>(options_.concurrency, 1);
}

void Runner::fill() {
    if (filling_) return;  // a question answered from the hosts file inside ask()
    filling_ = true;
    while (in_flight_ < options_.concurrency) {
        if (options_.ordered && next_seq_ >= next_emit_ + options_.concurrency) break;
        if (expanding_.empty()) {
            if (input_done_) break;
            // The buffer of an answered question's name, if any: read into,
            // it needs no allocation (names longer than 15 bytes need one).
            std::string name = std::move(spare_name_);
            // Blocking for input is harmless only when nothing is in flight,
            // and the answers so far go out first: a pipe that feeds names
            // one at a time (`tail -f`) gets each answer before the next name.
            const bool block = in_flight_ == 0;
            if (block) out_.flush();
            auto status = names_.next(name, block);
            if (status == NameSource::Status::wait) break;
            if (status == NameSource::Status::end) {
                input_done_ = true;
                break;
            }
            std::uint64_t id = options_.id_offset + ++totals_.names;
            if (options_.kind == QuestionKind::record) {
                // Reversed so that pop_back() starts them in the order given;
                // the name is copied for all but the last pushed (the first type).
                auto first = options_.types.rend() - 1;
                for (auto it = options_.types.rbegin(); it != first; ++it)
                    expanding_.push_back(Question{id, 0, name, QuestionKind::record, *it});
                expanding_.push_back(Question{id, 0, std::move(name), QuestionKind::record, *first});
            } else {
                expanding_.push_back(Question{id, 0, std::move(name), options_.kind, 12});
            }
        }
        // Moved once, from the queue into the pending question (ask() may
        // answer at once, from the hosts file; fill() is not re-entered then).
        Question& q = expanding_.back();
        q.seq = next_seq_++;
        in_flight_++;
        idle_question().ask(resolver_, std::move(q));
        expanding_.pop_back();
    }
    filling_ = false;
}

std::map<std::string, std::uint64_t> RunTotals::statuses() const {
    std::map<std::string, std::uint64_t> named;
    for (std::size_t i = 0; i < by_status.size(); ++i)
        if (by_status[i] != 0) named[std::string(netreactor::to_string(static_cast<netreactor::DnsStatus>(i)))] = by_status[i];
    return named;
}

void Runner::count(const netreactor::DnsQueryResult& r) {
    totals_.questions++;
    if (auto i = static_cast<std::size_t>(r.status); i < totals_.by_status.size()) totals_.by_status[i]++;
    if (!r.error) return;
    int cls = nrapp::exit_status_for(*r.error);
    if (failure_class_ && *failure_class_ != cls) mixed_failures_ = true;
    failure_class_ = cls;
    totals_.exit_status = mixed_failures_ ? nrapp::exit_failed : cls;
}

PendingQuestion& Runner::idle_question() {
    if (idle_.empty()) {
        PendingQuestion::Receiver& receiver = *this;
        questions_.push_back(std::make_unique<PendingQuestion>(receiver));
        return *questions_.back();
    }
    PendingQuestion* question = idle_.back();
    idle_.pop_back();
    return *question;
}

void Runner::answered(PendingQuestion& pending, Question& question, const netreactor::DnsQueryResult& result,
                      bool from_hosts_file) {
    idle_.push_back(&pending);
    in_flight_--;
    count(result);
    if (!options_.ordered) {
        out_.emit(question, result, from_hosts_file);
    } else {
        line_.clear();
        append_answer_json(question, result, from_hosts_file, line_);
        held_.emplace(question.seq, std::string(line_.view()));
        for (auto it = held_.begin(); it != held_.end() && it->first == next_emit_; it = held_.erase(it)) {
            out_.emit(it->second);
            next_emit_++;
        }
    }
    spare_name_ = std::move(question.input);  // printed: the next name is read into it
    fill();
}

}  // namespace resolve
