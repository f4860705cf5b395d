#include "fetch_report.hpp"

#include "connect_report.hpp"

namespace fetch {

namespace {

using nrapp::json;

double seconds_between(std::uint64_t from, std::uint64_t to) { return static_cast<double>(to - from) / 1e9; }

json address_list(const std::vector<netreactor::SocketAddress>& addresses) {
    json list = json::array();
    for (const auto& a : addresses) list.push_back(a.ip());
    return list;
}

json request_fields(const FetchRequest& request) {
    const nrapp::HttpUrl& url = request.url;
    return {{"host", url.host.text}, {"port", url.port_or_default()}, {"path", url.target}};
}

json hops_json(const std::vector<Hop>& hops) {
    json list = json::array();
    for (const auto& h : hops)
        list.push_back({{"url", h.url}, {"status", h.status}, {"location", h.location}, {"next", h.next}});
    return list;
}

// The fields both reports end with: how much body came, how long each
// stage took, and the additive ones (interim statuses, redirects followed).
void add_closing_fields(json& report, const FetchRun& run) {
    report["body_bytes"] = run.result.body_bytes;
    report["timings"] = timings(run.result.marks);
    if (!run.result.interim.empty()) report["interim"] = run.result.interim;
    if (!run.hops.empty()) report["redirects"] = hops_json(run.hops);
}

}  // namespace

json timings(const StageMarks& m) {
    // Stage i runs from marks[i] to marks[i + 1]; the stage in progress when
    // the fetch ended (a failure) runs to `finished`.
    const std::optional<std::uint64_t> marks[] = {m.start, m.resolved, m.connected, m.sent, m.first_byte};
    static constexpr const char* kNames[] = {"resolve", "connect", "send", "wait", "receive"};
    json t = json::object();
    for (std::size_t i = 0; i < 5 && marks[i]; ++i) {
        std::optional<std::uint64_t> end = i + 1 < 5 ? marks[i + 1] : std::nullopt;
        if (!end) end = m.finished;
        if (end) t[kNames[i]] = seconds_between(*marks[i], *end);
        if (i + 1 < 5 && !marks[i + 1]) break;
    }
    if (m.finished) t["total"] = seconds_between(m.start, *m.finished);
    return t;
}

json summary_report(const FetchRequest& asked, const FetchRun& run) {
    const FetchResult& result = run.result;
    const ResponseHead& head = *result.head;
    json headers = json::array();
    for (const auto& h : head.headers) headers.push_back({{"name", h.name}, {"value", h.value}});
    json report = request_fields(asked);
    report["request"] = "GET " + run.request.url.target + " HTTP/1.0";
    report["address"] = result.peer.ip();
    report["addresses"] = address_list(result.addresses);
    report["attempts"] = nrapp::attempts_json(result.attempts);
    report["status_line"] = head.status_line;
    report["http_version"] = head.version;
    report["status"] = head.status;
    report["reason"] = head.reason;
    report["headers"] = headers;
    report["content_length"] = head.content_length ? json(*head.content_length) : json(nullptr);
    add_closing_fields(report, run);
    return report;
}

json failure_report(const FetchRequest& asked, const FetchRun& run) {
    const FetchResult& result = run.result;
    json report = {{"stage", stage_name(*result.failed_stage)}};
    const json fields = request_fields(asked);
    for (auto& [key, value] : fields.items()) report[key] = value;
    if (!result.addresses.empty()) {
        report["addresses"] = address_list(result.addresses);
        if (*result.failed_stage != Stage::resolve && !result.peer.empty()) report["address"] = result.peer.ip();
    }
    if (!result.attempts.empty()) report["attempts"] = nrapp::attempts_json(result.attempts);
    if (result.head) report["status"] = result.head->status;
    add_closing_fields(report, run);
    return report;
}

nrapp::ExitStatus exit_status_for(Stage stage, const netreactor::Error& error) {
    if (error.code() == "ETIMEDOUT") return nrapp::exit_timeout;
    switch (stage) {
        case Stage::resolve: return nrapp::exit_resolve;
        case Stage::connect:
            return nrapp::exit_status_for(error) == nrapp::exit_local ? nrapp::exit_local : nrapp::exit_connect;
        case Stage::send:
        case Stage::receive: return error.code() == "EPROTO" ? nrapp::exit_protocol : nrapp::exit_transfer;
        case Stage::redirect: return nrapp::exit_protocol;
        case Stage::output: return nrapp::exit_local;
    }
    return nrapp::exit_failed;
}

void print_error_line(std::FILE* stream, const netreactor::Error& error, const json& context, bool pretty) {
    json line = {{"schema_version", nrapp::kSchemaVersion}, {"error", nrapp::error_json(error)}};
    for (auto& [key, value] : context.items()) line[key] = value;
    std::string text = line.dump(pretty ? 2 : -1, ' ', false, json::error_handler_t::replace) + "\n";
    std::fputs(text.c_str(), stream);
    std::fflush(stream);
}

}  // namespace fetch
