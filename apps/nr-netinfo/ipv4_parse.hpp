// IPv4 text parsing, byte for byte as the C library does it. Pure: bytes in,
// a value or an error out; no locale, no errno, no allocation on failure paths
// that a fuzzer could not reach.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace netinfo {

enum class Ipv4Syntax {
    // inet_aton(3): 1 to 4 parts ("a", "a.b", "a.b.c", "a.b.c.d"), each part
    // decimal, octal (leading 0) or hex (0x); the last part fills the
    // remaining bytes ("127.1" is 127.0.0.1). Text after the address is
    // ignored when it starts with whitespace, as glibc does.
    aton,
    // inet_pton(AF_INET): exactly four decimal parts 0-255, no leading zeros,
    // nothing after.
    strict,
};

struct Ipv4Parse {
    bool ok = false;
    std::uint32_t value = 0;    // host order: 127.0.0.1 is 0x7f000001
    int parts = 0;              // how many dot-separated parts the input had
    std::size_t consumed = 0;   // bytes that made the address
    std::string error;          // why it was rejected, when !ok
};

// Never throws; any byte sequence (including NUL bytes) is a valid input.
Ipv4Parse parse_ipv4(std::string_view text, Ipv4Syntax syntax);

}  // namespace netinfo
