// The client's view of a reply: is it an answer to our request at all (a
// bogus one is dropped and the client keeps waiting), is it usable (a KoD, an
// unsynchronized server or a zero transmit timestamp ends the query), and what
// offset and delay it gives (RFC 4330 section 5, RFC 5905 section 8).
#pragma once

#include <cstdint>
#include <span>

#include "sntp_packet.hpp"
#include "sntp_time.hpp"

namespace sntp {

enum class ReplyCheck {
    ok,
    // Bogus: not an answer to our request. Dropped; the client keeps waiting.
    too_short,        // fewer than 48 bytes
    wrong_mode,       // not mode 4 (server)
    wrong_version,    // not 1-4
    origin_mismatch,  // origin timestamp is not our transmit timestamp (stale or spoofed)
    // Final: the server answered us, but the answer carries no usable time.
    kiss_of_death,    // stratum 0: the ref id holds a kiss code (RATE, DENY, RSTR...)
    zero_transmit,    // transmit timestamp 0
    unsynchronized,   // leap indicator 3 or stratum 16 and above
};

// "origin_mismatch"...: the stable names used in output.
const char* check_name(ReplyCheck check) noexcept;
// True for the checks that drop a datagram and keep waiting.
bool is_bogus(ReplyCheck check) noexcept;

struct CheckedReply {
    ReplyCheck check = ReplyCheck::too_short;
    Packet packet;  // decoded when check is not too_short
};

// Decodes and classifies a datagram that came from the address and port we
// asked (the caller checks the source). `our_transmit` is the request's nonce.
CheckedReply check_reply(std::span<const char> bytes, NtpTimestamp our_transmit) noexcept;

// The four timestamps and what they give (RFC 5905 section 8):
//   offset = ((T2 - T1) + (T3 - T4)) / 2,  delay = (T4 - T1) - (T3 - T2).
struct Sample {
    Packet packet;
    UnixNanos t1 = 0;  // origin: our clock when the request left
    UnixNanos t2 = 0;  // receive: the server's clock when the request arrived
    UnixNanos t3 = 0;  // transmit: the server's clock when the reply left
    UnixNanos t4 = 0;  // destination: T1 + the monotonic time the exchange took
    std::int64_t offset_ns = 0;
    std::int64_t delay_ns = 0;
    UnixNanos time = 0;  // T4 + offset: the corrected current time at arrival
    // The reference timestamp, era-resolved; nullopt when the server sent 0.
    bool has_reference = false;
    UnixNanos reference = 0;
};

// `t1` is the real-time clock read when sending; `elapsed_ns` is T4 - T1 as
// measured on the monotonic clock, immune to steps of the real-time clock.
// Server timestamps take the era nearest to T1.
Sample compute_sample(const Packet& reply, UnixNanos t1, std::int64_t elapsed_ns) noexcept;

// RFC 5905 root synchronization distance, seconds: root dispersion plus half
// the total round trip (the server's root delay and ours).
double root_distance_seconds(const Sample& sample) noexcept;

}  // namespace sntp
