#include "stdout_channel.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "exit_status.hpp"

namespace nrapp {

int write_stdout(std::string_view bytes) noexcept {
    // Server workers emit events from their own threads: one line at a time.
    static std::mutex one_writer;
    std::lock_guard lock(one_writer);
    while (!bytes.empty()) {
        ssize_t n = ::write(STDOUT_FILENO, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

void exit_on_output_error(int error) noexcept {
    if (error == EPIPE) std::_Exit(exit_ok);
    // program_invocation_short_name: "nr-resolve", as every diagnostic starts.
    std::fprintf(stderr, "%s: cannot write output: %s\n", program_invocation_short_name, std::strerror(error));
    std::_Exit(exit_local);
}

}  // namespace nrapp
