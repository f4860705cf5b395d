#include "report.hpp"

#include <time.h>

#include <cmath>
#include <cstdio>

#include "stdout_channel.hpp"

namespace sntpc {

using nrapp::json;

namespace {

json label_json(const QueryLabel& label) {
    json j = json::object();
    j["server"] = label.server->text;
    j["address"] = label.address.ip();
    j["port"] = label.address.port();
    return j;
}

// What a stderr line is about: "IP:PORT" when the server was given as an
// address, "NAME (IP:PORT)" for a name, the server as given when it did not
// resolve. With
// several servers, "no reply within 2 s" alone would not say which one.
std::string subject_of(const ServerSpec& server, const netreactor::SocketAddress& address) {
    if (address.empty()) return server.text;
    std::string endpoint = address.to_string();
    if (server.host == address.ip()) return endpoint;
    return server.host + " (" + endpoint + ")";
}

json time_or_null(bool present, sntp::UnixNanos t) { return present ? json(sntp::format_rfc3339(t)) : json(nullptr); }

// Header fields of a reply that ended a query without a time (KoD...).
void add_reply_context(json& context, const sntp::Packet& p) {
    context["version"] = p.version;
    context["mode"] = p.mode;
    context["leap"] = p.leap;
    context["stratum"] = p.stratum;
    context["ref_id"] = sntp::ref_id_text(p.ref_id, p.stratum);
    context["ref_id_hex"] = sntp::ref_id_hex(p.ref_id);
    if (p.stratum == 0) context["kiss_code"] = sntp::ref_id_code(p.ref_id);
    context["transmit_raw"] = sntp::format_raw(p.transmit);
}

}  // namespace

json sample_json(const QueryLabel& label, const sntp::Sample& s, unsigned bogus_replies) {
    const sntp::Packet& p = s.packet;
    json j = {{"event", "sample"}, {"type", "sample"}};  // "type": older readers
    j.update(label_json(label));
    j["sample"] = label.sample;
    j["samples"] = label.samples;
    j["version"] = p.version;
    j["mode"] = p.mode;
    j["leap"] = p.leap;
    j["stratum"] = p.stratum;
    j["poll"] = p.poll;
    j["precision"] = p.precision;
    j["root_delay"] = sntp::short_to_seconds(p.root_delay);
    j["root_dispersion"] = sntp::short_to_seconds(p.root_dispersion);
    j["root_distance"] = sntp::root_distance_seconds(s);
    j["ref_id"] = sntp::ref_id_text(p.ref_id, p.stratum);
    j["ref_id_hex"] = sntp::ref_id_hex(p.ref_id);
    j["reference_time"] = time_or_null(s.has_reference, s.reference);
    j["reference_raw"] = sntp::format_raw(p.reference);
    j["origin_time"] = sntp::format_rfc3339(s.t1);
    j["origin_raw"] = sntp::format_raw(p.origin);
    j["receive_time"] = sntp::format_rfc3339(s.t2);
    j["receive_raw"] = sntp::format_raw(p.receive);
    j["transmit_time"] = sntp::format_rfc3339(s.t3);
    j["transmit_raw"] = sntp::format_raw(p.transmit);
    j["destination_time"] = sntp::format_rfc3339(s.t4);
    j["destination_raw"] = sntp::format_raw(sntp::to_ntp(s.t4));
    j["offset"] = sntp::nanos_to_seconds(s.offset_ns);
    j["delay"] = sntp::nanos_to_seconds(s.delay_ns);
    j["offset_ns"] = s.offset_ns;
    j["delay_ns"] = s.delay_ns;
    j["time"] = sntp::format_rfc3339(s.time);
    j["time_unix_ns"] = s.time;
    j["server_era"] = sntp::era_of(s.t3);
    j["bogus_replies"] = bogus_replies;
    return j;
}

Reporter::Reporter(nrapp::JsonOutput& out, const ClientConfig& config, const char* tool)
    : out_(out), config_(config), tool_(tool) {}

void Reporter::sample(const QueryLabel& label, const QueryOutcome& outcome) {
    if (outcome.sample) {
        if (config_.format == OutputFormat::text) {
            if (label.samples == 1) text_line(outcome.sample->time);
        } else {
            out_.emit(sample_json(label, *outcome.sample, outcome.bogus_replies));
        }
        return;
    }
    json context = label_json(label);
    context["sample"] = label.sample;
    context["samples"] = label.samples;
    context["bogus_replies"] = outcome.bogus_replies;
    if (outcome.bogus_replies > 0) context["last_bogus"] = sntp::check_name(outcome.last_bogus);
    if (outcome.reply) add_reply_context(context, *outcome.reply);
    error_line(*outcome.error, context, subject_of(*label.server, label.address));
}

void Reporter::summary(const QueryLabel& label, const std::vector<std::pair<unsigned, sntp::Sample>>& valid) {
    const std::pair<unsigned, sntp::Sample>* best = nullptr;
    for (const auto& entry : valid)
        if (best == nullptr || entry.second.delay_ns < best->second.delay_ns) best = &entry;
    // RFC 5905 peer jitter: RMS of the offsets' differences from the best one.
    double jitter = 0;
    if (best != nullptr && valid.size() > 1) {
        double sum = 0;
        for (const auto& entry : valid) {
            double d = sntp::nanos_to_seconds(entry.second.offset_ns - best->second.offset_ns);
            sum += d * d;
        }
        jitter = std::sqrt(sum / static_cast<double>(valid.size() - 1));
    }
    if (config_.format == OutputFormat::text) {
        if (best != nullptr) text_line(best->second.time);
        return;
    }
    json j = {{"event", "summary"}, {"type", "summary"}};  // "type": older readers
    j.update(label_json(label));
    j["samples"] = label.samples;
    j["valid"] = valid.size();
    j["best_sample"] = best ? json(best->first) : json(nullptr);
    j["offset"] = best ? json(sntp::nanos_to_seconds(best->second.offset_ns)) : json(nullptr);
    j["delay"] = best ? json(sntp::nanos_to_seconds(best->second.delay_ns)) : json(nullptr);
    j["jitter"] = best ? json(jitter) : json(nullptr);
    j["time"] = best ? json(sntp::format_rfc3339(best->second.time)) : json(nullptr);
    out_.emit(j);
}

void Reporter::resolve_failed(const ServerSpec& server, const netreactor::Error& error) {
    error_line(error, {{"server", server.text}, {"port", server.port}}, subject_of(server, {}));
    record_failure(error);
}

void Reporter::address_done(bool succeeded, std::optional<netreactor::Error> last_error) {
    if (succeeded) succeeded_++;
    else if (last_error) record_failure(*last_error);
}

nrapp::ExitStatus Reporter::exit_status() const {
    if (failures_.empty()) return nrapp::exit_ok;
    if (succeeded_ > 0) return nrapp::exit_failed;
    for (auto status : failures_)
        if (status != failures_.front()) return nrapp::exit_failed;
    return failures_.front();
}

void Reporter::error_line(const netreactor::Error& error, json context, const std::string& subject) {
    // "nr-sntp: 127.0.0.1:12300: receive: no reply within 2 s (ETIMEDOUT)".
    if (config_.format == OutputFormat::text) {
        std::fprintf(stderr, "%s: %s: %s\n", tool_, subject.c_str(), error.describe().c_str());
        return;
    }
    nrapp::report_error_about(out_, tool_, subject, error, std::move(context));
}

void Reporter::text_line(sntp::UnixNanos time) {
    // The seed's ctime(): "Thu Mar  5 14:02:58 2012", local time.
    time_t seconds = static_cast<time_t>(time >= 0 ? time / sntp::kNanosPerSecond
                                                   : -((-time + sntp::kNanosPerSecond - 1) / sntp::kNanosPerSecond));
    tm local{};
    localtime_r(&seconds, &local);
    char text[64];
    std::strftime(text, sizeof text, "%a %b %e %H:%M:%S %Y", &local);
    std::string line = std::string(text) + "\n";
    if (int error = nrapp::write_stdout(line); error != 0) nrapp::exit_on_output_error(error);
}

void Reporter::record_failure(const netreactor::Error& error) { failures_.push_back(nrapp::exit_status_for(error)); }

}  // namespace sntpc
