#include "json_line.hpp"

#include <array>
#include <charconv>
#include <algorithm>
#include <cmath>
#include <cstring>

#include "json_output.hpp"

namespace resolve {

namespace {

using json_detail::all_plain;
using json_detail::kPlain;

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra;
    std::uint32_t cp;
    if ((c & 0xe0) == 0xc0) { extra = 1; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { extra = 2; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { extra = 3; cp = c & 0x07; }
    else return 0;
    if (i + extra >= s.size()) return 0;
    for (std::size_t k = 1; k <= extra; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3f);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return extra + 1;
}

}  // namespace

void json_detail::append_escaped_json_string(LineBuffer& out, std::size_t start, std::string_view s) {
    out.truncate(start);
    out.push_back('"');
    std::size_t plain = 0;  // start of the run not yet copied
    for (std::size_t i = 0; i < s.size();) {
        // Eight bytes at a time while they need no escape (most of every line).
        if (i + 8 <= s.size()) {
            std::uint64_t word;
            std::memcpy(&word, s.data() + i, sizeof word);
            if (all_plain(word)) {
                i += 8;
                continue;
            }
        }
        for (const std::size_t stop = std::min(s.size(), i + 8); i < stop;) {
            auto c = static_cast<unsigned char>(s[i]);
            if (kPlain[c]) {
                ++i;
                continue;
            }
            if (c >= 0x80) {
                if (std::size_t n = utf8_sequence(s, i)) {
                    i += n;
                    continue;
                }
                // Not UTF-8 (only input names read from a file can be): rare, so
                // nlohmann writes the whole string, and the bad sequences become
                // U+FFFD exactly as its dump(error_handler_t::replace) makes them.
                out.truncate(start);
                out.append(nrapp::json(std::string(s)).dump(-1, ' ', false, nrapp::json::error_handler_t::replace));
                return;
            }
            out.append(s.data() + plain, i - plain);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default: {
                    static const char hex[] = "0123456789abcdef";
                    const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                    out.append(esc, sizeof esc);
                }
            }
            ++i;
            plain = i;
        }
    }
    out.append(s.data() + plain, s.size() - plain);
    out.push_back('"');
}

void append_json_number(LineBuffer& out, double v) {
    if (!std::isfinite(v)) {
        out.append("null");
        return;
    }
    char buf[32];
    auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    out.append(buf, static_cast<std::size_t>(end - buf));
}

}  // namespace resolve
