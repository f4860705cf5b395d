// `byteorder`: htonl/ntohl/htons/ntohs of integers, with range checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "json_output.hpp"

namespace netinfo {

// Which conversions to print.
enum class Width { both, bits16, bits32 };

// A decimal or 0x-hexadecimal integer in 0..4294967295; nullopt otherwise.
std::optional<std::uint32_t> parse_u32(std::string_view text);

// "little" or "big": how this host stores integers.
const char* host_byte_order();

// {"input","value","host_byte_order","htonl","ntohl","htons","ntohs"}; a
// value above 65535 with the 16-bit forms asked gives an ERANGE error entry
// that still carries the 32-bit results.
nrapp::json byteorder_report(std::string_view input, Width width);

}  // namespace netinfo
