// Unit tests of the SNTP codec (apps/common/sntp): wire format, NTP <-> Unix
// nanoseconds, era resolution, RFC 3339, reply checks, offset and delay.
#include <gtest/gtest.h>

#include <time.h>

#include <cstdio>
#include <random>
#include <string>

#include "sntp_packet.hpp"
#include "sntp_reply.hpp"
#include "sntp_time.hpp"

using namespace sntp;

namespace {

constexpr std::int64_t kSec = kNanosPerSecond;

// Unix seconds of a UTC calendar date, computed by the C library (timegm):
// an independent source for the era and formatting tests.
std::int64_t utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
    tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_sec = second;
    return static_cast<std::int64_t>(timegm(&t));
}

std::string gmtime_text(std::int64_t seconds) {
    time_t s = static_cast<time_t>(seconds);
    tm t{};
    gmtime_r(&s, &t);
    char text[64];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &t);
    return text;
}

std::span<const char> bytes_of(const std::array<char, kHeaderSize>& a) { return {a.data(), a.size()}; }

}  // namespace

TEST(SntpTime, UnixEpochIsNtpSeconds2208988800) {
    EXPECT_EQ(to_ntp(0), std::uint64_t{0x83aa7e80} << 32);
    EXPECT_EQ(resolve_era(std::uint64_t{0x83aa7e80} << 32, 0), 0);
}

TEST(SntpTime, FractionIsBinaryAndRoundsToNearest) {
    EXPECT_EQ(to_ntp(kSec / 2) & 0xffffffffu, 0x80000000u);
    EXPECT_EQ(resolve_era((std::uint64_t{0x83aa7e80} << 32) | 0x80000000u, 0), kSec / 2);
    // 1 ns is 4.29 units of 2^-32 s.
    EXPECT_EQ(to_ntp(1) & 0xffffffffu, 4u);
    // The last nanosecond of a second: 4294967291.7 units, rounded up, still in that second.
    EXPECT_EQ(to_ntp(kSec - 1), (std::uint64_t{0x83aa7e80} << 32) | 0xfffffffcu);
}

TEST(SntpTime, RoundTripIsExactToTheNanosecond) {
    std::mt19937_64 rng(42);
    // 1901 to 2170, from the pivot's point of view within 68 years.
    std::uniform_int_distribution<std::int64_t> dist(utc(1901, 1, 1) * kSec, utc(2170, 1, 1) * kSec);
    for (int i = 0; i < 200000; ++i) {
        std::int64_t t = dist(rng);
        std::int64_t pivot = t + (static_cast<std::int64_t>(rng() % (60ull * 365 * 86400)) - 30ll * 365 * 86400) * kSec;
        ASSERT_EQ(resolve_era(to_ntp(t), pivot), t) << t << " pivot " << pivot;
    }
}

TEST(SntpTime, Era1BeginsOn2036_02_07) {
    std::int64_t rollover = utc(2036, 2, 7, 6, 28, 16);
    EXPECT_EQ(to_ntp(rollover * kSec), 0u);
    EXPECT_EQ(to_ntp(rollover * kSec - kSec), std::uint64_t{0xffffffff} << 32);
    EXPECT_EQ(era_of(rollover * kSec), 1);
    EXPECT_EQ(era_of(rollover * kSec - 1), 0);
    EXPECT_EQ(era_of(utc(1899, 12, 31) * kSec), -1);
    EXPECT_EQ(format_rfc3339(resolve_era(0, utc(2026, 1, 1) * kSec)), "2036-02-07T06:28:16.000000000Z");
}

TEST(SntpTime, ServerClockPast2036SeenFromToday) {
    std::int64_t today = utc(2026, 11, 26) * kSec;
    std::int64_t server = utc(2040, 6, 1, 12) * kSec + 123456789;
    NtpTimestamp wire = to_ntp(server);
    EXPECT_LT(wire >> 32, 0x20000000u) << "a 2040 clock has small era-1 seconds";
    EXPECT_EQ(resolve_era(wire, today), server);
    EXPECT_EQ(format_rfc3339(resolve_era(wire, today)), "2040-06-01T12:00:00.123456789Z");
}

TEST(SntpTime, ServerClockBefore1970SeenFromToday) {
    std::int64_t today = utc(2026, 11, 26) * kSec;
    std::int64_t server = utc(1969, 7, 20, 20, 17, 40) * kSec + 5;
    EXPECT_LT(server, 0);
    EXPECT_EQ(resolve_era(to_ntp(server), today), server);
    EXPECT_EQ(format_rfc3339(server), "1969-07-20T20:17:40.000000005Z");
}

TEST(SntpTime, FormatMatchesGmtime) {
    EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000000000Z");
    EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
    EXPECT_EQ(format_rfc3339(utc(1900, 1, 1) * kSec), "1900-01-01T00:00:00.000000000Z");
    EXPECT_EQ(format_rfc3339(utc(2000, 2, 29, 23, 59, 59) * kSec + 999999999), "2000-02-29T23:59:59.999999999Z");
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::int64_t> dist(utc(1900, 1, 1), utc(2200, 1, 1));
    for (int i = 0; i < 20000; ++i) {
        std::int64_t s = dist(rng);
        std::string text = format_rfc3339(s * kSec + 42);
        ASSERT_EQ(text.substr(0, 19), gmtime_text(s));
        ASSERT_EQ(text.substr(19), ".000000042Z");
    }
}

