// Standard output, the one channel every tool writes its results to, and the
// one rule for when it fails: a reader that went away (EPIPE: `| head -1`)
// has what it wanted, so the tool exits 0 quietly; any other failure (ENOSPC,
// EIO...) is said once on stderr, "nr-TOOL: cannot write output: REASON", and
// the tool exits with exit_local (8). SIGPIPE is ignored by every tool's main.
#pragma once

#include <string_view>

namespace nrapp {

/// Writes all of `bytes` to file descriptor 1, retrying short writes and EINTR.
/// Returns 0, or the errno of the failure. Calls from several threads do not
/// interleave their bytes.
int write_stdout(std::string_view bytes) noexcept;

/// Ends the process as the rule above says for a failure with errno `error`.
[[noreturn]] void exit_on_output_error(int error) noexcept;

}  // namespace nrapp
