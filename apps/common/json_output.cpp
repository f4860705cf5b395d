#include "json_output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "exit_status.hpp"
#include "stdout_channel.hpp"

namespace nrapp {

json with_schema_version(const json& value) {
    if (!value.is_object() || value.contains("schema_version")) return value;
    json out = json::object();
    out["schema_version"] = kSchemaVersion;
    for (const auto& [key, member] : value.items()) out[key] = member;
    return out;
}

void JsonOutput::emit(const json& value) {
    if (reader_gone()) return;
    // replace: never throw on bytes that are not UTF-8; tools that carry raw
    // bytes (TXT records...) encode them losslessly themselves.
    std::string line = with_schema_version(value).dump(pretty_ ? 2 : -1, ' ', false, json::error_handler_t::replace);
    line += '\n';
    if (int error = write_stdout(line); error != 0) {
        if (error == EPIPE && reader_gone_callback_) {
            if (!reader_gone_.exchange(true)) reader_gone_callback_();
            return;
        }
        exit_on_output_error(error);
    }
}

json error_json(const netreactor::Error& error) {
    json e = json::object();
    e["code"] = error.code();
    e["message"] = error.message();
    if (!error.operation().empty()) e["operation"] = error.operation();
    return e;
}

std::string error_subject(const json& context) {
    auto text = [&](const char* key) -> std::string {
        auto it = context.find(key);
        if (it == context.end()) return {};
        if (it->is_string()) return it->get<std::string>();
        if (it->is_number_integer()) return std::to_string(it->get<long long>());
        return {};
    };
    if (std::string server = text("server"); !server.empty()) return server;
    std::string host = text("host");
    if (host.empty()) host = text("address");
    if (!host.empty()) {
        std::string port = text("port");
        if (port.empty()) return host;
        bool v6 = host.find(':') != std::string::npos && host.front() != '[';
        return (v6 ? "[" + host + "]" : host) + ":" + port;
    }
    return text("file");
}

void report_error(JsonOutput& out, const char* tool, const netreactor::Error& error, json context) {
    std::string subject = error_subject(context);
    report_error_about(out, tool, subject, error, std::move(context));
}

void report_error_about(JsonOutput& out, const char* tool, const std::string& subject,
                        const netreactor::Error& error, json context) {
    json line = json::object();
    line["error"] = error_json(error);
    for (auto& [key, value] : context.items()) line[key] = value;
    if (subject.empty()) {
        std::fprintf(stderr, "%s: %s\n", tool, error.describe().c_str());
    } else {
        std::fprintf(stderr, "%s: %s: %s\n", tool, subject.c_str(), error.describe().c_str());
    }
    out.emit(line);
}

}  // namespace nrapp
