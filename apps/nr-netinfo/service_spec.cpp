#include "service_spec.hpp"

#include <algorithm>

namespace netinfo {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

ServiceSpecParse failure(std::string why) {
    ServiceSpecParse r;
    r.error = std::move(why);
    return r;
}

}  // namespace

ServiceSpecParse parse_service_spec(std::string_view text) {
    std::string_view service = text;
    std::string_view protocol;
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        service = text.substr(0, slash);
        protocol = text.substr(slash + 1);
        if (protocol.empty()) return failure("empty protocol after '/'");
        if (protocol.size() > 16) return failure("protocol name longer than 16 characters");
        if (!is_alpha(protocol.front())) return failure("protocol must start with a letter");
        if (!std::all_of(protocol.begin(), protocol.end(), [](char c) { return is_alpha(c) || is_digit(c) || c == '-'; }))
            return failure("protocol may hold only letters, digits and '-'");
    }
    if (service.empty()) return failure("empty service name or port");

    ServiceSpecParse r;
    for (char c : protocol) r.spec.protocol += to_lower(c);
    if (std::all_of(service.begin(), service.end(), is_digit)) {
        if (service.size() > 5) return failure("port out of range 0-65535");
        unsigned value = 0;
        for (char c : service) value = value * 10 + static_cast<unsigned>(c - '0');
        if (value > 65535) return failure("port out of range 0-65535");
        r.spec.port = static_cast<std::uint16_t>(value);
    } else {
        if (service.size() > 64) return failure("service name longer than 64 characters");
        bool valid = std::all_of(service.begin(), service.end(), [](char c) {
            return is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '+' || c == '-';
        });
        if (!valid) return failure("service name may hold only letters, digits and . _ + -");
        r.spec.name = std::string(service);
    }
    r.ok = true;
    return r;
}

}  // namespace netinfo
