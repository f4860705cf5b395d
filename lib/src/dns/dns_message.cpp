// The DNS answer walker: raw bytes in, DnsMessage out.
//
// Names are read by read_wire_name (c-ares 1.18's rules for lengths, labels
// and compression pointers, in one pass); everything else is a fixed-size
// field or a length-prefixed string, each read only after checking it fits in
// its record.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

#include "dns_parse.hpp"
#include "netreactor/dns_record.hpp"
#include "wire_name.hpp"

namespace netreactor {

namespace {

struct BadMessage {
    std::string why;
};

class Walker {
public:
    Walker(std::span<const std::uint8_t> bytes, const DnsParseOptions& options)
        : buf_(bytes.data()), len_(static_cast<int>(bytes.size())), options_(options) {}

    // Fills `m`: default-constructed, or an earlier message whose storage is
    // reused (every field is overwritten; see read_section).
    void walk(DnsMessage& m) {
        if (len_ < 12) throw BadMessage{"message shorter than a DNS header"};
        m.question_name.clear();
        m.question_type = 0;
        m.id = u16(0);
        std::uint8_t b2 = buf_[2], b3 = buf_[3];
        m.flags.qr = b2 & 0x80;
        m.opcode = (b2 >> 3) & 0x0f;
        m.flags.aa = b2 & 0x04;
        m.flags.tc = b2 & 0x02;
        m.flags.rd = b2 & 0x01;
        m.flags.ra = b3 & 0x80;
        m.flags.ad = b3 & 0x20;
        m.flags.cd = b3 & 0x10;
        m.rcode = b3 & 0x0f;
        int qdcount = u16(4), ancount = u16(6), nscount = u16(8), arcount = u16(10);
        int pos = 12;
        for (int i = 0; i < qdcount; ++i) {
            if (i == 0) {
                name_into(pos, len_, m.question_name);
            } else {
                std::string other;  // read and checked, not kept
                name_into(pos, len_, other);
            }
            need(pos, 4, len_, "question");
            if (i == 0) m.question_type = u16(pos);
            pos += 4;
        }
        read_section(pos, ancount, &m.answers);
        read_section(pos, nscount, &m.authority);
        read_section(pos, arcount, options_.additional ? &m.additional : nullptr);
        // A reused message's additional section, which this walk does not fill.
        if (!options_.additional) m.additional.clear();
    }

private:
    std::uint16_t u16(int at) const { return static_cast<std::uint16_t>((buf_[at] << 8) | buf_[at + 1]); }
    std::uint32_t u32(int at) const {
        return (static_cast<std::uint32_t>(u16(at)) << 16) | static_cast<std::uint32_t>(u16(at + 2));
    }

    // `count` bytes at `pos` must lie before `end` (the message or RDATA end).
    static void need(int pos, int count, int end, const char* what) {
        if (pos > end || end - pos < count) throw BadMessage{std::string("truncated ") + what};
    }

    // The name at `pos` into `name` (empty), advancing pos past its encoding
    // (which must end before `end`; compressed parts may point anywhere in
    // the message), checked as c-ares 1.18's ares_expand_name checks it
    // (wire_name.hpp). Read straight into the string that keeps it.
    void name_into(int& pos, int end, std::string& name) {
        need(pos, 1, end, "name");
        int encoded = read_wire_name(buf_, len_, pos, name, &names_);
        if (encoded < 0) throw BadMessage{"bad name (length, label or compression pointer)"};
        need(pos, encoded, end, "name");
        pos += encoded;
    }

    // One <character-string>: a length byte and that many bytes, kept exactly
    // (NUL and non-UTF-8 bytes included).
    std::string string_at(int& pos, int end) {
        need(pos, 1, end, "character-string");
        int size = buf_[pos];
        need(pos, 1 + size, end, "character-string");
        std::string s(reinterpret_cast<const char*>(buf_ + pos + 1), static_cast<std::size_t>(size));
        pos += 1 + size;
        return s;
    }

