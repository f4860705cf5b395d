// The JSON of a connect-by-name race (netreactor::TcpConnector): one object
// per attempt, the same in every tool that connects; and the words of a
// connect phase ended by the tool's own limit.
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "json_output.hpp"
#include "netreactor/tcp_connector.hpp"

namespace nrapp {

// [{"address": "::1", "port": 80, "result": "connected" | "canceled" |
//   "failed", "error": {...} (failed only), "started_ms", "elapsed_ms"}]
json attempts_json(const std::vector<netreactor::ConnectAttemptReport>& attempts);

// A connect phase (the name lookup and every attempt) bounded by a tool's
// option, `limit` (nr-fetch's --connect-timeout, nr-echo-client's --timeout),
// that failed with ETIMEDOUT after `elapsed_ms`: when the limit ended it, the
// message names the option the user gave ("no connection to HOST within
// --timeout 0.5 s", "no address for HOST within ..."), not the library's
// "500 ms deadline". Only the limit ends a phase that late: the resolver's own
// tries and the kernel's SYN retries give up before it, or it would have fired
// first. Any other error is returned as it is; the operation is kept.
netreactor::Error in_option_words(const netreactor::Error& error, double elapsed_ms, std::chrono::milliseconds limit,
                                  std::string_view host, std::string_view option);

}  // namespace nrapp
