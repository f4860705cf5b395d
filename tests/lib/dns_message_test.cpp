// The DNS answer walker on hand-built packets: every decoded type, and
// malformed input (truncation, compression loops, bad lengths) rejected
// without reading out of bounds (run under ASan in the sanitizer build).
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "netreactor/dns_record.hpp"

using namespace netreactor;

namespace {

// Builds a DNS response byte by byte.
struct Packet {
    std::vector<std::uint8_t> b;

    Packet& u8(unsigned v) { b.push_back(static_cast<std::uint8_t>(v)); return *this; }
    Packet& u16(unsigned v) { return u8(v >> 8).u8(v & 0xff); }
    Packet& u32(std::uint32_t v) { return u16(v >> 16).u16(v & 0xffff); }
    Packet& raw(const std::string& s) { b.insert(b.end(), s.begin(), s.end()); return *this; }
    // Uncompressed name "a.b.c" (or "" for the root).
    Packet& name(const std::string& n) {
        std::size_t start = 0;
        while (start < n.size()) {
            auto dot = n.find('.', start);
            if (dot == std::string::npos) dot = n.size();
            u8(static_cast<unsigned>(dot - start)).raw(n.substr(start, dot - start));
            start = dot + 1;
        }
        return u8(0);
    }
    Packet& pointer(unsigned offset) { return u16(0xc000 | offset); }
    Packet& header(unsigned flags, unsigned qd, unsigned an, unsigned ns = 0, unsigned ar = 0) {
        return u16(0x1234).u16(flags).u16(qd).u16(an).u16(ns).u16(ar);
    }
    Packet& question(const std::string& n, unsigned type) { return name(n).u16(type).u16(1); }
    // Record header after the owner name; the caller appends rdlen bytes.
    Packet& rr(unsigned type, std::uint32_t ttl, unsigned rdlen) { return u16(type).u16(1).u32(ttl).u16(rdlen); }

    DnsParseResult parse() const { return parse_dns_message(b); }
};

constexpr unsigned kResponse = 0x8180;  // QR RD RA, NOERROR

DnsMessage must_parse(const Packet& p) {
    auto r = p.parse();
    EXPECT_TRUE(r.message) << (r.error ? r.error->describe() : "");
    return r.message.value_or(DnsMessage{});
}

void expect_bad(const Packet& p, const char* what) {
    auto r = p.parse();
    EXPECT_FALSE(r.message) << what;
    ASSERT_TRUE(r.error) << what;
    EXPECT_EQ(r.error->code(), "BADRESP") << what;
}

}  // namespace

TEST(DnsMessage, HeaderFlagsAndRcode) {
    Packet p;
    p.header(0x8000 | 0x0400 | 0x0200 | 0x0100 | 0x0080 | 0x0020 | 0x0003, 1, 0).question("nx.test", 1);
    auto m = must_parse(p);
    EXPECT_EQ(m.id, 0x1234);
    EXPECT_TRUE(m.flags.qr);
    EXPECT_TRUE(m.flags.aa);
    EXPECT_TRUE(m.flags.tc);
    EXPECT_TRUE(m.flags.rd);
    EXPECT_TRUE(m.flags.ra);
    EXPECT_TRUE(m.flags.ad);
    EXPECT_FALSE(m.flags.cd);
    EXPECT_EQ(m.rcode, 3);
    EXPECT_EQ(dns_rcode_name(m.rcode), "NXDOMAIN");
    EXPECT_EQ(m.question_name, "nx.test");
    EXPECT_EQ(m.question_type, 1);
    EXPECT_TRUE(m.answers.empty());
}

