#include "sntp_time.hpp"

#include <time.h>

#include <chrono>
#include <cstdio>
#include <limits>

namespace sntp {

namespace {

constexpr std::int64_t kEraSeconds = std::int64_t{1} << 32;

// Floor division and its remainder (C++ `/` truncates toward zero).
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
constexpr std::int64_t floor_mod(std::int64_t a, std::int64_t b) noexcept { return a - floor_div(a, b) * b; }

// Seconds since 1900-01-01 (all eras) to Unix nanoseconds.
UnixNanos from_ntp_seconds(std::int64_t ntp_seconds, std::uint32_t fraction) noexcept {
    // fraction * 1e9 < 2^62: exact in 64 bits; round to the nearest nanosecond.
    auto nanos = static_cast<std::int64_t>((std::uint64_t{fraction} * kNanosPerSecond + (std::uint64_t{1} << 31)) >> 32);
    // Saturates at the ends of int64 (1677, 2262) instead of overflowing: a
    // timestamp resolved against a pivot that is itself a server's time (the
    // reference against T3) can land 136 years from our clock.
    std::int64_t seconds_ns = 0;
    if (__builtin_mul_overflow(ntp_seconds - kNtpToUnixSeconds, kNanosPerSecond, &seconds_ns) ||
        seconds_ns > std::numeric_limits<std::int64_t>::max() - nanos)
        return ntp_seconds < kNtpToUnixSeconds ? std::numeric_limits<std::int64_t>::min()
                                               : std::numeric_limits<std::int64_t>::max();
    return seconds_ns + nanos;
}

}  // namespace

NtpTimestamp to_ntp(UnixNanos unix_ns) noexcept {
    std::int64_t seconds = floor_div(unix_ns, kNanosPerSecond);
    auto nanos = static_cast<std::uint64_t>(floor_mod(unix_ns, kNanosPerSecond));
    // nanos < 2^30, so nanos << 32 < 2^62; round to the nearest 2^-32 s. The
    // largest, 999999999 ns, gives 0xfffffffc: rounding never carries.
    std::uint64_t fraction = ((nanos << 32) + kNanosPerSecond / 2) / kNanosPerSecond;
    std::int64_t ntp_seconds = seconds + kNtpToUnixSeconds;
    auto era_seconds = static_cast<std::uint64_t>(floor_mod(ntp_seconds, kEraSeconds));
    return (era_seconds << 32) | fraction;
}

std::int64_t era_of(UnixNanos unix_ns) noexcept {
    return floor_div(floor_div(unix_ns, kNanosPerSecond) + kNtpToUnixSeconds, kEraSeconds);
}

UnixNanos resolve_era(NtpTimestamp timestamp, UnixNanos pivot) noexcept {
    auto seconds = static_cast<std::int64_t>(timestamp >> 32);
    auto fraction = static_cast<std::uint32_t>(timestamp & 0xffffffffu);
    std::int64_t pivot_seconds = floor_div(pivot, kNanosPerSecond) + kNtpToUnixSeconds;
    std::int64_t candidate = floor_div(pivot_seconds, kEraSeconds) * kEraSeconds + seconds;
    // Take the era that lands within half an era (68 years) of the pivot.
    if (candidate - pivot_seconds >= kEraSeconds / 2) candidate -= kEraSeconds;
    else if (pivot_seconds - candidate > kEraSeconds / 2) candidate += kEraSeconds;
    return from_ntp_seconds(candidate, fraction);
}

std::string format_rfc3339(UnixNanos unix_ns) {
    using namespace std::chrono;
    std::int64_t seconds = floor_div(unix_ns, kNanosPerSecond);
    std::int64_t nanos = floor_mod(unix_ns, kNanosPerSecond);
    std::int64_t day_number = floor_div(seconds, 86400);
    std::int64_t second_of_day = floor_mod(seconds, 86400);
    year_month_day date{sys_days{days{day_number}}};
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%09dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
                  static_cast<int>(second_of_day % 60), static_cast<int>(nanos));
    return text;
}

double short_to_seconds(std::uint32_t value) noexcept { return static_cast<double>(value) / 65536.0; }

std::string format_raw(NtpTimestamp timestamp) {
    char text[24];
    std::snprintf(text, sizeof text, "%08x.%08x", static_cast<unsigned>(timestamp >> 32),
                  static_cast<unsigned>(timestamp & 0xffffffffu));
    return text;
}

UnixNanos realtime_now() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * kNanosPerSecond + ts.tv_nsec;
}

}  // namespace sntp