    // Reads `count` records into `out` (OPT records left out), or only
    // checks them when `out` is null. The records `out` already holds (a
    // reused message's) are overwritten in place, their strings' buffers
    // kept; those left over are erased at the end.
    void read_section(int& pos, int count, std::vector<DnsRecord>* out) {
        // Room for the records the header announces, as far as the bytes
        // left can hold them (11 bytes at least each): one allocation, no
        // growth; a lying header costs no more than the message's size.
        if (out != nullptr && count > 0)
            out->reserve(static_cast<std::size_t>(std::min({count, (len_ - pos) / 11, 64})));
        std::size_t used = 0;  // records of `out` written by this message
        DnsRecord scratch;     // the record being checked when none is kept
        for (int i = 0; i < count; ++i) {
            // Built where it is kept (no move into the vector afterwards).
            DnsRecord* kept = nullptr;
            if (out != nullptr) kept = used < out->size() ? &(*out)[used] : &out->emplace_back();
            // A reused record's (or the scratch record's) strings are
            // cleared and refilled; the header fields below and read_rdata's
            // fields (every alternative) are set for every record.
            DnsRecord& r = kept != nullptr ? *kept : scratch;
            r.name.clear();
            r.data.clear();
            name_into(pos, len_, r.name);
            need(pos, 10, len_, "record header");
            r.type = u16(pos);
            r.rclass = u16(pos + 2);
            r.ttl = u32(pos + 4);
            int rdlen = u16(pos + 8);
            pos += 10;
            need(pos, rdlen, len_, "RDATA");
            int end = pos + rdlen;
            if (kept == nullptr && (r.type == static_cast<std::uint16_t>(DnsType::A) ||
                                    r.type == static_cast<std::uint16_t>(DnsType::AAAA))) {
                // Only checked, and an address's one check is its length
                // (read_rdata's): its text is never read.
                check_address_length(r.type, rdlen);
            } else if (r.type != static_cast<std::uint16_t>(DnsType::OPT)) {
                read_rdata(r, pos, end);
            } else {
                kept = nullptr;  // EDNS OPT: a pseudo-record, not kept (its slot is reused)
            }
            if (kept != nullptr) used++;
            pos = end;
        }
        if (out != nullptr && used < out->size()) out->erase(out->begin() + static_cast<std::ptrdiff_t>(used), out->end());
    }

    void read_rdata(DnsRecord& r, int pos, int end) {
        int rdlen = end - pos;
        switch (static_cast<DnsType>(r.type)) {
            case DnsType::A:
            case DnsType::AAAA: {
                int size = check_address_length(r.type, rdlen);
                char text[INET6_ADDRSTRLEN];
                if (size == 4) {
                    r.data.assign(text, ipv4_text(buf_ + pos, text));
                } else {
                    inet_ntop(AF_INET6, buf_ + pos, text, sizeof text);
                    r.data = text;
                }
                r.fields.emplace<DnsAddressData>().address = r.data;
                return;
            }
            // Each case builds its fields in place (emplace), not in a
            // local moved into the variant.
            case DnsType::CNAME:
            case DnsType::NS:
            case DnsType::PTR: {
                auto& d = r.fields.emplace<DnsNameData>();
                name_into(pos, end, d.target);
                exact_end(pos, end);
                r.data = d.target;
                return;
            }
            case DnsType::MX: {
                need(pos, 2, end, "MX");
                auto& d = r.fields.emplace<DnsMxData>();
                d.preference = u16(pos);
                pos += 2;
                name_into(pos, end, d.exchange);
                exact_end(pos, end);
                r.data = std::to_string(d.preference) + " " + d.exchange;
                return;
            }
            case DnsType::SRV: {
                need(pos, 6, end, "SRV");
                auto& d = r.fields.emplace<DnsSrvData>();
                d.priority = u16(pos);
                d.weight = u16(pos + 2);
                d.port = u16(pos + 4);
                pos += 6;
                name_into(pos, end, d.target);
                exact_end(pos, end);
                r.data = std::to_string(d.priority) + " " + std::to_string(d.weight) + " " + std::to_string(d.port) +
                         " " + d.target;
                return;
            }
            case DnsType::SOA: {
                auto& d = r.fields.emplace<DnsSoaData>();
                name_into(pos, end, d.mname);
                name_into(pos, end, d.rname);
                need(pos, 20, end, "SOA");
                d.serial = u32(pos);
                d.refresh = u32(pos + 4);
                d.retry = u32(pos + 8);
                d.expire = u32(pos + 12);
                d.minimum = u32(pos + 16);
                pos += 20;
                exact_end(pos, end);
                r.data = d.mname + " " + d.rname + " " + std::to_string(d.serial) + " " + std::to_string(d.refresh) +
                         " " + std::to_string(d.retry) + " " + std::to_string(d.expire) + " " +
                         std::to_string(d.minimum);
                return;
            }
            case DnsType::TXT: {
                if (rdlen == 0) throw BadMessage{"empty TXT RDATA"};
                auto& d = r.fields.emplace<DnsTxtData>();
                while (pos < end) {
                    d.strings.push_back(string_at(pos, end));
                    if (!r.data.empty()) r.data += ' ';
                    r.data += quoted(d.strings.back());
                }
                return;
            }
            case DnsType::CAA: {
                need(pos, 2, end, "CAA");
                auto& d = r.fields.emplace<DnsCaaData>();
                d.flags = buf_[pos];
                int tag_len = buf_[pos + 1];
                pos += 2;
                if (tag_len == 0) throw BadMessage{"CAA with an empty tag"};
                need(pos, tag_len, end, "CAA tag");
                d.tag.assign(reinterpret_cast<const char*>(buf_ + pos), static_cast<std::size_t>(tag_len));
                pos += tag_len;
                d.value.assign(reinterpret_cast<const char*>(buf_ + pos), static_cast<std::size_t>(end - pos));
                r.data = std::to_string(d.flags) + " " + d.tag + " " + quoted(d.value);
                return;
            }
            default: {
                auto& d = r.fields.emplace<DnsRawData>();
                d.bytes.assign(reinterpret_cast<const char*>(buf_ + pos), static_cast<std::size_t>(rdlen));
                r.data = "\\# " + std::to_string(rdlen);
                if (rdlen > 0) r.data += ' ';
                for (unsigned char c : d.bytes) {
                    char hex[3];
                    std::snprintf(hex, sizeof hex, "%02x", c);
                    r.data += hex;
                }
                return;
            }
        }
    }