TEST(SntpTime, ShortFormatAndRaw) {
    EXPECT_DOUBLE_EQ(short_to_seconds(0x00018000), 1.5);
    EXPECT_EQ(format_raw(0x83aa7e8080000000ull), "83aa7e80.80000000");
}

TEST(SntpPacket, DecodesTheSeedRequest) {
    // Recipe 1.12 sends '\x1b' + 47 * '\0': leap 0, version 3, mode 3.
    std::string seed(48, '\0');
    seed[0] = '\x1b';
    auto p = decode_packet(seed);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->leap, 0);
    EXPECT_EQ(p->version, 3);
    EXPECT_EQ(p->mode, mode_client);
    EXPECT_EQ(p->transmit, 0u);
}

TEST(SntpPacket, ShortInputIsRejectedLongInputIgnoresTheTail) {
    std::string bytes(47, '\x24');
    EXPECT_FALSE(decode_packet(bytes));
    EXPECT_FALSE(decode_packet(std::span<const char>()));
    bytes.resize(68, '\x7f');  // an extension field or MAC follows the header
    EXPECT_TRUE(decode_packet(bytes));
}

TEST(SntpPacket, EncodeDecodeRoundTrip) {
    Packet p;
    p.leap = 3;
    p.version = 4;
    p.mode = mode_server;
    p.stratum = 2;
    p.poll = -6;
    p.precision = -20;
    p.root_delay = 0x00012345;
    p.root_dispersion = 0xfedc0001;
    p.ref_id = 0xc0000201;
    p.reference = 0x0102030405060708ull;
    p.origin = 0xffffffffffffffffull;
    p.receive = 0x8000000000000001ull;
    p.transmit = 0x1122334455667788ull;
    auto wire = encode_packet(p);
    EXPECT_EQ(static_cast<unsigned char>(wire[0]), 0xe4);  // 11 100 100
    EXPECT_EQ(static_cast<unsigned char>(wire[2]), 0xfa);  // -6
    EXPECT_EQ(static_cast<unsigned char>(wire[40]), 0x11);
    auto back = decode_packet(bytes_of(wire));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, p);
}

TEST(SntpPacket, RequestIsV4ClientWithTheNonce) {
    auto wire = encode_packet(make_request(0xdeadbeefcafef00dull));
    EXPECT_EQ(wire[0], '\x23');  // leap 0, version 4, mode 3
    for (int i = 1; i < 40; ++i) EXPECT_EQ(wire[static_cast<std::size_t>(i)], 0) << i;
    EXPECT_EQ(decode_packet(bytes_of(wire))->transmit, 0xdeadbeefcafef00dull);
}

TEST(SntpPacket, NoncesAreRandomAndNonZero) {
    NtpTimestamp a = random_nonce(), b = random_nonce();
    EXPECT_NE(a, 0u);
    EXPECT_NE(a, b);
}

TEST(SntpPacket, RefIdForms) {
    EXPECT_EQ(ref_id_code(0x47505300), "GPS");
    EXPECT_EQ(ref_id_code(0x52415445), "RATE");
    EXPECT_EQ(ref_id_code(0x41010a42), "A\\x01\\x0aB");
    EXPECT_EQ(ref_id_dotted(0x7f7f0101), "127.127.1.1");
    EXPECT_EQ(ref_id_hex(0x7f7f0101), "7f7f0101");
    EXPECT_EQ(ref_id_text(0x4c4f434c, 1), "LOCL");
    EXPECT_EQ(ref_id_text(0x4c4f434c, 2), "76.79.67.76");
    EXPECT_EQ(parse_ref_id("LOCL"), 0x4c4f434cu);
    EXPECT_EQ(parse_ref_id("GPS"), 0x47505300u);
    EXPECT_EQ(parse_ref_id("192.0.2.1"), 0xc0000201u);
    EXPECT_EQ(parse_ref_id("0x7F7F0101"), 0x7f7f0101u);
    EXPECT_FALSE(parse_ref_id(""));
    EXPECT_FALSE(parse_ref_id("TOOLONG"));
    EXPECT_FALSE(parse_ref_id("1.2.3.400"));
    EXPECT_FALSE(parse_ref_id("0x123456789"));
    // Valid ref-ids: 1-4 printable ASCII characters, inet_pton's dotted quad, 0x + 1-8 hex digits.
    EXPECT_EQ(parse_ref_id("A"), 0x41000000u);
    EXPECT_EQ(parse_ref_id("~!#$"), 0x7e212324u);
    EXPECT_EQ(parse_ref_id("0x1"), 0x1u);
    EXPECT_EQ(parse_ref_id("0.0.0.0"), 0u);
    EXPECT_EQ(parse_ref_id("255.255.255.255"), 0xffffffffu);
    for (const char* bad : {" ", "GP S", "A\t", "\x7f", "\xc3\xa9", " 1.2.3.4", "1.2.3.4 ", "01.2.3.4", "+1.2.3.4",
                            "1.2.3.-1", "0x", "0xg", "0x 1"})
        EXPECT_FALSE(parse_ref_id(bad)) << "'" << bad << "'";
    EXPECT_FALSE(parse_ref_id(std::string("A\0", 2)));
}

