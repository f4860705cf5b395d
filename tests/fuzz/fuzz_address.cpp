// Fuzz target: endpoint parsing of the library ("host:port", "[v6]:port").
// Oracle: whatever parses must format and parse back to the same address.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "netreactor/address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto hp = netreactor::split_host_port(text);
    auto address = netreactor::SocketAddress::parse_endpoint(text, 53);
    if (address) {
        if (!hp) std::abort();  // parse_endpoint is built on split_host_port
        auto again = netreactor::SocketAddress::parse_endpoint(address->to_string(), 0);
        if (!again || !(*again == *address)) std::abort();
        if (address->ip().empty() || address->length() == 0) std::abort();
    }
    return 0;
}
