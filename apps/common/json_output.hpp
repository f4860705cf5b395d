// JSON Lines on stdout, the one output channel of every tool.
#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <string>

#include "netreactor/error.hpp"

namespace nrapp {

using json = nlohmann::ordered_json;

// The version of the output format, first member of every JSON object a tool
// prints. Bumped when a field changes meaning or disappears (adding a field
// does not bump it); docs/json/<tool>.schema.json says which version it describes.
constexpr int kSchemaVersion = 1;

// `value` with "schema_version" as its first member (objects only; a value
// that has one already is returned unchanged).
json with_schema_version(const json& value);

// Writes one JSON value per line and flushes it, so a reader sees each event
// as it happens. With `pretty`, values are indented for humans instead.
class JsonOutput {
public:
    explicit JsonOutput(bool pretty = false) : pretty_(pretty) {}
    void set_pretty(bool pretty) noexcept { pretty_ = pretty; }

    // Objects get "schema_version" first (with_schema_version).
    // A failure of stdout ends the process as stdout_channel.hpp says (EPIPE:
    // status 0, quietly; anything else: one line on stderr, exit_local).
    void emit(const json& value);

    // For servers, which owe their peers a drain rather than an abrupt exit:
    // when the reader of stdout goes away (EPIPE), emit() calls `reader_gone`
    // once (on the emitting thread) instead of exiting, and drops that line
    // and every later one. Set it before any other thread emits.
    void on_reader_gone(std::function<void()> reader_gone) { reader_gone_callback_ = std::move(reader_gone); }
    // True once stdout's reader went away (only with on_reader_gone).
    bool reader_gone() const noexcept { return reader_gone_.load(std::memory_order_relaxed); }

private:
    bool pretty_;
    std::function<void()> reader_gone_callback_;
    std::atomic<bool> reader_gone_{false};
};

// {"code": "ECONNREFUSED", "message": "...", "operation": "connect"}
json error_json(const netreactor::Error& error);

// What a failure is about, named from a report's own fields so that every line
// on stderr says which peer, server or file it concerns: "server" as the tool
// wrote it, else "host" (or "address") with "port" (an IPv6 literal
// bracketed), else "host", "address" or "file" alone. Empty when the report
// names nothing outside the tool (usage errors).
std::string error_subject(const json& context);

// Prints {"error": {...}, <context>} on stdout and "TOOL: SUBJECT: message" on
// stderr (error_subject; "TOOL: message" when there is none).
void report_error(JsonOutput& out, const char* tool, const netreactor::Error& error, json context = json::object());
// The same with the subject given by the caller (a tool that names a server
// better than its report's fields can, as nr-sntp's "NAME (IP:PORT)").
void report_error_about(JsonOutput& out, const char* tool, const std::string& subject,
                        const netreactor::Error& error, json context = json::object());

}  // namespace nrapp
