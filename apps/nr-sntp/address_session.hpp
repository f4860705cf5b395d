// The samples of one address: one query at a time, spaced by --interval
// (counted from the end of the previous exchange), each reported as it ends;
// a summary after the last when more than one was asked. A kiss-o'-death
// ends the session early: the server asked us to go away.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "client_config.hpp"
#include "netreactor/timer.hpp"
#include "report.hpp"
#include "sntp_query.hpp"

namespace sntpc {

class AddressSession {
public:
    AddressSession(netreactor::Loop& loop, const ClientConfig& config, QueryLabel label, Reporter& reporter,
                   std::function<void()> done);
    void start();

private:
    void send_next();
    void on_outcome(QueryOutcome outcome);
    void finish();

    netreactor::Loop& loop_;
    const ClientConfig& config_;
    QueryLabel label_;
    Reporter& reporter_;
    std::function<void()> done_;
    std::unique_ptr<SntpQuery> query_;
    netreactor::Timer spacing_;
    std::vector<std::pair<unsigned, sntp::Sample>> valid_;
    std::optional<netreactor::Error> last_error_;
};

}  // namespace sntpc
