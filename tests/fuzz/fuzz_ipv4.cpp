// Fuzz target: nr-netinfo's IPv4 text parser, differentially against the C
// library: the aton syntax must agree with inet_aton(3), the strict one with
// inet_pton(3). Also the service spec parser (must not crash, must be
// consistent).
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ipv4_parse.hpp"
#include "service_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto aton = netinfo::parse_ipv4(text, netinfo::Ipv4Syntax::aton);
    auto strict = netinfo::parse_ipv4(text, netinfo::Ipv4Syntax::strict);
    if (strict.ok && (!aton.ok || aton.value != strict.value)) std::abort();

    if (text.find('\0') == std::string_view::npos) {
        std::string c_string(text);
        in_addr libc{};
        int libc_ok = inet_aton(c_string.c_str(), &libc);
        if ((libc_ok != 0) != aton.ok) std::abort();
        if (aton.ok && ntohl(libc.s_addr) != aton.value) std::abort();
        int pton_ok = inet_pton(AF_INET, c_string.c_str(), &libc);
        if ((pton_ok == 1) != strict.ok) std::abort();
        if (strict.ok && ntohl(libc.s_addr) != strict.value) std::abort();
    }

    auto spec = netinfo::parse_service_spec(text);
    if (spec.ok == !spec.error.empty()) std::abort();
    if (spec.ok && !spec.spec.port && spec.spec.name.empty()) std::abort();
    return 0;
}
