// Fuzz target: the SNTP codec (apps/common/sntp) as nr-sntp uses it on a
// datagram from the network: decode_packet, check_reply, compute_sample, and
// the reference-id and time formatting the report prints.
//
// Input: the datagram; when it is longer than 48 bytes, the 8 bytes after the
// header also choose our clock at send time (T1) and the round trip.
//
// Oracles (independent of the code under test):
// - round trip: encode_packet(decode_packet(b)) is exactly the first 48 bytes;
// - check_reply agrees with RFC 4330's rules re-stated here, in order;
// - a reply whose origin is not our nonce is never accepted;
// - era resolution lands within half an era (2^31 s) of the pivot, and
//   resolve_era(to_ntp(t), t) == t for every time;
// - RFC 3339 text parsed back (civil-date arithmetic written here) is the time;
// - reference ids: hex and dotted forms parse back to the same number.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>

#include "sntp_packet.hpp"
#include "sntp_reply.hpp"
#include "sntp_time.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

std::uint64_t load64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
    return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void check_rfc3339(sntp::UnixNanos t) {
    std::string text = sntp::format_rfc3339(t);
    int year = 0;
    unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0, nanos = 0;
    char z = 0;
    require(std::sscanf(text.c_str(), "%d-%u-%uT%u:%u:%u.%9u%c", &year, &month, &day, &hour, &minute, &second,
                        &nanos, &z) == 8);
    require(z == 'Z' && text.size() == 30);
    require(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60);
    std::int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
    // seconds * 1e9 + nanos == t, without overflowing near the int64 ends.
    std::int64_t t_seconds = t / sntp::kNanosPerSecond, t_nanos = t % sntp::kNanosPerSecond;
    if (t_nanos < 0) {
        t_seconds -= 1;
        t_nanos += sntp::kNanosPerSecond;
    }
    require(seconds == t_seconds && nanos == static_cast<unsigned>(t_nanos));
}

constexpr std::int64_t kHalfEraNanos = (std::int64_t{1} << 31) * sntp::kNanosPerSecond;

