// Internal: names in presentation format turned into wire format, and the
// query message built from one (the resolver sends its own bytes, so it knows
// each query's ID and every name means exactly what was typed).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace netreactor {

// A standard query (RD set, one question of class IN), built on the stack:
// the resolver sends one per lookup.
struct DnsQueryBytes {
    std::array<std::uint8_t, 12 + 256 + 4> bytes;  // header, name (<= 255 bytes), type and class
    std::size_t size = 0;
};

// The query for `name` (RFC 1035 presentation format: `\.`, `\\`, `\X` and
// `\DDD` escapes; a trailing dot optional; "." is the root). On failure,
// false and `why` says what is wrong with the name: a raw NUL byte, an empty
// label, a label over 63 bytes, a name over 255 bytes on the wire, a bad
// escape.
bool build_dns_query(std::string_view name, std::uint16_t type, std::uint16_t id, DnsQueryBytes& query,
                     std::string& why);

}  // namespace netreactor
