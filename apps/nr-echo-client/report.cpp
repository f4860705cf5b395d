#include "report.hpp"

#include "connect_report.hpp"

#include <cmath>
#include <cstdio>

namespace echo_client {

namespace {

constexpr const char* kTool = "nr-echo-client";

double us(std::uint64_t ns) { return std::round(static_cast<double>(ns) / 100.0) / 10.0; }
double round1(double value) { return std::round(value * 10.0) / 10.0; }

nrapp::json target(const ClientOptions& options, const char* mode) {
    return {{"mode", mode},
            {"server", options.server.to_string()},
            {"host", options.host},
            {"proto", proto_name(options.proto)}};
}

}  // namespace

nrapp::ExitStatus report_exchange(nrapp::JsonOutput& out, const ClientOptions& options, const ExchangeResult& result) {
    nrapp::json line = target(options, "exchange");
    line["messages"] = result.messages;
    line["bytes_sent"] = result.bytes_sent;
    line["bytes_received"] = result.bytes_received;
    if (!result.attempts.empty()) line["attempts"] = nrapp::attempts_json(result.attempts);
    if (result.error) {
        nrapp::report_error(out, kTool, *result.error, line);
        return nrapp::exit_status_for(*result.error);
    }
    line["match"] = result.match;
    if (!result.match) line["mismatch_offset"] = result.mismatch_offset;
    if (options.proto == Proto::tcp) line["connect_us"] = us(result.connect_ns);
    if (result.messages > 0) {
        line["rtt_us"] = us(result.rtt_total_ns / result.messages);
        line["rtt_min_us"] = us(result.rtt_min_ns);
        line["rtt_max_us"] = us(result.rtt_max_ns);
    }
    if (options.random_payload) {
        line["seed"] = options.seed;
    } else {
        line["reply"] = result.first_reply;
    }
    if (result.match) {
        out.emit(line);
        return nrapp::exit_ok;
    }
    netreactor::Error mismatch("EMISMATCH",
                               "the echo differs from what was sent at byte " + std::to_string(result.mismatch_offset),
                               "verify");
    nrapp::report_error(out, kTool, mismatch, line);
    return nrapp::exit_failed;
}

nrapp::ExitStatus report_load(nrapp::JsonOutput& out, const ClientOptions& options, const LoadResult& result) {
    nrapp::json line = target(options, "load");
    line["connections"] = options.connections;
    if (result.connected == 0 && result.first_error) {
        nrapp::report_error(out, kTool, *result.first_error, line);
        return nrapp::exit_status_for(*result.first_error);
    }
    const LatencyHistogram& latency = result.latency;
    double seconds = result.elapsed_s > 0 ? result.elapsed_s : 1e-9;
    line["connected"] = result.connected;
    line["size"] = options.size;
    line["pipeline"] = options.pipeline;
    // Only with a warm-up: without one the line is what it always was.
    if (options.warmup.count() > 0) {
        line["warmup_s"] = std::round(result.warmup_s * 1000.0) / 1000.0;
        line["warmup_messages"] = result.warmup_messages;
    }
    line["duration_s"] = std::round(result.elapsed_s * 1000.0) / 1000.0;
    line["messages"] = result.messages;
    line["messages_per_s"] = round1(static_cast<double>(result.messages) / seconds);
    line["mb_per_s"] = std::round(static_cast<double>(result.bytes) / seconds / 1e4) / 100.0;
    line["latency_us"] = {{"p50", us(latency.percentile_ns(0.50))},
                          {"p90", us(latency.percentile_ns(0.90))},
                          {"p99", us(latency.percentile_ns(0.99))},
                          {"p999", us(latency.percentile_ns(0.999))},
                          {"max", us(latency.max_ns())}};
    line["errors"] = result.errors;
    line["mismatches"] = result.mismatches;
    line["drained"] = result.drained;
    if (options.proto == Proto::udp) line["lost"] = result.lost;
    if (options.random_payload) line["seed"] = options.seed;
    if (result.first_error) line["first_error"] = nrapp::error_json(*result.first_error);
    if (result.first_error) {
        std::fprintf(stderr, "%s: %llu connection(s) failed, first: %s\n", kTool,
                     static_cast<unsigned long long>(result.errors), result.first_error->describe().c_str());
    }
    if (result.mismatches > 0) {
        std::fprintf(stderr, "%s: %llu connection(s) received an echo that differs from what was sent\n", kTool,
                     static_cast<unsigned long long>(result.mismatches));
    }
    out.emit(line);
    if (result.mismatches > 0) return nrapp::exit_failed;
    if (result.first_error) return nrapp::exit_status_for(*result.first_error);
    if (result.messages == 0 && result.lost > 0) return nrapp::exit_timeout;  // not one datagram came back
    return nrapp::exit_ok;
}

}  // namespace echo_client
