// The pieces of a compact JSON line, appended to a LineBuffer: escaped
// strings and numbers. The answer writer (answer_json.cpp) puts them between
// literal fragments of its fixed schema ("{\"schema_version\":1,\"id\":"...),
// so an answer costs a few appends and no JSON tree (nlohmann::json built per
// answer cost more than the DNS exchange itself at 100,000 answers per second).
#pragma once

#include <cstdint>
#include <string_view>

#include "line_buffer.hpp"

namespace resolve {

// `s` as a JSON string, quotes included: '"', '\\' and control characters
// escaped; a string that is not valid UTF-8 (only input names can be) is
// written by nlohmann's dump with error_handler_t::replace (U+FFFD for each
// bad sequence).
void append_json_string(LineBuffer& out, std::string_view s);

// Decimal digits of `v`.
void append_json_number(LineBuffer& out, std::uint64_t v);

// A finite double in the shortest form that reads back the same (null when
// not finite), as nlohmann prints numbers.
void append_json_number(LineBuffer& out, double v);

inline void append_json_bool(LineBuffer& out, bool v) { out.append(v ? "true" : "false", v ? 4 : 5); }

}  // namespace resolve
