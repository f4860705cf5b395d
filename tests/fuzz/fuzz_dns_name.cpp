// Fuzz target: read_wire_name (lib/src/dns/wire_name.cpp), the DNS walker's
// name reader, against c-ares 1.18's ares_expand_name, whose rules it must
// keep exactly (it replaced ares_expand_name in parse_dns_message).
//
// The input is a message; a name is read at every offset (and at the end).
// Oracles, at each offset (the reader with and without its per-message
// cache of names, wire_name.hpp, giving the same results):
// - both accept or both refuse;
// - the same encoded length (the bytes to skip);
// - the same labels: ours are read back from our presentation form (\DDD and
//   \X unescaped, '.' between labels), written again as ares_expand_name
//   writes them (\DDD below 0x20 and above 0x7e, except a label made of one
//   NUL byte, written raw; \X for its reserved characters), and compared with
//   its text (up to that raw NUL, which ends its C string).
#include <ares.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "dns/wire_name.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

std::vector<std::string> labels_of(const std::string& text) {
    std::vector<std::string> labels;
    if (text == ".") return labels;
    std::string label;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '.') {
            require(!label.empty());
            labels.push_back(label);
            label.clear();
        } else if (c == '\\') {
            require(i + 1 < text.size());
            char n = text[i + 1];
            if (n >= '0' && n <= '9') {
                require(i + 3 < text.size());
                int v = (n - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
                require(v <= 255);
                label += static_cast<char>(v);
                i += 3;
            } else {
                require(n == '.' || n == '\\');  // the only \X escapes we write
                label += n;
                i += 1;
            }
        } else {
            require(c > 0x20 && c < 0x7f);  // a space or any other byte is \DDD
            label += c;
        }
    }
    require(!label.empty());
    labels.push_back(label);
    return labels;
}

bool cares_reserved(unsigned char c) {
    return c == '"' || c == '.' || c == ';' || c == '\\' || c == '(' || c == ')' || c == '@' || c == '$';
}

std::string cares_text(const std::vector<std::string>& labels) {
    std::string out;
    for (const auto& label : labels) {
        for (unsigned char c : label) {
            if ((c < 0x20 || c > 0x7e) && !(label.size() == 1 && c == 0)) {
                out += '\\';
                out += static_cast<char>('0' + c / 100);
                out += static_cast<char>('0' + c / 10 % 10);
                out += static_cast<char>('0' + c % 10);
            } else if (cares_reserved(c)) {
                out += '\\';
                out += static_cast<char>(c);
            } else {
                out += static_cast<char>(c);
            }
        }
        out += '.';
    }
    if (!out.empty()) out.pop_back();
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return 0;
    int len = static_cast<int>(size);
    // The same reads with one cache for the whole message (as the walker
    // reads a message's names), first offset to last: the same results.
    netreactor::WireNameCache cache;
    for (int pos = 0; pos <= len; ++pos) {
        std::string ours;
        int encoded = netreactor::read_wire_name(data, len, pos, ours);
        std::string cached;
        require(netreactor::read_wire_name(data, len, pos, cached, &cache) == encoded);
        require(encoded < 0 || cached == ours);
        char* theirs = nullptr;
        long their_encoded = 0;
        int rc = ares_expand_name(data + pos, data, len, &theirs, &their_encoded);
        require((encoded >= 0) == (rc == ARES_SUCCESS));
        if (rc != ARES_SUCCESS) continue;
        require(encoded == their_encoded);
        std::string expected = cares_text(labels_of(ours));
        std::size_t nul = expected.find('\0');
        if (nul == std::string::npos) {
            require(expected == theirs);
        } else {
            require(std::strlen(theirs) == nul && expected.compare(0, nul, theirs) == 0);
        }
        ares_free_string(theirs);
    }
    return 0;
}