TEST(DnsMessage, AddressRecordsWithCompressedOwners) {
    Packet p;
    p.header(kResponse, 1, 2).question("www.example.test", 1);
    p.pointer(12).rr(1, 300, 4).u8(192).u8(0).u8(2).u8(7);
    p.pointer(12).rr(28, 3600, 16).u16(0x2001).u16(0xdb8).u32(0).u32(0).u32(1);
    auto m = must_parse(p);
    ASSERT_EQ(m.answers.size(), 2u);
    EXPECT_EQ(m.answers[0].name, "www.example.test");
    EXPECT_EQ(m.answers[0].ttl, 300u);
    EXPECT_EQ(m.answers[0].data, "192.0.2.7");
    EXPECT_EQ(std::get<DnsAddressData>(m.answers[0].fields).address, "192.0.2.7");
    EXPECT_EQ(m.answers[1].type, 28);
    EXPECT_EQ(m.answers[1].data, "2001:db8::1");
}

// The walker writes IPv4 text itself (not through inet_ntop): every octet
// width (1, 2, 3 digits; 0, 9, 10, 99, 100, 255) in every position reads as
// inet_ntop writes it.
TEST(DnsMessage, Ipv4TextMatchesInetNtop) {
    const std::uint8_t octets[] = {0, 1, 9, 10, 42, 99, 100, 199, 200, 255};
    for (std::uint8_t a : octets) {
        for (std::uint8_t b : octets) {
            Packet p;
            p.header(kResponse, 1, 1).question("a.test", 1);
            p.pointer(12).rr(1, 60, 4).u8(a).u8(b).u8(b).u8(a);
            auto m = must_parse(p);
            std::uint8_t raw[4] = {a, b, b, a};
            char want[INET_ADDRSTRLEN];
            ASSERT_NE(inet_ntop(AF_INET, raw, want, sizeof want), nullptr);
            EXPECT_EQ(m.answers.at(0).data, want);
            EXPECT_EQ(std::get<DnsAddressData>(m.answers.at(0).fields).address, want);
        }
    }
}

TEST(DnsMessage, NameBasedTypes) {
    Packet p;
    p.header(kResponse, 1, 6).question("example.test", 15);
    p.pointer(12).rr(15, 60, 2 + 5 + 2).u16(10).u8(4).raw("mail").pointer(12);  // mail.example.test
    p.pointer(12).rr(2, 60, 6).u8(3).raw("ns1").pointer(12);
    p.pointer(12).rr(5, 60, 2).pointer(12);
    p.pointer(12).rr(12, 60, 2).pointer(12);
    p.pointer(12).rr(33, 60, 6 + 2).u16(1).u16(2).u16(5060).pointer(12);
    unsigned soa_len = 2 + 2 + 20;
    p.pointer(12).rr(6, 60, soa_len).pointer(12).pointer(12).u32(2024010101).u32(7200).u32(900).u32(1209600).u32(300);
    auto m = must_parse(p);
    ASSERT_EQ(m.answers.size(), 6u);
    auto mx = std::get<DnsMxData>(m.answers[0].fields);
    EXPECT_EQ(mx.preference, 10);
    EXPECT_EQ(mx.exchange, "mail.example.test");
    EXPECT_EQ(m.answers[0].data, "10 mail.example.test");
    EXPECT_EQ(std::get<DnsNameData>(m.answers[1].fields).target, "ns1.example.test");
    EXPECT_EQ(m.answers[2].data, "example.test");
    EXPECT_EQ(dns_type_name(m.answers[3].type), "PTR");
    auto srv = std::get<DnsSrvData>(m.answers[4].fields);
    EXPECT_EQ(srv.priority, 1);
    EXPECT_EQ(srv.weight, 2);
    EXPECT_EQ(srv.port, 5060);
    EXPECT_EQ(m.answers[4].data, "1 2 5060 example.test");
    auto soa = std::get<DnsSoaData>(m.answers[5].fields);
    EXPECT_EQ(soa.serial, 2024010101u);
    EXPECT_EQ(soa.refresh, 7200u);
    EXPECT_EQ(soa.retry, 900u);
    EXPECT_EQ(soa.expire, 1209600u);
    EXPECT_EQ(soa.minimum, 300u);
    EXPECT_EQ(m.answers[5].data, "example.test example.test 2024010101 7200 900 1209600 300");
}

