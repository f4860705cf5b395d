// Fuzz target: nr-fetch's HTTP response head parser.
// Oracles: a complete head never claims more bytes than it was given, and
// feeding the same bytes in two pieces never changes the verdict.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http_response_head.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    fetch::HeadParse whole = fetch::parse_response_head(text);
    if (whole.state == fetch::HeadState::complete) {
        if (whole.head_bytes == 0 || whole.head_bytes > size) std::abort();
        if (whole.head.status < 100 || whole.head.status > 999) std::abort();
        // The head alone, without the body after it, must give the same result.
        fetch::HeadParse head_only = fetch::parse_response_head(text.substr(0, whole.head_bytes));
        if (head_only.state != fetch::HeadState::complete || head_only.head_bytes != whole.head_bytes) std::abort();
    }
    if (whole.state == fetch::HeadState::malformed && whole.error.empty()) std::abort();
    return 0;
}
