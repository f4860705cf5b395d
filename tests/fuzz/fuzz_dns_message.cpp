// Fuzz target: the DNS answer walker (parse_dns_message, lib/src/dns/
// dns_message.cpp), the one module that decodes bytes a DNS server sends.
//
// Oracles:
// - exactly one of message/error is set; an error has code BADRESP;
// - round trip: a message that parses is encoded again here (uncompressed,
//   from the decoded fields: names unescaped from their presentation form,
//   RDATA from the typed fields) and parsed again: every header field and
//   every record (owner, type, class, TTL, presentation data) must come back
//   the same. This catches lossy or ambiguous presentation (an escape the
//   walker forgets) and fields read from the wrong offset;
// - presentation invariants: A/AAAA data is a valid address of the right
//   family, unknown types read "\# <length> <hex>", no OPT record is kept;
// - follow_cnames terminates with at most one name per answer;
// - parsed without keeping the additional section, the same verdict and the
//   same answer and authority sections, and no additional records;
// - decoded into a message that still holds an earlier input's decoding (the
//   resolver reuses a recycled result's storage: parse_dns_message_into), the
//   same verdict and, on success, the same message: nothing of the earlier
//   one is left.
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dns/dns_parse.hpp"
#include "netreactor/dns_record.hpp"

using namespace netreactor;

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

struct Writer {
    std::vector<std::uint8_t> b;
    void u8(unsigned v) { b.push_back(static_cast<std::uint8_t>(v)); }
    void u16(unsigned v) {
        u8((v >> 8) & 0xff);
        u8(v & 0xff);
    }
    void u32(std::uint32_t v) {
        u16(v >> 16);
        u16(v & 0xffff);
    }
    void raw(const std::string& s) { b.insert(b.end(), s.begin(), s.end()); }

    // A name in presentation form ("a\.b.c", "\000x", "." for the root) as
    // uncompressed labels. Escapes: \DDD is a byte, \c is c; an unescaped
    // dot ends a label.
    void name(const std::string& text) {
        if (text == ".") {
            u8(0);
            return;
        }
        std::string label;
        auto flush = [&] {
            require(!label.empty() && label.size() <= 63);  // the wire had a non-empty label
            u8(static_cast<unsigned>(label.size()));
            raw(label);
            label.clear();
        };
        for (std::size_t i = 0; i < text.size(); ++i) {
            char c = text[i];
            if (c == '\\') {
                require(i + 1 < text.size());  // a dangling backslash is ambiguous output
                char n = text[i + 1];
                if (n >= '0' && n <= '9') {
                    int v = 0;
                    for (int k = 1; k <= 3; ++k) {
                        require(i + k < text.size() && text[i + k] >= '0' && text[i + k] <= '9');
                        v = v * 10 + (text[i + k] - '0');
                    }
                    require(v <= 255);
                    label += static_cast<char>(v);
                    i += 3;
                } else {
                    label += n;
                    i += 1;
                }
            } else if (c == '.') {
                flush();
            } else {
                label += c;
            }
        }
        if (!label.empty()) flush();
        u8(0);
    }
};

void encode_rdata(Writer& w, const DnsRecord& r) {
    Writer d;
    std::visit(
        [&](const auto& f) {
            using T = std::decay_t<decltype(f)>;
            if constexpr (std::is_same_v<T, DnsRawData>) {
                d.raw(f.bytes);
            } else if constexpr (std::is_same_v<T, DnsAddressData>) {
                std::uint8_t addr[16];
                bool v4 = r.type == static_cast<std::uint16_t>(DnsType::A);
                require(inet_pton(v4 ? AF_INET : AF_INET6, f.address.c_str(), addr) == 1);
                d.b.insert(d.b.end(), addr, addr + (v4 ? 4 : 16));
            } else if constexpr (std::is_same_v<T, DnsNameData>) {
                d.name(f.target);
            } else if constexpr (std::is_same_v<T, DnsMxData>) {
                d.u16(f.preference);
                d.name(f.exchange);
            } else if constexpr (std::is_same_v<T, DnsSrvData>) {
                d.u16(f.priority);
                d.u16(f.weight);
                d.u16(f.port);
                d.name(f.target);
            } else if constexpr (std::is_same_v<T, DnsSoaData>) {
                d.name(f.mname);
                d.name(f.rname);
                for (std::uint32_t v : {f.serial, f.refresh, f.retry, f.expire, f.minimum}) d.u32(v);
            } else if constexpr (std::is_same_v<T, DnsTxtData>) {
                for (const auto& s : f.strings) {
                    require(s.size() <= 255);
                    d.u8(static_cast<unsigned>(s.size()));
                    d.raw(s);
                }
            } else if constexpr (std::is_same_v<T, DnsCaaData>) {
                d.u8(f.flags);
                require(!f.tag.empty() && f.tag.size() <= 255);
                d.u8(static_cast<unsigned>(f.tag.size()));
                d.raw(f.tag);
                d.raw(f.value);
            }
        },
        r.fields);
    require(d.b.size() <= 65535);
    w.u16(static_cast<unsigned>(d.b.size()));
    w.b.insert(w.b.end(), d.b.begin(), d.b.end());
}

