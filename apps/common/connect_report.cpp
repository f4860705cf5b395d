#include "connect_report.hpp"

#include <cmath>
#include <string>

#include "duration.hpp"

namespace nrapp {

namespace {

double rounded_ms(double ms) { return std::round(ms * 1000.0) / 1000.0; }

}  // namespace

json attempts_json(const std::vector<netreactor::ConnectAttemptReport>& attempts) {
    json list = json::array();
    for (const auto& a : attempts) {
        json item = {{"address", a.address.ip()}, {"port", a.address.port()}};
        if (!a.error) {
            item["result"] = "connected";
        } else if (a.error->code() == "ECANCELED") {
            item["result"] = "canceled";
        } else {
            item["result"] = "failed";
            item["error"] = error_json(*a.error);
        }
        item["started_ms"] = rounded_ms(a.started_ms);
        item["elapsed_ms"] = rounded_ms(a.elapsed_ms);
        list.push_back(std::move(item));
    }
    return list;
}

netreactor::Error in_option_words(const netreactor::Error& error, double elapsed_ms, std::chrono::milliseconds limit,
                                  std::string_view host, std::string_view option) {
    if (error.code() != "ETIMEDOUT" || limit.count() == 0 || elapsed_ms < static_cast<double>(limit.count()))
        return error;
    const bool resolving = error.operation() == "resolve";
    return netreactor::Error("ETIMEDOUT",
                             std::string(resolving ? "no address for " : "no connection to ") + std::string(host) +
                                 " within " + std::string(option) + " " + seconds_text(limit),
                             error.operation());
}

}  // namespace nrapp
