#include "address_session.hpp"

namespace sntpc {

AddressSession::AddressSession(netreactor::Loop& loop, const ClientConfig& config, QueryLabel label,
                               Reporter& reporter, std::function<void()> done)
    : loop_(loop), config_(config), label_(label), reporter_(reporter), done_(std::move(done)),
      spacing_(loop) {}

void AddressSession::start() { send_next(); }

void AddressSession::send_next() {
    label_.sample++;
    query_ = std::make_unique<SntpQuery>(loop_, label_.address, config_.timeout,
                                         [this](QueryOutcome outcome) { on_outcome(std::move(outcome)); });
    query_->start();
}

void AddressSession::on_outcome(QueryOutcome outcome) {
    reporter_.sample(label_, outcome);
    if (outcome.sample) valid_.emplace_back(label_.sample, *outcome.sample);
    else last_error_ = outcome.error;
    bool kissed = outcome.reply && outcome.reply->stratum == 0;
    // The query is done calling us: let the loop destroy it, not its own callback.
    spacing_.start(label_.sample < label_.samples && !kissed ? config_.interval : std::chrono::milliseconds(0),
                   [this, kissed] {
                       query_.reset();
                       if (label_.sample < label_.samples && !kissed) send_next();
                       else finish();
                   });
}

void AddressSession::finish() {
    if (label_.samples > 1) reporter_.summary(label_, valid_);
    reporter_.address_done(!valid_.empty(), last_error_);
    done_();
}

}  // namespace sntpc
