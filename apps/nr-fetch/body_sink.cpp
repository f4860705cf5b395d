#include "body_sink.hpp"

#include <unistd.h>

#include <cerrno>

namespace fetch {

bool StdoutSink::write(std::span<const char> bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            if (errno == EPIPE) {
                reader_gone_ = true;
            } else {
                error_ = netreactor::Error::from_errno(errno, "output");
            }
            return false;
        }
        written_ += static_cast<std::uint64_t>(n);
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace fetch
