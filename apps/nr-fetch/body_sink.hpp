// Where the response body goes: raw bytes to stdout (the one exception to
// JSON-only stdout), written as they arrive.
#pragma once

#include <cerrno>
#include <cstdint>
#include <optional>
#include <span>

#include "netreactor/error.hpp"

namespace fetch {

class StdoutSink {
public:
    // Writes every byte (blocking: a slow reader slows the download down,
    // which is the backpressure we want). Returns false when stdout failed;
    // then output_errno() says why (EPIPE: the reader went away).
    bool write(std::span<const char> bytes);

    std::uint64_t bytes_written() const noexcept { return written_; }
    // The errno of the failed write, 0 while stdout works. main() ends the
    // process with nrapp::exit_on_output_error: EPIPE quietly with 0, as
    // `| head` expects; anything else with one line on stderr and status 8.
    int output_errno() const noexcept { return output_errno_; }
    // The reader closed the pipe (EPIPE).
    bool reader_gone() const noexcept { return output_errno_ == EPIPE; }

private:
    std::uint64_t written_ = 0;
    int output_errno_ = 0;
};

}  // namespace fetch
