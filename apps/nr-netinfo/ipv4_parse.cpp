#include "ipv4_parse.hpp"

#include <array>

namespace netinfo {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_c_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Ipv4Parse failure(std::string why) {
    Ipv4Parse r;
    r.error = std::move(why);
    return r;
}

// One part as strtoul(base 0) reads it after inet_aton has checked that it
// starts with a digit: "0x1f" hex, "017" octal, "17" decimal. A "0x" not
// followed by a hex digit is the number 0 followed by an 'x'.
std::uint64_t read_part(std::string_view text, std::size_t& pos) {
    constexpr std::uint64_t kCap = 0x1'0000'0000;  // anything above 32 bits is rejected anyway
    std::uint64_t value = 0;
    int base = 10;
    if (text[pos] == '0') {
        base = 8;
        bool hex_prefix = pos + 2 < text.size() && (text[pos + 1] == 'x' || text[pos + 1] == 'X') &&
                          hex_value(text[pos + 2]) >= 0;
        if (hex_prefix) {
            base = 16;
            pos += 2;
        }
    }
    while (pos < text.size()) {
        int digit = hex_value(text[pos]);
        if (digit < 0 || digit >= base) break;
        value = value * static_cast<unsigned>(base) + static_cast<unsigned>(digit);
        if (value > kCap) value = kCap;
        ++pos;
    }
    return value;
}

Ipv4Parse parse_aton(std::string_view text) {
    static constexpr std::array<std::uint32_t, 4> kLastPartMax = {0xffffffffu, 0xffffffu, 0xffffu, 0xffu};
    std::array<std::uint32_t, 3> leading{};
    int dots = 0;
    std::size_t pos = 0;
    std::uint64_t value = 0;
    for (;;) {
        if (pos >= text.size() || !is_digit(text[pos]))
            return failure("part " + std::to_string(dots + 1) + " does not start with a digit");
        value = read_part(text, pos);
        if (value > 0xffffffffu) return failure("part " + std::to_string(dots + 1) + " is larger than 32 bits");
        if (pos < text.size() && text[pos] == '.') {
            if (dots > 2) return failure("more than four parts");
            if (value > 0xff) return failure("part " + std::to_string(dots + 1) + " is larger than 255");
            leading[static_cast<std::size_t>(dots++)] = static_cast<std::uint32_t>(value);
            ++pos;
            continue;
        }
        break;
    }
    if (pos < text.size() && !is_c_space(text[pos]))
        return failure("unexpected character at offset " + std::to_string(pos));
    if (value > kLastPartMax[static_cast<std::size_t>(dots)])
        return failure("last part is too large for the bytes left (" + std::to_string(4 - dots) + ")");
    Ipv4Parse r;
    r.ok = true;
    r.parts = dots + 1;
    r.consumed = pos;
    r.value = static_cast<std::uint32_t>(value);
    for (int i = 0; i < dots; ++i) r.value |= leading[static_cast<std::size_t>(i)] << (24 - 8 * i);
    return r;
}

Ipv4Parse parse_strict(std::string_view text) {
    std::array<std::uint32_t, 4> octets{};
    int count = 0;
    bool saw_digit = false;
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
        char c = text[pos];
        if (is_digit(c)) {
            if (saw_digit && octets[static_cast<std::size_t>(count - 1)] == 0)
                return failure("leading zero in part " + std::to_string(count));
            if (!saw_digit) {
                if (++count > 4) return failure("more than four parts");
                saw_digit = true;
            }
            std::uint32_t& current = octets[static_cast<std::size_t>(count - 1)];
            current = current * 10 + static_cast<std::uint32_t>(c - '0');
            if (current > 255) return failure("part " + std::to_string(count) + " is larger than 255");
        } else if (c == '.' && saw_digit) {
            if (count == 4) return failure("more than four parts");
            saw_digit = false;
        } else {
            return failure("unexpected character at offset " + std::to_string(pos));
        }
    }
    if (count < 4 || !saw_digit) return failure("not four decimal parts");
    Ipv4Parse r;
    r.ok = true;
    r.parts = 4;
    r.consumed = text.size();
    r.value = octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3];
    return r;
}

}  // namespace

Ipv4Parse parse_ipv4(std::string_view text, Ipv4Syntax syntax) {
    return syntax == Ipv4Syntax::aton ? parse_aton(text) : parse_strict(text);
}

}  // namespace netinfo