std::vector<std::uint8_t> encode(const DnsMessage& m) {
    Writer w;
    w.u16(m.id);
    unsigned b2 = (m.flags.qr ? 0x80 : 0) | ((static_cast<unsigned>(m.opcode) & 0xf) << 3) | (m.flags.aa ? 0x04 : 0) |
                  (m.flags.tc ? 0x02 : 0) | (m.flags.rd ? 0x01 : 0);
    unsigned b3 = (m.flags.ra ? 0x80 : 0) | (m.flags.ad ? 0x20 : 0) | (m.flags.cd ? 0x10 : 0) |
                  (static_cast<unsigned>(m.rcode) & 0xf);
    w.u8(b2);
    w.u8(b3);
    w.u16(m.question_name.empty() ? 0 : 1);
    w.u16(static_cast<unsigned>(m.answers.size()));
    w.u16(static_cast<unsigned>(m.authority.size()));
    w.u16(static_cast<unsigned>(m.additional.size()));
    if (!m.question_name.empty()) {
        w.name(m.question_name);
        w.u16(m.question_type);
        w.u16(1);
    }
    for (const auto* section : {&m.answers, &m.authority, &m.additional}) {
        for (const auto& r : *section) {
            w.name(r.name);
            w.u16(r.type);
            w.u16(r.rclass);
            w.u32(r.ttl);
            encode_rdata(w, r);
        }
    }
    return w.b;
}

void check_record(const DnsRecord& r) {
    require(r.type != static_cast<std::uint16_t>(DnsType::OPT));
    require(!r.name.empty());
    if (const auto* a = std::get_if<DnsAddressData>(&r.fields)) {
        std::uint8_t addr[16];
        bool v4 = r.type == static_cast<std::uint16_t>(DnsType::A);
        require(v4 || r.type == static_cast<std::uint16_t>(DnsType::AAAA));
        require(inet_pton(v4 ? AF_INET : AF_INET6, a->address.c_str(), addr) == 1 && r.data == a->address);
    }
    if (const auto* raw = std::get_if<DnsRawData>(&r.fields)) {
        std::string prefix = "\\# " + std::to_string(raw->bytes.size());
        require(r.data.compare(0, prefix.size(), prefix) == 0);
        std::size_t hex = raw->bytes.empty() ? 0 : 2 * raw->bytes.size() + 1;
        require(r.data.size() == prefix.size() + hex);
    }
}

bool same_records(const std::vector<DnsRecord>& a, const std::vector<DnsRecord>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].name != b[i].name || a[i].type != b[i].type || a[i].rclass != b[i].rclass || a[i].ttl != b[i].ttl ||
            a[i].data != b[i].data || a[i].fields.index() != b[i].fields.index())
            return false;
    }
    return true;
}

bool same_message(const DnsMessage& a, const DnsMessage& b) {
    return a.id == b.id && a.opcode == b.opcode && a.rcode == b.rcode && a.flags.qr == b.flags.qr &&
           a.flags.aa == b.flags.aa && a.flags.tc == b.flags.tc && a.flags.rd == b.flags.rd && a.flags.ra == b.flags.ra &&
           a.flags.ad == b.flags.ad && a.flags.cd == b.flags.cd && a.question_name == b.question_name &&
           a.question_type == b.question_type && same_records(a.answers, b.answers) &&
           same_records(a.authority, b.authority) && same_records(a.additional, b.additional);
}

// The last input's successful decoding (additional section kept), kept from
// one input to the next, and the next input decoded into it with `options`:
// also without the additional section, which must then come out empty (a
// recycled result may come from a resolver that keeps it).
void check_reused_decoding(const std::uint8_t* data, std::size_t size, const DnsParseOptions& options,
                           const DnsParseResult& fresh) {
    static DnsMessage last;  // a message decoding failed into is dropped, as the resolver drops it
    DnsMessage reused = last;
    auto error = parse_dns_message_into({data, size}, options, reused);
    require(error.has_value() == fresh.error.has_value());
    if (error) return;
    require(same_message(reused, *fresh.message));
    if (options.additional) last = std::move(reused);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    DnsParseResult r = parse_dns_message({data, size});
    require(r.message.has_value() != r.error.has_value());
    check_reused_decoding(data, size, DnsParseOptions{}, r);
    // Without the additional section: the same verdict and the same other sections.
    DnsParseOptions without_additional;
    without_additional.additional = false;
    DnsParseResult lean = parse_dns_message({data, size}, without_additional);
    check_reused_decoding(data, size, without_additional, lean);
    require(lean.message.has_value() == r.message.has_value());
    if (lean.message) {
        require(lean.message->additional.empty());
        require(same_records(lean.message->answers, r.message->answers) &&
                same_records(lean.message->authority, r.message->authority));
    }
    if (r.error) {
        require(r.error->code() == "BADRESP");
        return 0;
    }
    const DnsMessage& m = *r.message;
    for (const auto* section : {&m.answers, &m.authority, &m.additional})
        for (const auto& rec : *section) check_record(rec);
    require(m.opcode >= 0 && m.opcode <= 15 && m.rcode >= 0 && m.rcode <= 15);

    CnameChain chain = follow_cnames(m.answers, m.question_name.empty() ? "." : m.question_name);
    require(chain.names.size() <= m.answers.size() + 1);

    std::vector<std::uint8_t> again = encode(m);
    if (again.size() > 65535) return 0;  // decompression can grow a message past the limit
    DnsParseResult r2 = parse_dns_message(again);
    require(r2.message.has_value());
    const DnsMessage& m2 = *r2.message;
    require(m2.id == m.id && m2.opcode == m.opcode && m2.rcode == m.rcode);
    require(m2.flags.qr == m.flags.qr && m2.flags.aa == m.flags.aa && m2.flags.tc == m.flags.tc &&
            m2.flags.rd == m.flags.rd && m2.flags.ra == m.flags.ra && m2.flags.ad == m.flags.ad &&
            m2.flags.cd == m.flags.cd);
    require(m2.question_name == m.question_name && m2.question_type == m.question_type);
    require(same_records(m.answers, m2.answers) && same_records(m.authority, m2.authority) &&
            same_records(m.additional, m2.additional));
    return 0;
}
