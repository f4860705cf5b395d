// nr-echo-client's output: one JSON object per run, and its exit status.
#pragma once

#include "client_options.hpp"
#include "exchange.hpp"
#include "exit_status.hpp"
#include "json_output.hpp"
#include "load.hpp"

namespace echo_client {

// Prints the result of an exchange (or its error object) and returns the
// exit status: 0, 1 on a mismatch, or the class of the error.
nrapp::ExitStatus report_exchange(nrapp::JsonOutput& out, const ClientOptions& options, const ExchangeResult& result);

// Prints the load summary (or, when no connection could be made, the error
// object) and returns the exit status: 1 on any mismatch, else the class of
// the first error, else 0.
nrapp::ExitStatus report_load(nrapp::JsonOutput& out, const ClientOptions& options, const LoadResult& result);

}  // namespace echo_client
