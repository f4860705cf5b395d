// Checks nr-resolve's hand-written answer writer (apps/nr-resolve/answer_json.cpp)
// against nlohmann_json on a large, varied, reproducible set of answers: every
// record type, every status, strings with quotes, backslashes, control
// characters, multi-byte UTF-8 and bytes that are not UTF-8 (input names, TXT,
// CAA), numbers at their bounds. For each answer the line the writer makes is
// parsed by nlohmann and must equal, key order included, the object nlohmann
// builds from the same answer by the rules of docs/json/nr-resolve.schema.json.
//
//   nr-resolve-answer-json-check COUNT [SEED]
//
// Prints every line on stdout (test_answer_json.py validates them against the
// schema); on the first difference prints both on stderr and exits 1.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "answer_json.hpp"
#include "json_output.hpp"

namespace {

using json = nlohmann::ordered_json;
using netreactor::DnsRecord;

std::mt19937_64 rng;

std::uint64_t below(std::uint64_t n) { return rng() % n; }
bool coin() { return (rng() & 1) != 0; }

// Pieces strings are made of: plain text, JSON specials, control bytes,
// valid multi-byte UTF-8, and byte sequences that are not UTF-8.
const std::vector<std::string> kPieces = {
    "www", "example", ".", "-", "_", "a", "Z", "0", "9", " ", "\"", "\\", "/", "\\.", "\\032",
    std::string(1, '\0'), "\x01", "\x08", "\t", "\n", "\x0c", "\r", "\x1f", "\x7f",
    "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "\xe2\x82\xac",
    "\x80", "\xff", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
};

std::string any_string(std::size_t max_pieces, bool clean) {
    std::string s;
    std::size_t n = below(max_pieces + 1);
    for (std::size_t i = 0; i < n; ++i) s += kPieces[clean ? below(15) : below(kPieces.size())];
    return s;
}
// Names as the walker gives them are ASCII; test them anyway with anything
// one time in four.
std::string any_name() {
    std::string s = any_string(6, below(4) != 0);
    return s.empty() ? "." : s;
}

std::uint32_t any_u32() {
    switch (below(4)) {
        case 0: return 0;
        case 1: return 4294967295u;
        default: return static_cast<std::uint32_t>(rng());
    }
}
std::uint16_t any_u16() { return static_cast<std::uint16_t>(below(3) == 0 ? 65535 : rng()); }

const std::vector<std::uint16_t> kTypes = {1, 2, 5, 6, 12, 15, 16, 28, 33, 257, 99, 65280};

DnsRecord any_record() {
    DnsRecord r;
    r.name = any_name();
    r.type = kTypes[below(kTypes.size())];
    r.ttl = any_u32();
    r.data = any_string(8, below(4) != 0);
    switch (r.type) {
        case 1: case 28: r.fields = netreactor::DnsAddressData{coin() ? "192.0.2.255" : "2001:db8::1"}; break;
        case 2: case 5: case 12: r.fields = netreactor::DnsNameData{any_name()}; break;
        case 15: r.fields = netreactor::DnsMxData{any_u16(), any_name()}; break;
        case 33: r.fields = netreactor::DnsSrvData{any_u16(), any_u16(), any_u16(), any_name()}; break;
        case 6: r.fields = netreactor::DnsSoaData{any_name(), any_name(), any_u32(), any_u32(), any_u32(), any_u32(), any_u32()}; break;
        case 16: {
            netreactor::DnsTxtData d;
            std::size_t n = 1 + below(4);
            for (std::size_t i = 0; i < n; ++i) d.strings.push_back(any_string(6, below(3) != 0));
            r.fields = d;
            break;
        }
        case 257: r.fields = netreactor::DnsCaaData{static_cast<std::uint8_t>(rng()), any_string(2, below(4) != 0), any_string(6, coin())}; break;
        default: r.fields = netreactor::DnsRawData{any_string(4, false)};
    }
    return r;
}

using netreactor::DnsStatus;
const std::vector<DnsStatus> kStatuses = {DnsStatus::NoError, DnsStatus::NoData,    DnsStatus::NxDomain, DnsStatus::ServFail,
                                          DnsStatus::Refused, DnsStatus::CnameLoop, DnsStatus::Timeout,  DnsStatus::NoServer,
                                          DnsStatus::BadName, DnsStatus::BadResp,   DnsStatus::Canceled};

resolve::Answer any_answer(std::uint64_t n) {
    resolve::Answer a;
    a.question.id = below(5) == 0 ? (std::uint64_t{1} << 53) - n : n + 1;
    a.question.seq = n;
    a.question.kind = static_cast<resolve::QuestionKind>(below(3));
    a.question.type = kTypes[below(kTypes.size())];
    a.question.input = any_string(6, below(3) != 0);
    a.from_hosts_file = a.question.kind == resolve::QuestionKind::address && below(8) == 0;
    auto& r = a.result;
    r.name = any_name();
    r.type = a.question.type;
    r.status = a.from_hosts_file ? DnsStatus::NoError : kStatuses[below(kStatuses.size())];
    if (r.status != DnsStatus::NoError)
        r.error = netreactor::Error(std::string(netreactor::error_code(r.status)), any_string(5, coin()), coin() ? "resolve" : "");
    r.server = below(6) == 0 ? "" : coin() ? "127.0.0.1:53" : "[::1]:5353";
    r.tcp = coin();
    switch (below(5)) {
        case 0: r.rtt_ms = static_cast<double>(below(100)); break;
        case 1: r.rtt_ms = static_cast<double>(below(1000000)) / 1000.0; break;
        case 2: r.rtt_ms = 50000.0 + static_cast<double>(below(200000000)) / 1000.0; break;  // past the fast path
        default: r.rtt_ms = std::ldexp(static_cast<double>(rng() >> 11), -53) * std::pow(10.0, static_cast<double>(below(7)) - 2);
    }
    if (below(5) != 0) {
        netreactor::DnsMessage m;
        m.rcode = static_cast<int>(below(24));
        m.flags.qr = coin(); m.flags.aa = coin(); m.flags.tc = coin(); m.flags.rd = coin();
        m.flags.ra = coin(); m.flags.ad = coin(); m.flags.cd = coin();
        for (std::size_t i = below(5); i > 0; --i) m.answers.push_back(any_record());
        for (std::size_t i = below(3); i > 0; --i) m.authority.push_back(any_record());
        for (std::size_t i = below(2); i > 0; --i) m.additional.push_back(any_record());
        r.message = std::move(m);
    }
    return a;
}

// The reference: independent of the writer's code (its own UTF-8 test is
// nlohmann's strict dump, its own base64).
bool utf8(const std::string& s) {
    try {
        (void)json(s).dump();
        return true;
    } catch (const json::type_error&) {
        return false;
    }
}

std::string b64(const std::string& in) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::uint32_t bits = 0;
    int nbits = 0;
    for (unsigned char c : in) {
        bits = (bits << 8) | c;
        nbits += 8;
        while (nbits >= 6) {
            nbits -= 6;
            out += alphabet[(bits >> nbits) & 63];
        }
    }
    if (nbits > 0) out += alphabet[(bits << (6 - nbits)) & 63];
    while (out.size() % 4 != 0) out += '=';
    return out;
}

