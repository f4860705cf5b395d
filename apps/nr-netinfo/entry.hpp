// One line of nr-netinfo's per-input subcommands (ipv4, ip, service,
// byteorder): the report of an input, or {"input", "error"} when it fails.
#pragma once

#include <string>
#include <string_view>

#include "json_output.hpp"

namespace netinfo {

// {"input": INPUT, "error": {"code", "message", "operation"}}.
inline nrapp::json error_entry(std::string_view input, const std::string& code, const std::string& message,
                               const std::string& operation) {
    return {{"input", input}, {"error", {{"code", code}, {"message", message}, {"operation", operation}}}};
}

// True when a report is an error entry.
inline bool is_error_entry(const nrapp::json& entry) { return entry.contains("error"); }

}  // namespace netinfo