TEST(DnsMessage, TxtIsLosslessAcrossStringsAndBytes) {
    std::string s1(255, 'a'), s2(255, 'b'), s3 = std::string("x\0y\xff\"\\", 6);
    Packet p;
    p.header(kResponse, 1, 1).question("t.test", 16);
    p.pointer(12).rr(16, 5, static_cast<unsigned>(3 + s1.size() + s2.size() + s3.size()));
    p.u8(255).raw(s1).u8(255).raw(s2).u8(6).raw(s3);
    auto m = must_parse(p);
    ASSERT_EQ(m.answers.size(), 1u);
    auto txt = std::get<DnsTxtData>(m.answers[0].fields);
    ASSERT_EQ(txt.strings.size(), 3u);
    EXPECT_EQ(txt.strings[0], s1);
    EXPECT_EQ(txt.strings[1], s2);
    EXPECT_EQ(txt.strings[2], s3);
    EXPECT_TRUE(m.answers[0].data.ends_with(" \"x\\000y\\255\\\"\\\\\""));
}

TEST(DnsMessage, EmptyTxtStringAndCaa) {
    Packet p;
    p.header(kResponse, 1, 2).question("c.test", 257);
    p.pointer(12).rr(16, 5, 1).u8(0);
    p.pointer(12).rr(257, 5, 2 + 5 + 11).u8(128).u8(5).raw("issue").raw("ca.test;x=1");
    auto m = must_parse(p);
    ASSERT_EQ(m.answers.size(), 2u);
    EXPECT_EQ(std::get<DnsTxtData>(m.answers[0].fields).strings, std::vector<std::string>{""});
    auto caa = std::get<DnsCaaData>(m.answers[1].fields);
    EXPECT_EQ(caa.flags, 128);
    EXPECT_EQ(caa.tag, "issue");
    EXPECT_EQ(caa.value, "ca.test;x=1");
    EXPECT_EQ(m.answers[1].data, "128 issue \"ca.test;x=1\"");
}

TEST(DnsMessage, UnknownTypeKeepsRawBytesAndOptIsSkipped) {
    Packet p;
    p.header(kResponse, 1, 1, 0, 1).question("u.test", 99);
    p.pointer(12).rr(99, 1, 3).u8(1).u8(0xab).u8(0xff);
    p.u8(0).u16(41).u16(1232).u32(0).u16(0);  // EDNS OPT
    auto m = must_parse(p);
    ASSERT_EQ(m.answers.size(), 1u);
    EXPECT_EQ(m.answers[0].data, "\\# 3 01abff");
    EXPECT_EQ(std::get<DnsRawData>(m.answers[0].fields).bytes, std::string("\x01\xab\xff", 3));
    EXPECT_TRUE(m.additional.empty());
}

TEST(DnsMessage, TheAdditionalSectionIsCheckedEvenWhenNotKept) {
    DnsParseOptions without;
    without.additional = false;
    Packet p;
    p.header(kResponse, 1, 1, 0, 2).question("a.test", 1);
    p.pointer(12).rr(1, 60, 4).u8(192).u8(0).u8(2).u8(1);
    p.name("ns.test").rr(1, 60, 4).u8(127).u8(0).u8(0).u8(1);
    p.u8(0).u16(41).u16(1232).u32(0).u16(0);  // EDNS OPT
    auto kept = must_parse(p);
    ASSERT_EQ(kept.additional.size(), 1u);
    EXPECT_EQ(kept.additional[0].name, "ns.test");
    EXPECT_EQ(kept.additional[0].data, "127.0.0.1");
    auto dropped = parse_dns_message(p.b, without);
    ASSERT_TRUE(dropped.message);
    EXPECT_TRUE(dropped.message->additional.empty());
    ASSERT_EQ(dropped.message->answers.size(), 1u);
    EXPECT_EQ(dropped.message->answers[0].data, "192.0.2.1");
    // A malformed additional record (an A record of 3 bytes) is BADRESP
    // whether the section is kept or not.
    Packet bad;
    bad.header(kResponse, 1, 1, 0, 1).question("a.test", 1);
    bad.pointer(12).rr(1, 60, 4).u8(192).u8(0).u8(2).u8(1);
    bad.name("ns.test").rr(1, 60, 3).u8(127).u8(0).u8(1);
    expect_bad(bad, "bad additional A, kept");
    auto still_bad = parse_dns_message(bad.b, without);
    EXPECT_FALSE(still_bad.message);
    ASSERT_TRUE(still_bad.error);
    EXPECT_EQ(still_bad.error->code(), "BADRESP");
}

