// The head of an HTTP/1.x response (status line and header fields), parsed
// from the bytes received so far. Pure: bytes in, a head or an error out, so
// a fuzzer can drive it directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fetch {

struct HttpHeader {
    std::string name;   // as sent
    std::string value;  // leading and trailing spaces/tabs removed
};

struct ResponseHead {
    std::string status_line;  // without its line ending
    std::string version;      // "HTTP/1.0"
    int status = 0;           // 100-999
    std::string reason;       // may be empty
    std::vector<HttpHeader> headers;
    std::optional<std::uint64_t> content_length;
    bool transfer_encoding = false;  // a Transfer-Encoding field is present (any coding)

    // The value of the first field named `name` (any case), or null.
    const std::string* header(std::string_view name) const;
};

enum class HeadState { incomplete, complete, malformed };

struct HeadParse {
    HeadState state = HeadState::incomplete;
    ResponseHead head;          // when complete
    std::size_t head_bytes = 0; // when complete: bytes up to and including the empty line
    std::string error;          // when malformed
};

// The largest head accepted; a longer one is malformed.
constexpr std::size_t kMaxHeadBytes = std::size_t{64} * 1024;

// Parses `received`, the first bytes of a response. Lines end with CRLF or a
// bare LF. `incomplete` means: wait for more bytes (the start seen so far is
// valid as far as it goes, so garbage is rejected early, not at the timeout).
// Malformed: no "HTTP/d.d NNN" status line, a header line without a colon or
// with a bad name, control characters, obsolete line folding, a bad or
// conflicting Content-Length, a head over kMaxHeadBytes.
HeadParse parse_response_head(std::string_view received);

}  // namespace fetch
