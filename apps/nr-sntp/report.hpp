// What nr-sntp prints: a JSON object per sample (every header field, the five
// timestamps as RFC 3339 and raw, offset, delay, corrected time), a summary
// per address with --count, errors with their context; or with
// --format text the seed's ctime line. Also keeps the exit status.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client_config.hpp"
#include "exit_status.hpp"
#include "json_output.hpp"
#include "netreactor/address.hpp"
#include "sntp_query.hpp"

namespace sntpc {

// Which query a line is about.
struct QueryLabel {
    const ServerSpec* server = nullptr;
    netreactor::SocketAddress address;  // empty before resolution
    unsigned sample = 0;                // 1-based; 0 for resolution errors
    unsigned samples = 1;
};

nrapp::json sample_json(const QueryLabel& label, const sntp::Sample& sample, unsigned bogus_replies);

class Reporter {
public:
    Reporter(nrapp::JsonOutput& out, const ClientConfig& config, const char* tool);

    // One sample's outcome (success or error line).
    void sample(const QueryLabel& label, const QueryOutcome& outcome);
    // With --count N > 1: the lowest-delay sample of one address, with jitter.
    void summary(const QueryLabel& label, const std::vector<std::pair<unsigned, sntp::Sample>>& valid);
    // The name of `server` could not be resolved.
    void resolve_failed(const ServerSpec& server, const netreactor::Error& error);
    // One address is done: it succeeded if any sample did.
    void address_done(bool succeeded, std::optional<netreactor::Error> last_error);

    // 0 when every address answered; the class of the failure when all failed
    // alike; 1 (exit_failed) for a mix.
    nrapp::ExitStatus exit_status() const;

private:
    // One error: JSON on stdout (or nothing, in text format) and a stderr line
    // naming `subject`, the server it is about.
    void error_line(const netreactor::Error& error, nrapp::json context, const std::string& subject);
    void text_line(sntp::UnixNanos time);
    void record_failure(const netreactor::Error& error);

    nrapp::JsonOutput& out_;
    const ClientConfig& config_;
    const char* tool_;
    unsigned succeeded_ = 0;
    std::vector<nrapp::ExitStatus> failures_;
};

}  // namespace sntpc
