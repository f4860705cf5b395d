// The JSON of a connect-by-name race (netreactor::TcpConnector): one object
// per attempt, the same in every tool that connects.
#pragma once

#include <vector>

#include "json_output.hpp"
#include "netreactor/tcp_connector.hpp"

namespace nrapp {

// [{"address": "::1", "port": 80, "result": "connected" | "canceled" |
//   "failed", "error": {...} (failed only), "started_ms", "elapsed_ms"}]
json attempts_json(const std::vector<netreactor::ConnectAttemptReport>& attempts);

}  // namespace nrapp
