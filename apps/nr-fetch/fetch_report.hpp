// What nr-fetch prints: the --json summary, the context of an error, and the
// exit status of each kind of failure.
#pragma once

#include <cstdio>

#include "exit_status.hpp"
#include "fetcher.hpp"
#include "redirect_chain.hpp"
#include "json_output.hpp"

namespace fetch {

// {"host","port","path" (as asked),"request","address","addresses","attempts","status_line",
//  "http_version","status","reason","headers","content_length","body_bytes","timings",
//  "interim"? (1xx skipped),"redirects"? (hops followed)}; the fields after "path" describe the
// last request of the run.
nrapp::json summary_report(const FetchRequest& asked, const FetchRun& run);

// The context printed beside an error: {"stage","host","port","path","address"?,"addresses"?,
// "attempts"?,"status"?,"body_bytes","timings","redirects"?}.
nrapp::json failure_report(const FetchRequest& asked, const FetchRun& run);

// Durations in seconds of the stages reached: resolve, connect, send, wait
// (request sent to first byte), receive (first byte to the end), total. The
// stage a failure ended is timed up to the failure.
nrapp::json timings(const StageMarks& marks);

// timeout 5 (any stage), resolve 3, connect 4, protocol 6 (EPROTO: a
// malformed head; every redirect failure), transfer 7 (send/receive), local 8
// (output, descriptors).
nrapp::ExitStatus exit_status_for(Stage stage, const netreactor::Error& error);

// {"error": {...}, <context>} as one JSON line on `stream` (stderr once the
// body has started on stdout).
void print_error_line(std::FILE* stream, const netreactor::Error& error, const nrapp::json& context, bool pretty);

}  // namespace fetch
