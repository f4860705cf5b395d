// The SNTP/NTP packet (RFC 4330, RFC 5905 section 7.3): the 48-byte header
// decoded into a struct and encoded back. Extension fields and MACs that may
// follow the header are ignored. Bytes in, struct out: no I/O, no allocation,
// safe on any input (a fuzz target calls decode_packet directly).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "sntp_time.hpp"

namespace sntp {

inline constexpr std::size_t kHeaderSize = 48;

enum Mode : std::uint8_t {
    mode_symmetric_active = 1,
    mode_symmetric_passive = 2,
    mode_client = 3,
    mode_server = 4,
    mode_broadcast = 5,
};

inline constexpr std::uint8_t kLeapUnsynchronized = 3;  // "alarm": the clock is not synchronized
inline constexpr std::uint8_t kStratumUnsynchronized = 16;

struct Packet {
    std::uint8_t leap = 0;     // 2 bits: 0 none, 1 +1 s, 2 -1 s, 3 unsynchronized
    std::uint8_t version = 4;  // 3 bits
    std::uint8_t mode = mode_client;  // 3 bits
    std::uint8_t stratum = 0;  // 0 kiss-o'-death, 1 primary, 2-15 secondary, 16 unsynchronized
    std::int8_t poll = 0;      // log2 seconds
    std::int8_t precision = 0; // log2 seconds
    std::uint32_t root_delay = 0;       // NTP short format (16.16 s)
    std::uint32_t root_dispersion = 0;  // NTP short format (16.16 s)
    std::uint32_t ref_id = 0;           // big-endian bytes as one number: 0x7f7f0101 is 127.127.1.1
    NtpTimestamp reference = 0;
    NtpTimestamp origin = 0;
    NtpTimestamp receive = 0;
    NtpTimestamp transmit = 0;

    friend bool operator==(const Packet&, const Packet&) = default;
};

// The header of `bytes`, or nullopt when fewer than 48 bytes.
std::optional<Packet> decode_packet(std::span<const char> bytes) noexcept;

// The 48 wire bytes of `packet` (leap, version and mode masked to their widths).
std::array<char, kHeaderSize> encode_packet(const Packet& packet) noexcept;

// A v4 client request carrying `nonce` as its transmit timestamp.
Packet make_request(NtpTimestamp nonce) noexcept;

// A random non-zero 64-bit transmit timestamp (getrandom): reveals nothing of
// our clock and makes the echoed origin a nonce an off-path spoofer must guess.
NtpTimestamp random_nonce();

// The reference id as the four bytes it holds: for stratum 0 and 1 an ASCII
// code ("GPS", "LOCL", kiss code "RATE"; NULs dropped, other bytes as \xNN).
std::string ref_id_code(std::uint32_t ref_id);
// "127.127.1.1": the dotted form used for stratum 2 and above (an IPv4
// address, or the first four bytes of an MD5 hash of an IPv6 address).
std::string ref_id_dotted(std::uint32_t ref_id);
// "7f7f0101".
std::string ref_id_hex(std::uint32_t ref_id);
// The code for stratum 0-1, the dotted form otherwise.
std::string ref_id_text(std::uint32_t ref_id, std::uint8_t stratum);
// Parses a reference id: 1 to 4 printable ASCII characters other than space
// ("LOCL", "GPS", kiss code "RATE"; NUL-padded on the right), a dotted IPv4
// address as inet_pton reads it ("127.127.1.1"), or 0x and 1 to 8 hex digits
// ("0x7f7f0101"; text starting with 0x is never a code). Anything else, the
// empty string first, is nullopt.
std::optional<std::uint32_t> parse_ref_id(const std::string& text);

}  // namespace sntp