void check_era(sntp::NtpTimestamp ts, sntp::UnixNanos pivot) {
    sntp::UnixNanos t = sntp::resolve_era(ts, pivot);
    std::int64_t distance = t > pivot ? t - pivot : pivot - t;
    require(distance <= kHalfEraNanos + sntp::kNanosPerSecond);
    // Same seconds on the wire; the fraction within one unit of rounding.
    sntp::NtpTimestamp back = sntp::to_ntp(t);
    require((back >> 32) == (ts >> 32) || ((ts & 0xffffffffu) > 0xfffffffbu));
    std::int64_t fraction_diff = static_cast<std::int64_t>(back & 0xffffffffu) - static_cast<std::int64_t>(ts & 0xffffffffu);
    require((back >> 32) != (ts >> 32) || (fraction_diff >= -3 && fraction_diff <= 3));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const char> bytes(reinterpret_cast<const char*>(data), size);
    auto packet = sntp::decode_packet(bytes);
    require(packet.has_value() == (size >= sntp::kHeaderSize));
    auto nonce_reply = sntp::check_reply(bytes, 0x0123456789abcdefULL);
    if (!packet) {
        require(nonce_reply.check == sntp::ReplyCheck::too_short && sntp::is_bogus(nonce_reply.check));
        return 0;
    }
    // Round trip, both ways.
    auto wire = sntp::encode_packet(*packet);
    require(std::memcmp(wire.data(), data, sntp::kHeaderSize) == 0);
    require(sntp::decode_packet(wire) == packet);

    // The checks in RFC 4330's order, with our nonce equal to the echoed origin...
    const sntp::Packet& p = *packet;
    auto expected = [&p](bool origin_matches) {
        using sntp::ReplyCheck;
        if (p.mode != 4) return ReplyCheck::wrong_mode;
        if (p.version < 1 || p.version > 4) return ReplyCheck::wrong_version;
        if (!origin_matches) return ReplyCheck::origin_mismatch;
        if (p.stratum == 0) return ReplyCheck::kiss_of_death;
        if (p.transmit == 0) return ReplyCheck::zero_transmit;
        if (p.leap == 3 || p.stratum >= 16) return ReplyCheck::unsynchronized;
        return ReplyCheck::ok;
    };
    auto matched = sntp::check_reply(bytes, p.origin);
    require(matched.check == expected(true) && matched.packet == p);
    // ...and with any other nonce: never accepted.
    auto spoofed = sntp::check_reply(bytes, p.origin ^ 1);
    require(spoofed.check == expected(false) && spoofed.check != sntp::ReplyCheck::ok && sntp::is_bogus(spoofed.check));
    require(std::string(sntp::check_name(matched.check)) != "?");

    // Our clock: 1900 to 2190 (a pivot whose +-68-year eras fit int64 nanoseconds),
    // and a round trip of up to 100 s.
    std::uint64_t knobs = size >= 56 ? load64(data + 48) : 0x5a5a5a5a5a5a5a5aULL;
    constexpr std::int64_t kLow = -2208988800LL * sntp::kNanosPerSecond;  // 1900-01-01
    constexpr std::int64_t kHigh = 7000000000LL * sntp::kNanosPerSecond;  // 2191-10-26
    auto span_width = static_cast<std::uint64_t>(kHigh - kLow);
    sntp::UnixNanos t1 = kLow + static_cast<std::int64_t>(knobs % span_width);
    auto elapsed = static_cast<std::int64_t>((knobs >> 20) % 100000000000ULL);

    require(sntp::resolve_era(sntp::to_ntp(t1), t1) == t1);
    check_era(p.receive, t1);
    check_era(p.transmit, t1);
    check_era(p.reference, t1);

    if (matched.check == sntp::ReplyCheck::ok) {
        sntp::Sample s = sntp::compute_sample(p, t1, elapsed);
        require(s.t4 - s.t1 == elapsed);
        // offset = ((T2 - T1) + (T3 - T4)) / 2 and delay, recomputed with every
        // step checked for overflow: hostile timestamps must not overflow int64.
        std::int64_t a = 0, b = 0, c = 0, d = 0, off2 = 0, delay = 0;
        require(!__builtin_sub_overflow(s.t2, s.t1, &a) && !__builtin_sub_overflow(s.t3, s.t4, &b));
        require(!__builtin_add_overflow(a, b, &off2));
        require(!__builtin_sub_overflow(s.t4, s.t1, &c) && !__builtin_sub_overflow(s.t3, s.t2, &d));
        require(!__builtin_sub_overflow(c, d, &delay));
        require(s.offset_ns == off2 / 2 && s.delay_ns == delay);
        require(s.time == s.t4 + s.offset_ns);
        require(s.has_reference == (p.reference != 0));
        check_rfc3339(s.t2);
        check_rfc3339(s.t3);
        check_rfc3339(s.time);
        if (s.has_reference) check_rfc3339(s.reference);
        double distance = sntp::root_distance_seconds(s);
        require(distance >= 0 && distance < 1e12);
    }
    check_rfc3339(t1);

    // Reference ids: the forms nr-sntp prints and nr-sntp-server --ref-id reads.
    require(sntp::parse_ref_id(sntp::ref_id_dotted(p.ref_id)) == p.ref_id);
    require(sntp::parse_ref_id("0x" + sntp::ref_id_hex(p.ref_id)) == p.ref_id);
    std::string code = sntp::ref_id_code(p.ref_id);
    require(code.find('\\') == std::string::npos || code.find("\\x") != std::string::npos);
    require(sntp::ref_id_text(p.ref_id, p.stratum) == (p.stratum <= 1 ? code : sntp::ref_id_dotted(p.ref_id)));
    // Any text: a parsed value prints back as hex that parses to the same value.
    std::string text(reinterpret_cast<const char*>(data), size > 12 ? 12 : size);
    if (auto v = sntp::parse_ref_id(text)) require(sntp::parse_ref_id("0x" + sntp::ref_id_hex(*v)) == v);
    return 0;
}
