// Where the response body goes: raw bytes to stdout (the one exception to
// JSON-only stdout), written as they arrive.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "netreactor/error.hpp"

namespace fetch {

class StdoutSink {
public:
    // Writes every byte (blocking: a slow reader slows the download down,
    // which is the backpressure we want). Returns false when stdout failed;
    // then reader_gone() or error() says why.
    bool write(std::span<const char> bytes);

    std::uint64_t bytes_written() const noexcept { return written_; }
    // The reader closed the pipe (EPIPE): stop quietly, as `| head` expects.
    bool reader_gone() const noexcept { return reader_gone_; }
    const std::optional<netreactor::Error>& error() const noexcept { return error_; }

private:
    std::uint64_t written_ = 0;
    bool reader_gone_ = false;
    std::optional<netreactor::Error> error_;
};

}  // namespace fetch