json record_ref(const DnsRecord& r) {
    json j = json::object();
    j["name"] = r.name;
    j["type"] = netreactor::dns_type_name(r.type);
    j["ttl"] = r.ttl;
    j["data"] = r.data;
    if (const auto* d = std::get_if<netreactor::DnsAddressData>(&r.fields)) j["address"] = d->address;
    if (const auto* d = std::get_if<netreactor::DnsNameData>(&r.fields)) j["target"] = d->target;
    if (const auto* d = std::get_if<netreactor::DnsMxData>(&r.fields)) {
        j["preference"] = d->preference;
        j["exchange"] = d->exchange;
    }
    if (const auto* d = std::get_if<netreactor::DnsSrvData>(&r.fields)) {
        j["priority"] = d->priority;
        j["weight"] = d->weight;
        j["port"] = d->port;
        j["target"] = d->target;
    }
    if (const auto* d = std::get_if<netreactor::DnsSoaData>(&r.fields)) {
        j["mname"] = d->mname;
        j["rname"] = d->rname;
        j["serial"] = d->serial;
        j["refresh"] = d->refresh;
        j["retry"] = d->retry;
        j["expire"] = d->expire;
        j["minimum"] = d->minimum;
    }
    if (const auto* d = std::get_if<netreactor::DnsTxtData>(&r.fields)) {
        bool ok = true;
        std::string joined;
        for (const auto& s : d->strings) {
            ok = ok && utf8(s);
            joined += s;
        }
        json strings = json::array();
        for (const auto& s : d->strings) strings.push_back(ok ? s : b64(s));
        j["strings"] = strings;
        j["text"] = ok ? joined : b64(joined);
        j["encoding"] = ok ? "utf-8" : "base64";
    }
    if (const auto* d = std::get_if<netreactor::DnsCaaData>(&r.fields)) {
        j["flags"] = d->flags;
        j["tag"] = utf8(d->tag) ? d->tag : b64(d->tag);
        j["value"] = utf8(d->value) ? d->value : b64(d->value);
        j["encoding"] = utf8(d->value) ? "utf-8" : "base64";
    }
    return j;
}