TEST(DnsMessage, AuthoritySection) {
    Packet p;
    p.header(0x8400, 1, 0, 1).question("nodata.test", 1);
    p.name("test").rr(6, 3600, 26).u8(2).raw("ns").pointer(12 + 7).u8(0).u32(1).u32(2).u32(3).u32(4).u32(5);
    auto m = must_parse(p);
    EXPECT_TRUE(m.answers.empty());
    ASSERT_EQ(m.authority.size(), 1u);
    EXPECT_EQ(m.authority[0].name, "test");
    EXPECT_EQ(m.authority[0].ttl, 3600u);
    EXPECT_EQ(std::get<DnsSoaData>(m.authority[0].fields).mname, "ns.test");
    EXPECT_EQ(std::get<DnsSoaData>(m.authority[0].fields).rname, ".");
}

TEST(DnsMessage, OddLabelBytesAreEscapedNotLost) {
    // A label of one NUL byte (c-ares 1.18 writes it as a raw NUL), a dot and
    // a backslash inside labels, a byte above 0x7e.
    Packet p;
    p.header(kResponse, 1, 0).u8(1).raw("a").u8(1).u8(0).u8(3).raw("x.y").u8(2).raw("\\\xff").u8(0).u16(1).u16(1);
    auto m = must_parse(p);
    EXPECT_EQ(m.question_name, "a.\\000.x\\.y.\\\\\\255");
    Packet nul_only;
    nul_only.header(kResponse, 1, 0).u8(1).u8(0).u8(0).u16(1).u16(1);
    EXPECT_EQ(must_parse(nul_only).question_name, "\\000");
}

TEST(DnsMessage, TruncatedAnywhereIsRejected) {
    Packet p;
    p.header(kResponse, 1, 2).question("www.example.test", 16);
    p.pointer(12).rr(16, 5, 6).u8(5).raw("hello");
    p.pointer(12).rr(1, 5, 4).u8(1).u8(2).u8(3).u8(4);
    ASSERT_TRUE(p.parse().message);
    for (std::size_t cut = 0; cut < p.b.size(); ++cut) {
        Packet shorter;
        shorter.b.assign(p.b.begin(), p.b.begin() + static_cast<long>(cut));
        expect_bad(shorter, ("cut at " + std::to_string(cut)).c_str());
    }
}

TEST(DnsMessage, CompressionLoopsAndForwardPointersAreRejected) {
    Packet self;
    self.header(kResponse, 1, 0).pointer(12).u16(1).u16(1);  // name points to itself
    expect_bad(self, "self pointer");
    Packet pair;
    pair.header(kResponse, 1, 0).pointer(14).pointer(12).u16(1).u16(1);  // 12 -> 14 -> 12
    expect_bad(pair, "two-pointer loop");
    Packet beyond;
    beyond.header(kResponse, 1, 0).pointer(0x3fff).u16(1).u16(1);
    expect_bad(beyond, "pointer past the end");
}

