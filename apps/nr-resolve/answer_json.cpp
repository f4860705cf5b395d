#include "answer_json.hpp"

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

struct FieldWriter {
    JsonLine& j;
    void operator()(const netreactor::DnsRawData&) const {}
    void operator()(const netreactor::DnsAddressData& d) const { j.field("address", d.address); }
    void operator()(const netreactor::DnsNameData& d) const { j.field("target", d.target); }
    void operator()(const netreactor::DnsMxData& d) const {
        j.field("preference", std::uint64_t{d.preference}).field("exchange", d.exchange);
    }
    void operator()(const netreactor::DnsSrvData& d) const {
        j.field("priority", std::uint64_t{d.priority}).field("weight", std::uint64_t{d.weight});
        j.field("port", std::uint64_t{d.port}).field("target", d.target);
    }
    void operator()(const netreactor::DnsSoaData& d) const {
        j.field("mname", d.mname).field("rname", d.rname).field("serial", std::uint64_t{d.serial});
        j.field("refresh", std::uint64_t{d.refresh}).field("retry", std::uint64_t{d.retry});
        j.field("expire", std::uint64_t{d.expire}).field("minimum", std::uint64_t{d.minimum});
    }
    void operator()(const netreactor::DnsTxtData& d) const {
        std::string text;
        bool utf8 = true;
        for (const auto& s : d.strings) {
            text += s;
            utf8 = utf8 && is_utf8(s);
        }
        j.key("strings").begin_array();
        for (const auto& s : d.strings) j.string(utf8 ? s : base64(s));
        j.end_array();
        j.field("text", utf8 ? text : base64(text));
        j.field("encoding", utf8 ? "utf-8" : "base64");
    }
    void operator()(const netreactor::DnsCaaData& d) const {
        bool utf8 = is_utf8(d.value);
        j.field("flags", std::uint64_t{d.flags}).field("tag", is_utf8(d.tag) ? d.tag : base64(d.tag));
        j.field("value", utf8 ? d.value : base64(d.value)).field("encoding", utf8 ? "utf-8" : "base64");
    }
};

void write_record(JsonLine& j, const netreactor::DnsRecord& record) {
    j.begin_object();
    j.field("name", record.name).field("type", netreactor::dns_type_name(record.type));
    j.field("ttl", std::uint64_t{record.ttl}).field("data", record.data);
    std::visit(FieldWriter{j}, record.fields);
    j.end_object();
}

void write_records(JsonLine& j, const char* key, const netreactor::DnsMessage* m, bool authority) {
    j.key(key).begin_array();
    if (m != nullptr)
        for (const auto& r : authority ? m->authority : m->answers) write_record(j, r);
    j.end_array();
}

}  // namespace

void append_answer_json(const Answer& answer, std::string& out) {
    const Question& q = answer.question;
    const netreactor::DnsQueryResult& r = answer.result;
    const netreactor::DnsMessage* m = r.message ? &*r.message : nullptr;
    JsonLine j(out);
    j.begin_object();
    j.field("schema_version", static_cast<std::uint64_t>(nrapp::kSchemaVersion));
    j.field("id", q.id);
    if (q.kind == QuestionKind::reverse) {
        j.field("name", r.name).field("address", q.input);
    } else {
        j.field("name", q.input);
    }
    j.field("type", type_label(q));
    j.field("source", answer.from_hosts_file ? "hosts" : "dns");
    bool sent = !answer.from_hosts_file && r.status != "BADNAME";
    j.key("server");
    if (sent && !r.server.empty()) j.string(r.server); else j.null();
    j.key("proto");
    if (sent) j.string(r.tcp ? "tcp" : "udp"); else j.null();
    j.field("status", r.status);
    if (m != nullptr && !answer.from_hosts_file) {
        j.field("rcode", netreactor::dns_rcode_name(m->rcode));
        j.key("flags").begin_object();
        j.field("qr", m->flags.qr).field("aa", m->flags.aa).field("tc", m->flags.tc).field("rd", m->flags.rd);
        j.field("ra", m->flags.ra).field("ad", m->flags.ad).field("cd", m->flags.cd);
        j.end_object();
    } else {
        j.key("rcode").null();
        j.key("flags").null();
    }
    j.key("rtt_ms").number(std::round(r.rtt_ms * 1000.0) / 1000.0);
    if (q.kind == QuestionKind::address) {
        j.key("addresses").begin_array();
        if (m != nullptr)
            for (const auto& record : m->answers)
                if (const auto* a = std::get_if<netreactor::DnsAddressData>(&record.fields)) j.string(a->address);
        j.end_array();
    }
    write_records(j, "answers", m, false);
    write_records(j, "authority", m, true);
    if (r.error) {
        j.key("error").begin_object();
        j.field("code", r.error->code()).field("message", r.error->message());
        if (!r.error->operation().empty()) j.field("operation", r.error->operation());
        j.end_object();
    }
    j.end_object();
}

}  // namespace resolve