json answer_ref(const resolve::Answer& a) {
    const auto& q = a.question;
    const auto& r = a.result;
    json j = json::object();
    j["schema_version"] = 1;
    j["id"] = q.id;
    if (q.kind == resolve::QuestionKind::reverse) {
        j["name"] = r.name;
        j["address"] = q.input;
    } else {
        j["name"] = q.input;
    }
    j["type"] = q.kind == resolve::QuestionKind::address ? "ADDRESS" : netreactor::dns_type_name(q.type);
    j["source"] = a.from_hosts_file ? "hosts" : "dns";
    bool sent = !a.from_hosts_file && r.status != DnsStatus::BadName;
    j["server"] = sent && !r.server.empty() ? json(r.server) : json(nullptr);
    j["proto"] = sent ? json(r.tcp ? "tcp" : "udp") : json(nullptr);
    j["status"] = std::string(netreactor::to_string(r.status));
    if (r.message && !a.from_hosts_file) {
        const auto& m = *r.message;
        j["rcode"] = netreactor::dns_rcode_name(m.rcode);
        j["flags"] = {{"qr", m.flags.qr}, {"aa", m.flags.aa}, {"tc", m.flags.tc}, {"rd", m.flags.rd},
                      {"ra", m.flags.ra}, {"ad", m.flags.ad}, {"cd", m.flags.cd}};
    } else {
        j["rcode"] = nullptr;
        j["flags"] = nullptr;
    }
    j["rtt_ms"] = std::round(r.rtt_ms * 1000.0) / 1000.0;
    if (q.kind == resolve::QuestionKind::address) {
        json addresses = json::array();
        if (r.message)
            for (const auto& rec : r.message->answers)
                if (const auto* d = std::get_if<netreactor::DnsAddressData>(&rec.fields)) addresses.push_back(d->address);
        j["addresses"] = addresses;
    }
    json answers = json::array(), authority = json::array();
    if (r.message) {
        for (const auto& rec : r.message->answers) answers.push_back(record_ref(rec));
        for (const auto& rec : r.message->authority) authority.push_back(record_ref(rec));
    }
    j["answers"] = answers;
    j["authority"] = authority;
    if (r.error) {
        json e = json::object();
        e["code"] = r.error->code();
        e["message"] = r.error->message();
        if (!r.error->operation().empty()) e["operation"] = r.error->operation();
        j["error"] = e;
    }
    // Strings that are not UTF-8 (input names) are printed with U+FFFD:
    // what nlohmann makes of them when it writes the reference out.
    return json::parse(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s COUNT [SEED]\n", argv[0]);
        return 2;
    }
    std::uint64_t count = std::strtoull(argv[1], nullptr, 10);
    rng.seed(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 12);
    std::string line;
    std::string all;
    for (std::uint64_t n = 0; n < count; ++n) {
        resolve::Answer a = any_answer(n);
        line.clear();
        resolve::append_answer_json(a, line);
        json got;
        try {
            got = json::parse(line);
        } catch (const json::exception& e) {
            std::cerr << "answer " << n << ": not JSON (" << e.what() << "):\n" << line << "\n";
            return 1;
        }
        json want = answer_ref(a);
        if (got != want || line.find('\n') != std::string::npos) {
            std::cerr << "answer " << n << " differs\n got: " << got.dump() << "\nwant: " << want.dump() << "\nline: " << line
                      << "\n";
            return 1;
        }
        all += line;
        all += '\n';
    }
    std::fwrite(all.data(), 1, all.size(), stdout);
    return 0;
}