    // Dotted decimal, as inet_ntop writes it (glibc's goes through sprintf,
    // about 3,500 instructions per address). `out` has room for 16 bytes;
    // returns the length written.
    static std::size_t ipv4_text(const std::uint8_t* a, char* out) {
        char* p = out;
        for (int i = 0; i < 4; ++i) {
            unsigned v = a[i];
            if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
            if (v >= 10) *p++ = static_cast<char>('0' + v / 10 % 10);
            *p++ = static_cast<char>('0' + v % 10);
            if (i < 3) *p++ = '.';
        }
        return static_cast<std::size_t>(p - out);
    }

    // An A (AAAA) record's RDATA must be 4 (16) bytes; returns that size.
    static int check_address_length(std::uint16_t type, int rdlen) {
        int size = type == static_cast<std::uint16_t>(DnsType::A) ? 4 : 16;
        if (rdlen != size) throw BadMessage{"address RDATA of wrong length"};
        return size;
    }

    static void exact_end(int pos, int end) {
        if (pos != end) throw BadMessage{"RDATA longer than its fields"};
    }

    // Zone-file quoting: printable ASCII as is, '"' and '\' escaped, any
    // other byte as \DDD. Lossless and pure ASCII.
    static std::string quoted(const std::string& s) {
        std::string out = "\"";
        for (unsigned char c : s) {
            if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out += static_cast<char>(c);
            } else {
                char esc[5];
                std::snprintf(esc, sizeof esc, "\\%03u", c);
                out += esc;
            }
        }
        out += '"';
        return out;
    }

    const std::uint8_t* buf_;
    int len_;
    const DnsParseOptions& options_;
    WireNameCache names_;  // the names read so far, for the pointers into them
};

}  // namespace

DnsParseResult parse_dns_message(std::span<const std::uint8_t> bytes) { return parse_dns_message(bytes, {}); }

std::optional<Error> parse_dns_message_into(std::span<const std::uint8_t> bytes, const DnsParseOptions& options,
                                            DnsMessage& out) {
    if (bytes.size() > 65535) return Error("BADRESP", "DNS message longer than 65535 bytes", "parse");
    try {
        Walker(bytes, options).walk(out);
    } catch (const BadMessage& bad) {
        return Error("BADRESP", "malformed DNS message: " + bad.why, "parse");
    }
    return std::nullopt;
}

DnsParseResult parse_dns_message(std::span<const std::uint8_t> bytes, const DnsParseOptions& options) {
    DnsParseResult result;
    if (auto error = parse_dns_message_into(bytes, options, result.message.emplace())) {
        result.message.reset();
        result.error = std::move(error);
    }
    return result;
}

}  // namespace netreactor
