// The pieces of a compact JSON line, appended to a LineBuffer: escaped
// strings and numbers. The answer writer (answer_json.cpp) puts them between
// literal fragments of its fixed schema ("{\"schema_version\":1,\"id\":"...),
// so an answer costs a few appends and no JSON tree (nlohmann::json built per
// answer cost more than the DNS exchange itself at 100,000 answers per second).
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "line_buffer.hpp"

namespace resolve {

namespace json_detail {

// Bytes copied as they are inside a JSON string: printable ASCII except '"'
// and '\\'. Everything else takes the escaping path.
inline constexpr std::array<bool, 256> kPlain = [] {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c < 0x80; ++c) plain[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
    return plain;
}();

// True when none of the eight bytes of `word` needs more than a copy: none
// below 0x20, none at 0x80 or above, no '"' and no '\\' (the bit tricks of
// "Bit Twiddling Hacks": a byte below n, or equal to one, sets its high bit
// in these expressions; exact when asked about the whole word).
inline bool all_plain(std::uint64_t word) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    std::uint64_t control = word - kOnes * 0x20;
    std::uint64_t quote = word ^ (kOnes * '"');
    std::uint64_t backslash = word ^ (kOnes * '\\');
    std::uint64_t special = (control | (quote - kOnes) | (backslash - kOnes)) & ~word;
    return ((special | word) & kHighs) == 0;
}

// Truncates `out` to `start`, then appends `s` quoted and escaped: the path
// of the strings that need an escape (json_line.cpp).
void append_escaped_json_string(LineBuffer& out, std::size_t start, std::string_view s);

}  // namespace json_detail

// `s` as a JSON string, quotes included: '"', '\\' and control characters
// escaped; a string that is not valid UTF-8 (only input names can be) is
// written by nlohmann's dump with error_handler_t::replace (U+FFFD for each
// bad sequence).
//
// Most strings need no escape (names, addresses, statuses): checked and
// copied straight into the buffer, eight bytes at a time (the last word
// overlapping the one before) or, below eight, byte by byte in the same
// pass, one capacity check, no call to memcpy; given to the escaping path at
// the first byte that needs more. Inline: an answer line has about 13
// strings, and the call's own cost was a fifth of each.
inline void append_json_string(LineBuffer& out, std::string_view s) {
    const std::size_t n = s.size();
    const std::size_t start = out.size();
    char* quoted = out.extend(n + 2);
    quoted[0] = '"';
    if (n >= 8) {
        std::uint64_t word;
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            std::memcpy(&word, s.data() + i, sizeof word);
            if (!json_detail::all_plain(word)) return json_detail::append_escaped_json_string(out, start, s);
            std::memcpy(quoted + 1 + i, &word, sizeof word);
        }
        std::memcpy(&word, s.data() + n - 8, sizeof word);
        if (!json_detail::all_plain(word)) return json_detail::append_escaped_json_string(out, start, s);
        std::memcpy(quoted + 1 + n - 8, &word, sizeof word);
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            char c = s[i];
            if (!json_detail::kPlain[static_cast<unsigned char>(c)])
                return json_detail::append_escaped_json_string(out, start, s);
            quoted[i + 1] = c;
        }
    }
    quoted[n + 1] = '"';
}

// Decimal digits of `v`, written straight into the buffer (inline: about
// four numbers per answer line, and a call, a copy and memcpy cost more
// than the digits).
inline void append_json_number(LineBuffer& out, std::uint64_t v) {
    constexpr std::size_t kMaxDigits = 20;
    char* at = out.extend(kMaxDigits);
    auto written = static_cast<std::size_t>(std::to_chars(at, at + kMaxDigits, v).ptr - at);
    out.truncate(out.size() - (kMaxDigits - written));
}

// A finite double in the shortest form that reads back the same (null when
// not finite), as nlohmann prints numbers.
void append_json_number(LineBuffer& out, double v);

inline void append_json_bool(LineBuffer& out, bool v) { out.append(v ? "true" : "false", v ? 4 : 5); }

}  // namespace resolve