class ReplyChecks : public ::testing::Test {
protected:
    static constexpr NtpTimestamp kNonce = 0x0123456789abcdefull;
    Packet good() const {
        Packet p;
        p.version = 4;
        p.mode = mode_server;
        p.stratum = 2;
        p.origin = kNonce;
        p.receive = to_ntp(1000 * kSec);
        p.transmit = to_ntp(1000 * kSec + 1);
        return p;
    }
    ReplyCheck check(const Packet& p) const { return check_reply(bytes_of(encode_packet(p)), kNonce).check; }
};

TEST_F(ReplyChecks, AGoodReplyPasses) { EXPECT_EQ(check(good()), ReplyCheck::ok); }

TEST_F(ReplyChecks, BogusRepliesAreDropped) {
    auto wire = encode_packet(good());
    EXPECT_EQ(check_reply(std::span<const char>(wire.data(), 47), kNonce).check, ReplyCheck::too_short);
    Packet p = good();
    p.origin ^= 1;
    EXPECT_EQ(check(p), ReplyCheck::origin_mismatch);
    p = good();
    p.mode = mode_client;
    EXPECT_EQ(check(p), ReplyCheck::wrong_mode);
    p.mode = mode_broadcast;
    EXPECT_EQ(check(p), ReplyCheck::wrong_mode);
    p = good();
    p.version = 7;
    EXPECT_EQ(check(p), ReplyCheck::wrong_version);
    p.version = 0;
    EXPECT_EQ(check(p), ReplyCheck::wrong_version);
    for (std::uint8_t v = 1; v <= 4; ++v) {
        p.version = v;
        EXPECT_EQ(check(p), ReplyCheck::ok) << int(v);
    }
    for (auto c : {ReplyCheck::too_short, ReplyCheck::wrong_mode, ReplyCheck::wrong_version,
                   ReplyCheck::origin_mismatch})
        EXPECT_TRUE(is_bogus(c)) << check_name(c);
}

TEST_F(ReplyChecks, UnusableAnswersEndTheQuery) {
    Packet p = good();
    p.stratum = 0;
    p.ref_id = 0x52415445;  // RATE
    EXPECT_EQ(check(p), ReplyCheck::kiss_of_death);
    p = good();
    p.transmit = 0;
    EXPECT_EQ(check(p), ReplyCheck::zero_transmit);
    p = good();
    p.leap = 3;
    EXPECT_EQ(check(p), ReplyCheck::unsynchronized);
    p = good();
    p.stratum = 16;
    EXPECT_EQ(check(p), ReplyCheck::unsynchronized);
    p.stratum = 255;
    EXPECT_EQ(check(p), ReplyCheck::unsynchronized);
    p = good();
    p.leap = 1;  // a leap second announced is not an alarm
    EXPECT_EQ(check(p), ReplyCheck::ok);
    for (auto c : {ReplyCheck::ok, ReplyCheck::kiss_of_death, ReplyCheck::zero_transmit, ReplyCheck::unsynchronized})
        EXPECT_FALSE(is_bogus(c)) << check_name(c);
}

TEST(SntpSample, OffsetAndDelayInIntegerNanoseconds) {
    // The server runs 1.5 s ahead; 4 ms each way; it holds the request 1 ms.
    std::int64_t t1 = utc(2026, 11, 26) * kSec + 123456789;
    Packet reply;
    reply.receive = to_ntp(t1 + 1500 * 1000000 + 4 * 1000000);
    reply.transmit = to_ntp(t1 + 1500 * 1000000 + 5 * 1000000);
    reply.reference = to_ntp(t1 - 60 * kSec);
    Sample s = compute_sample(reply, t1, 9 * 1000000);
    // Only the wire's 2^-32 s rounding (< 1 ns each) may show.
    EXPECT_NEAR(s.offset_ns, 1500 * 1000000, 1);
    EXPECT_NEAR(s.delay_ns, 8 * 1000000, 1);
    EXPECT_EQ(s.t4, t1 + 9 * 1000000);
    EXPECT_EQ(s.time, s.t4 + s.offset_ns);
    EXPECT_TRUE(s.has_reference);
    EXPECT_NEAR(s.reference, t1 - 60 * kSec, 1);
}

TEST(SntpSample, ServerInTheNextEra) {
    std::int64_t t1 = utc(2026, 11, 26) * kSec;
    std::int64_t server = utc(2040, 1, 1) * kSec;
    Packet reply;
    reply.receive = to_ntp(server);
    reply.transmit = to_ntp(server);
    Sample s = compute_sample(reply, t1, 0);
    EXPECT_EQ(s.t3, server);
    EXPECT_EQ(s.offset_ns, server - t1);
    EXPECT_EQ(s.time, server);
    EXPECT_FALSE(s.has_reference);
}