TEST(DnsMessage, BadLengthsAreRejected) {
    Packet label;
    label.header(kResponse, 1, 0).u8(64).raw(std::string(64, 'a')).u8(0).u16(1).u16(1);
    expect_bad(label, "label length 64 (reserved bits)");
    Packet rdlen;
    rdlen.header(kResponse, 1, 1).question("a.test", 1).pointer(12).rr(1, 5, 40).u32(0);
    expect_bad(rdlen, "RDATA longer than the message");
    Packet a5;
    a5.header(kResponse, 1, 1).question("a.test", 1).pointer(12).rr(1, 5, 5).u32(0).u8(0);
    expect_bad(a5, "A record of 5 bytes");
    Packet txt;
    txt.header(kResponse, 1, 1).question("a.test", 16).pointer(12).rr(16, 5, 3).u8(9).raw("ab");
    expect_bad(txt, "TXT string longer than its RDATA");
    Packet cname;
    cname.header(kResponse, 1, 1).question("a.test", 5).pointer(12).rr(5, 5, 4).pointer(12).u16(0);
    expect_bad(cname, "CNAME with trailing bytes");
    Packet mx;
    mx.header(kResponse, 1, 1).question("a.test", 15).pointer(12).rr(15, 5, 1).u8(0);
    expect_bad(mx, "MX shorter than its preference");
    Packet caa;
    caa.header(kResponse, 1, 1).question("a.test", 257).pointer(12).rr(257, 5, 3).u8(0).u8(9).u8('x');
    expect_bad(caa, "CAA tag longer than its RDATA");
    Packet counts;
    counts.header(kResponse, 1, 5).question("a.test", 1);
    expect_bad(counts, "answer count larger than the records present");
}

TEST(DnsMessage, ArbitraryBytesNeverCrash) {
    // A cheap in-test fuzz pass (the libFuzzer target does the real one).
    std::uint32_t seed = 12345;
    auto next = [&] { seed = seed * 1103515245u + 12345u; return static_cast<std::uint8_t>(seed >> 16); };
    Packet base;
    base.header(kResponse, 1, 3, 1).question("www.example.test", 16);
    base.pointer(12).rr(16, 5, 6).u8(5).raw("hello");
    base.pointer(12).rr(15, 5, 4).u16(1).pointer(12);
    base.pointer(12).rr(257, 5, 4).u8(0).u8(1).raw("ab");
    base.pointer(12).rr(6, 5, 24).pointer(12).pointer(12).u32(1).u32(2).u32(3).u32(4).u32(5);
    int parsed = 0;
    for (int i = 0; i < 20000; ++i) {
        Packet p = base;
        int flips = 1 + next() % 4;
        for (int f = 0; f < flips; ++f) p.b[next() % p.b.size()] = next();
        auto r = p.parse();
        EXPECT_NE(r.message.has_value(), r.error.has_value());
        parsed += r.message.has_value();
    }
    EXPECT_GT(parsed, 0);
}

TEST(DnsNames, ValidationBeforeSending) {
    EXPECT_FALSE(validate_dns_name("www.example.test"));
    EXPECT_FALSE(validate_dns_name("www.example.test."));
    EXPECT_FALSE(validate_dns_name("."));
    EXPECT_FALSE(validate_dns_name(std::string(63, 'a') + ".test"));
    EXPECT_EQ(validate_dns_name(std::string(64, 'a') + ".test")->code(), "BADNAME");
    EXPECT_EQ(validate_dns_name("a..test")->code(), "BADNAME");
    EXPECT_EQ(validate_dns_name("")->code(), "BADNAME");
    std::string long_name;
    while (long_name.size() < 254) long_name += "abcdefghi.";
    long_name.resize(254);
    if (long_name.back() == '.') long_name.back() = 'x';
    EXPECT_EQ(validate_dns_name(long_name)->code(), "BADNAME");
    EXPECT_FALSE(validate_dns_name(long_name.substr(0, 253)));
}

