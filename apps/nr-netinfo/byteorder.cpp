#include "byteorder.hpp"

#include <arpa/inet.h>

#include <bit>

namespace netinfo {

using nrapp::json;

std::optional<std::uint32_t> parse_u32(std::string_view text) {
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty() || text.size() > 32) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        int digit = (c >= '0' && c <= '9')   ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : 99;
        if (digit >= base) return std::nullopt;
        value = value * static_cast<unsigned>(base) + static_cast<unsigned>(digit);
        if (value > 0xffffffffu) return std::nullopt;
    }
    return static_cast<std::uint32_t>(value);
}

const char* host_byte_order() { return std::endian::native == std::endian::little ? "little" : "big"; }

json byteorder_report(std::string_view input, Width width) {
    auto value = parse_u32(input);
    if (!value) {
        return {{"input", input},
                {"error",
                 {{"code", "EINVAL"},
                  {"message", "not an integer in 0..4294967295 (decimal or 0x hex)"},
                  {"operation", "parse"}}}};
    }
    json entry = {{"input", input}, {"value", *value}, {"host_byte_order", host_byte_order()}};
    if (width != Width::bits16) {
        entry["htonl"] = htonl(*value);
        entry["ntohl"] = ntohl(*value);
    }
    if (width != Width::bits32) {
        if (*value > 0xffff) {
            entry["error"] = {{"code", "ERANGE"},
                              {"message", std::to_string(*value) + " does not fit in 16 bits: no htons/ntohs"},
                              {"operation", "htons"}};
        } else {
            auto v16 = static_cast<std::uint16_t>(*value);
            entry["htons"] = htons(v16);
            entry["ntohs"] = ntohs(v16);
        }
    }
    return entry;
}

}  // namespace netinfo
