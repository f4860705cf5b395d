// Internal: names in presentation format turned into wire format, and the
// query message built from one (the resolver sends its own bytes, so it knows
// each query's ID and every name means exactly what was typed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netreactor {

// The wire form of `name` (RFC 1035 presentation format: `\.`, `\\`, `\X` and
// `\DDD` escapes; a trailing dot optional; "." is the root). On failure,
// nullopt and `why` says what is wrong: a raw NUL byte, an empty label, a
// label over 63 bytes, a name over 255 bytes on the wire, a bad escape.
std::optional<std::vector<std::uint8_t>> encode_dns_name(std::string_view name, std::string& why);

// A standard query (RD set, one question of class IN) for a wire-form name.
std::vector<std::uint8_t> build_dns_query(const std::vector<std::uint8_t>& wire_name, std::uint16_t type,
                                          std::uint16_t id);

}  // namespace netreactor