TEST(DnsNames, ReverseNames) {
    EXPECT_EQ(reverse_name("192.0.2.1"), "1.2.0.192.in-addr.arpa");
    EXPECT_EQ(reverse_name("2001:db8::567:89ab"),
              "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
    EXPECT_FALSE(reverse_name("www.example.test"));
}

TEST(DnsNames, TypeNames) {
    EXPECT_EQ(dns_type_from_name("mx"), 15);
    EXPECT_EQ(dns_type_from_name("CAA"), 257);
    EXPECT_EQ(dns_type_from_name("TYPE65"), 65);
    EXPECT_FALSE(dns_type_from_name("BOGUS"));
    EXPECT_FALSE(dns_type_from_name("TYPE70000"));
    EXPECT_EQ(dns_type_name(65), "TYPE65");
    // The mnemonic alone: the same text for every type that has one, none for the others.
    for (unsigned type = 0; type <= 65535; ++type) {
        auto mnemonic = dns_type_mnemonic(static_cast<std::uint16_t>(type));
        if (mnemonic.empty()) {
            EXPECT_EQ(dns_type_name(static_cast<std::uint16_t>(type)), "TYPE" + std::to_string(type));
        } else {
            EXPECT_EQ(dns_type_name(static_cast<std::uint16_t>(type)), mnemonic);
            EXPECT_EQ(dns_type_from_name(mnemonic), type);
        }
    }
    EXPECT_EQ(dns_type_mnemonic(28), "AAAA");
    EXPECT_EQ(dns_type_mnemonic(65), "");
}

TEST(DnsNames, CnameChainsAndLoops) {
    auto cname = [](std::string owner, std::string target) {
        DnsRecord r;
        r.name = std::move(owner);
        r.type = 5;
        r.fields = DnsNameData{std::move(target)};
        return r;
    };
    auto chain = follow_cnames({cname("b.test", "c.test"), cname("A.test", "b.test")}, "a.test.");
    EXPECT_EQ(chain.names, (std::vector<std::string>{"b.test", "c.test"}));
    EXPECT_FALSE(chain.loop);
    auto loop = follow_cnames({cname("a.test", "b.test"), cname("b.test", "a.test")}, "a.test");
    EXPECT_TRUE(loop.loop);
}

TEST(DnsMessage, ASpaceInALabelIsWrittenAsDdd) {
    // RFC 1035 presentation format: a name never shows a raw space.
    Packet p;
    p.header(kResponse, 1, 0).u8(3).raw("a b").u8(4).raw("test").u8(0).u16(1).u16(1);
    EXPECT_EQ(must_parse(p).question_name, "a\\032b.test");
}

TEST(DnsNames, EscapesAreReadOnInput) {
    EXPECT_FALSE(validate_dns_name("a\\032b.test"));
    EXPECT_FALSE(validate_dns_name("x\\.y.test"));
    EXPECT_FALSE(validate_dns_name("\\\\.test"));
    EXPECT_FALSE(validate_dns_name("\\a.test"));
    // Lengths count the bytes a label carries, not the characters typed.
    std::string escaped63, escaped64;
    for (int i = 0; i < 63; ++i) escaped63 += "\\097";
    escaped64 = escaped63 + "a";
    EXPECT_FALSE(validate_dns_name(escaped63 + ".test"));
    EXPECT_EQ(validate_dns_name(escaped64 + ".test")->code(), "BADNAME");
    // A raw NUL byte is never part of a name; bad escapes are rejected.
    EXPECT_EQ(validate_dns_name(std::string("w\0ww.test", 9))->code(), "BADNAME");
    EXPECT_EQ(validate_dns_name("a\\256.test")->code(), "BADNAME");
    EXPECT_EQ(validate_dns_name("a\\25")->code(), "BADNAME");
    EXPECT_EQ(validate_dns_name("a\\")->code(), "BADNAME");
    EXPECT_EQ(validate_dns_name(".test")->code(), "BADNAME");
}

TEST(DnsNames, AnyAndRfc3597TypeNames) {
    EXPECT_EQ(dns_type_from_name("any"), 255);
    EXPECT_EQ(dns_type_name(255), "ANY");
    EXPECT_EQ(dns_type_from_name("TYPE65280"), 65280);
    EXPECT_EQ(dns_type_name(65280), "TYPE65280");
}
