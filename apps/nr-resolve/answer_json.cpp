#include "answer_json.hpp"

#include <array>
#include <cmath>
#include <variant>

#include "json_line.hpp"
#include "json_output.hpp"

namespace resolve {

namespace {

bool is_utf8(const std::string& s) {
    std::size_t i = 0, n = s.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra;
        std::uint32_t cp;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xe0) == 0xc0) { extra = 1; cp = c & 0x1f; }
        else if ((c & 0xf0) == 0xe0) { extra = 2; cp = c & 0x0f; }
        else if ((c & 0xf8) == 0xf0) { extra = 3; cp = c & 0x07; }
        else return false;
        if (i + extra >= n) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        // Overlong forms, surrogates, beyond U+10FFFF.
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return false;
        i += extra + 1;
    }
    return true;
}

std::string base64(const std::string& in) {
    static const char* const table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        std::uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                          static_cast<unsigned char>(in[i + 2]);
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i < in.size()) {
        std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// `,"type":"MX","ttl":` for a type with a mnemonic (made the first time the
// type is seen; a mnemonic needs no escape): one append per record where
// there were three. Empty for a type without one.
std::string_view type_ttl_fragment(std::uint16_t type) {
    static std::array<std::string, 258> fragments;  // CAA, 257, has the largest mnemonic number
    std::string_view mnemonic = netreactor::dns_type_mnemonic(type);
    if (mnemonic.empty() || type >= fragments.size()) return {};
    std::string& fragment = fragments[type];
    if (fragment.empty()) fragment = ",\"type\":\"" + std::string(mnemonic) + "\",\"ttl\":";
    return fragment;
}

// `,"type":"MX","source":"dns","server":` for a question of a type with a
// mnemonic (made the first time the type is seen). Empty for the others.
std::string_view question_type_fragment(std::uint16_t type) {
    static std::array<std::string, 258> fragments;
    std::string_view mnemonic = netreactor::dns_type_mnemonic(type);
    if (mnemonic.empty() || type >= fragments.size()) return {};
    std::string& fragment = fragments[type];
    if (fragment.empty()) fragment = ",\"type\":\"" + std::string(mnemonic) + "\",\"source\":\"dns\",\"server\":";
    return fragment;
}

// The answer line of docs/json/nr-resolve.schema.json, written as literal
// fragments ("keys and punctuation") and escaped values, in the order of the
// schema: no tree, no temporary strings for the common record types.
class AnswerWriter {
public:
    explicit AnswerWriter(LineBuffer& out) : out_(out) {}

    void text(std::string_view literal) { out_.append(literal); }
    void str(std::string_view value) { append_json_string(out_, value); }
    void num(std::uint64_t value) { append_json_number(out_, value); }
    void boolean(bool value) { append_json_bool(out_, value); }

    void operator()(const netreactor::DnsRawData&) {}
    void operator()(const netreactor::DnsAddressData& d) { text(",\"address\":"); str(d.address); }
    void operator()(const netreactor::DnsNameData& d) { text(",\"target\":"); str(d.target); }
    void operator()(const netreactor::DnsMxData& d) {
        text(",\"preference\":"); num(d.preference);
        text(",\"exchange\":"); str(d.exchange);
    }
    void operator()(const netreactor::DnsSrvData& d) {
        text(",\"priority\":"); num(d.priority);
        text(",\"weight\":"); num(d.weight);
        text(",\"port\":"); num(d.port);
        text(",\"target\":"); str(d.target);
    }
    void operator()(const netreactor::DnsSoaData& d) {
        text(",\"mname\":"); str(d.mname);
        text(",\"rname\":"); str(d.rname);
        text(",\"serial\":"); num(d.serial);
        text(",\"refresh\":"); num(d.refresh);
        text(",\"retry\":"); num(d.retry);
        text(",\"expire\":"); num(d.expire);
        text(",\"minimum\":"); num(d.minimum);
    }
    void operator()(const netreactor::DnsTxtData& d) {
        bool utf8 = true;
        for (const auto& s : d.strings) utf8 = utf8 && is_utf8(s);
        std::string joined;
        for (const auto& s : d.strings) joined += s;
        text(",\"strings\":[");
        bool first = true;
        for (const auto& s : d.strings) {
            if (!first) text(",");
            first = false;
            if (utf8) str(s); else str(base64(s));
        }
        text("],\"text\":");
        str(utf8 ? joined : base64(joined));
        text(utf8 ? ",\"encoding\":\"utf-8\"" : ",\"encoding\":\"base64\"");
    }
    void operator()(const netreactor::DnsCaaData& d) {
        bool utf8 = is_utf8(d.value);
        text(",\"flags\":"); num(d.flags);
        text(",\"tag\":"); str(is_utf8(d.tag) ? d.tag : base64(d.tag));
        text(",\"value\":"); str(utf8 ? d.value : base64(d.value));
        text(utf8 ? ",\"encoding\":\"utf-8\"" : ",\"encoding\":\"base64\"");
    }

    void record(const netreactor::DnsRecord& r) {
        text("{\"name\":"); str(r.name);
        if (std::string_view fragment = type_ttl_fragment(r.type); !fragment.empty()) {
            text(fragment);
        } else {
            text(",\"type\":"); str(netreactor::dns_type_name(r.type));
            text(",\"ttl\":");
        }
        num(r.ttl);
        text(",\"data\":"); str(r.data);
        std::visit(*this, r.fields);
        text("}");
    }

    void records(std::string_view key, const std::vector<netreactor::DnsRecord>* list) {
        text(key);
        bool first = true;
        if (list != nullptr) {
            for (const auto& r : *list) {
                if (!first) text(",");
                first = false;
                record(r);
            }
        }
        text("]");
    }

private:
    LineBuffer& out_;
};

// dns_rcode_name() without building a string per answer: the names of the
// 16 rcodes a header holds, made once; null for any other number.
const std::string* header_rcode_name(int rcode) {
    static const std::array<std::string, 16> names = [] {
        std::array<std::string, 16> n;
        for (int i = 0; i < 16; ++i) n[static_cast<std::size_t>(i)] = netreactor::dns_rcode_name(i);
        return n;
    }();
    return rcode >= 0 && rcode < 16 ? &names[static_cast<std::size_t>(rcode)] : nullptr;
}

// `"NOERROR","rcode":"NOERROR"`: the status and the header's rcode (0-15)
// in one fragment per pair (made the first time the pair is seen, by the
// same writer as the rest), where there were two strings and a literal.
// Empty for a status or rcode out of range.
std::string_view status_rcode_fragment(netreactor::DnsStatus status, int rcode) {
    constexpr std::size_t kStatuses = static_cast<std::size_t>(netreactor::DnsStatus::Failed) + 1;
    static std::array<std::string, kStatuses * 16> fragments;
    const auto index = static_cast<std::size_t>(status);
    const std::string* rcode_name = header_rcode_name(rcode);
    if (index >= kStatuses || rcode_name == nullptr) return {};
    std::string& fragment = fragments[index * 16 + static_cast<std::size_t>(rcode)];
    if (fragment.empty()) {
        LineBuffer line;
        append_json_string(line, netreactor::to_string(status));
        line.append(",\"rcode\":");
        append_json_string(line, *rcode_name);
        fragment = line.view();
    }
    return fragment;
}

// `,"flags":{"qr":...,"cd":...},"rtt_ms":` for the header flags, one
// fragment for all seven (made the first time each combination is seen, out
// of 128): one append per answer where there were seven.
std::string_view flags_fragment(const netreactor::DnsHeaderFlags& f) {
    static std::array<std::string, 128> fragments;
    const std::size_t index = (f.qr ? 64u : 0u) | (f.aa ? 32u : 0u) | (f.tc ? 16u : 0u) | (f.rd ? 8u : 0u) |
                              (f.ra ? 4u : 0u) | (f.ad ? 2u : 0u) | (f.cd ? 1u : 0u);
    std::string& fragment = fragments[index];
    if (fragment.empty()) {
        auto flag = [&](const char* key, bool value) {
            fragment += key;
            fragment += value ? "true" : "false";
        };
        flag(",\"flags\":{\"qr\":", f.qr);
        flag(",\"aa\":", f.aa);
        flag(",\"tc\":", f.tc);
        flag(",\"rd\":", f.rd);
        flag(",\"ra\":", f.ra);
        flag(",\"ad\":", f.ad);
        flag(",\"cd\":", f.cd);
        fragment += "},\"rtt_ms\":";
    }
    return fragment;
}

// Milliseconds rounded to the microsecond, printed as std::to_chars prints
// round(ms * 1000) / 1000 (shortest form that reads back the same): below
// 100,000 ms that is the fixed form, the integer part and up to three
// decimals without trailing zeros, written here from the integer count of
// microseconds (to_chars of a double cost more than the rest of the header).
void append_rtt_ms(LineBuffer& out, double ms) {
    double us = std::round(ms * 1000.0);
    if (!(us >= 0 && us < 1e8)) {
        append_json_number(out, us / 1000.0);
        return;
    }
    auto n = static_cast<std::uint64_t>(us);
    append_json_number(out, n / 1000);
    unsigned frac = static_cast<unsigned>(n % 1000);
    if (frac == 0) return;
    char digits[4] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                      static_cast<char>('0' + frac % 10)};
    std::size_t size = 4;
    while (digits[size - 1] == '0') --size;
    out.append(digits, size);
}

}  // namespace

