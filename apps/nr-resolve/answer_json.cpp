#include "answer_json.hpp"

#include <variant>

namespace resolve {

namespace {

using nrapp::json;

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
    json& j;
    void operator()(const netreactor::DnsRawData&) const {}
    void operator()(const netreactor::DnsAddressData& d) const { j["address"] = d.address; }
    void operator()(const netreactor::DnsNameData& d) const { j["target"] = d.target; }
    void operator()(const netreactor::DnsMxData& d) const {
        j["preference"] = d.preference;
        j["exchange"] = d.exchange;
    }
    void operator()(const netreactor::DnsSrvData& d) const {
        j["priority"] = d.priority;
        j["weight"] = d.weight;
        j["port"] = d.port;
        j["target"] = d.target;
    }
    void operator()(const netreactor::DnsSoaData& d) const {
        j["mname"] = d.mname;
        j["rname"] = d.rname;
        j["serial"] = d.serial;
        j["refresh"] = d.refresh;
        j["retry"] = d.retry;
        j["expire"] = d.expire;
        j["minimum"] = d.minimum;
    }
    void operator()(const netreactor::DnsTxtData& d) const {
        std::string text;
        bool utf8 = true;
        for (const auto& s : d.strings) {
            text += s;
            utf8 = utf8 && is_utf8(s);
        }
        json strings = json::array();
        for (const auto& s : d.strings) strings.push_back(utf8 ? s : base64(s));
        j["strings"] = std::move(strings);
        j["text"] = utf8 ? text : base64(text);
        j["encoding"] = utf8 ? "utf-8" : "base64";
    }
    void operator()(const netreactor::DnsCaaData& d) const {
        bool utf8 = is_utf8(d.value);
        j["flags"] = d.flags;
        j["tag"] = d.tag;
        j["value"] = utf8 ? d.value : base64(d.value);
        j["encoding"] = utf8 ? "utf-8" : "base64";
    }
};

json records_json(const std::vector<netreactor::DnsRecord>& records) {
    json out = json::array();
    for (const auto& r : records) out.push_back(record_json(r));
    return out;
}

}  // namespace

json record_json(const netreactor::DnsRecord& record) {
    json j = json::object();
    j["name"] = record.name;
    j["type"] = netreactor::dns_type_name(record.type);
    j["ttl"] = record.ttl;
    j["data"] = record.data;
    std::visit(FieldWriter{j}, record.fields);
    return j;
}

json answer_json(const Answer& answer) {
    const Question& q = answer.question;
    const netreactor::DnsQueryResult& r = answer.result;
    json j = json::object();
    j["id"] = q.id;
    if (q.kind == QuestionKind::reverse) {
        j["name"] = r.name;
        j["address"] = q.input;
    } else {
        j["name"] = q.input;
    }
    j["type"] = type_label(q);
    j["source"] = answer.from_hosts_file ? "hosts" : "dns";
    bool sent = !answer.from_hosts_file && r.status != "BADNAME";
    j["server"] = sent && !r.server.empty() ? json(r.server) : json(nullptr);
    j["proto"] = sent ? json(r.tcp ? "tcp" : "udp") : json(nullptr);
    j["status"] = r.status;
    if (r.message && !answer.from_hosts_file) {
        const auto& m = *r.message;
        j["rcode"] = netreactor::dns_rcode_name(m.rcode);
        j["flags"] = {{"qr", m.flags.qr}, {"aa", m.flags.aa}, {"tc", m.flags.tc}, {"rd", m.flags.rd},
                      {"ra", m.flags.ra}, {"ad", m.flags.ad}, {"cd", m.flags.cd}};
    } else {
        j["rcode"] = nullptr;
        j["flags"] = nullptr;
    }
    j["rtt_ms"] = static_cast<double>(static_cast<std::int64_t>(r.rtt_ms * 1000.0)) / 1000.0;
    if (q.kind == QuestionKind::address) {
        json addresses = json::array();
        if (r.message)
            for (const auto& record : r.message->answers)
                if (const auto* a = std::get_if<netreactor::DnsAddressData>(&record.fields)) addresses.push_back(a->address);
        j["addresses"] = std::move(addresses);
    }
    j["answers"] = r.message ? records_json(r.message->answers) : json::array();
    j["authority"] = r.message ? records_json(r.message->authority) : json::array();
    if (r.error) j["error"] = nrapp::error_json(*r.error);
    return j;
}

}  // namespace resolve
