// NTP timestamps and Unix time in integer nanoseconds: conversion both ways,
// era resolution, RFC 3339 formatting. Pure functions, no I/O, no doubles for
// absolute time (a double holds only ~0.2 us of precision at today's dates).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sntp {

// Seconds from the NTP prime epoch (1900-01-01) to the Unix epoch (1970-01-01).
inline constexpr std::int64_t kNtpToUnixSeconds = 2208988800;
inline constexpr std::int64_t kNanosPerSecond = 1000000000;

// The 64-bit NTP timestamp as sent on the wire: 32 bits of seconds within an
// era (136 years; era 0 began 1900-01-01, era 1 begins 2036-02-07T06:28:16Z)
// and 32 bits of binary fraction.
using NtpTimestamp = std::uint64_t;

// Unix time in nanoseconds, signed: before 1970 is negative. int64 spans
// 1677-2262, which holds every date two adjacent NTP eras can name.
using UnixNanos = std::int64_t;

// The wire form of a Unix time (era dropped), fraction rounded to nearest.
NtpTimestamp to_ntp(UnixNanos unix_ns) noexcept;

// The Unix time a wire timestamp names, taking the era that puts it closest to
// `pivot` (the local clock): correct for any clock within 68 years of ours, so a
// server clock past 2036-02-07 or before 1970 is shown as what it is.
UnixNanos resolve_era(NtpTimestamp timestamp, UnixNanos pivot) noexcept;

// The NTP era (0 for 1900-2036, 1 for 2036-2172, -1 before 1900) of a Unix time.
std::int64_t era_of(UnixNanos unix_ns) noexcept;

// "2036-02-07T06:28:16.000000000Z": RFC 3339 UTC, always nine fraction digits.
std::string format_rfc3339(UnixNanos unix_ns);

// The NTP short format (16.16 fixed point, unsigned) in seconds.
double short_to_seconds(std::uint32_t value) noexcept;

// A duration in seconds, for output only: nanoseconds are exact in a double up
// to 104 days, far beyond any offset or delay that passes validation.
inline double nanos_to_seconds(std::int64_t ns) noexcept { return static_cast<double>(ns) / 1e9; }

// "e6d2f3a1.80000000": the raw seconds and fraction words in hex.
std::string format_raw(NtpTimestamp timestamp);

// The system's real-time clock (CLOCK_REALTIME) in Unix nanoseconds.
UnixNanos realtime_now() noexcept;

}  // namespace sntp