void append_answer_json(const Question& q, const netreactor::DnsQueryResult& r, bool from_hosts_file, LineBuffer& out) {
    const netreactor::DnsMessage* m = r.message ? &*r.message : nullptr;
    static_assert(nrapp::kSchemaVersion == 1, "the literal below carries the schema version");
    AnswerWriter w(out);
    w.text("{\"schema_version\":1,\"id\":");
    w.num(q.id);
    w.text(",\"name\":");
    if (q.kind == QuestionKind::reverse) {
        w.str(r.name);
        w.text(",\"address\":");
    }
    w.str(q.input);
    // The label printed as "type": "ADDRESS" for the default lookup, else the
    // type's mnemonic ("A", "MX"...) or "TYPE65" (dns_type_name: a string
    // built, only for types without a mnemonic); with the source's key and
    // value, one fragment for the usual cases.
    if (q.kind == QuestionKind::address) {
        w.text(from_hosts_file ? ",\"type\":\"ADDRESS\",\"source\":\"hosts\",\"server\":"
                               : ",\"type\":\"ADDRESS\",\"source\":\"dns\",\"server\":");
    } else if (std::string_view fragment = question_type_fragment(q.type); !fragment.empty() && !from_hosts_file) {
        w.text(fragment);
    } else {
        w.text(",\"type\":");
        w.str(netreactor::dns_type_name(q.type));
        w.text(from_hosts_file ? ",\"source\":\"hosts\",\"server\":" : ",\"source\":\"dns\",\"server\":");
    }
    bool sent = !from_hosts_file && r.status != netreactor::DnsStatus::BadName;
    if (sent && !r.server.empty()) w.str(r.server); else w.text("null");
    w.text(!sent ? ",\"proto\":null,\"status\":" : r.tcp ? ",\"proto\":\"tcp\",\"status\":" : ",\"proto\":\"udp\",\"status\":");
    if (m != nullptr && !from_hosts_file) {
        if (std::string_view fragment = status_rcode_fragment(r.status, m->rcode); !fragment.empty()) {
            w.text(fragment);
        } else {
            w.str(netreactor::to_string(r.status));
            w.text(",\"rcode\":");
            w.str(netreactor::dns_rcode_name(m->rcode));
        }
        w.text(flags_fragment(m->flags));
    } else {
        w.str(netreactor::to_string(r.status));
        w.text(",\"rcode\":null,\"flags\":null,\"rtt_ms\":");
    }
    append_rtt_ms(out, r.rtt_ms);
    if (q.kind == QuestionKind::address) {
        w.text(",\"addresses\":[");
        bool first = true;
        if (m != nullptr) {
            for (const auto& record : m->answers) {
                if (const auto* a = std::get_if<netreactor::DnsAddressData>(&record.fields)) {
                    if (!first) w.text(",");
                    first = false;
                    w.str(a->address);
                }
            }
        }
        w.text("]");
    }
    w.records(",\"answers\":[", m != nullptr ? &m->answers : nullptr);
    w.records(",\"authority\":[", m != nullptr ? &m->authority : nullptr);
    if (r.error) {
        w.text(",\"error\":{\"code\":");
        w.str(r.error->code());
        w.text(",\"message\":");
        w.str(r.error->message());
        if (!r.error->operation().empty()) {
            w.text(",\"operation\":");
            w.str(r.error->operation());
        }
        w.text("}");
    }
    w.text("}");
}

void append_answer_json(const Answer& answer, LineBuffer& out) {
    append_answer_json(answer.question, answer.result, answer.from_hosts_file, out);
}

void append_answer_json(const Answer& answer, std::string& out) {
    LineBuffer line;
    append_answer_json(answer, line);
    out.append(line.view());
}

}  // namespace resolve
