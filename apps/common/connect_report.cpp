#include "connect_report.hpp"

#include <cmath>

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

}  // namespace nrapp
