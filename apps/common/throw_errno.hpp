// Turning a failed system call into the library's exception, the way every
// tool reports it (a JSON error with the errno's name as the code).
#pragma once

#include <cerrno>

#include "netreactor/error.hpp"

namespace nrapp {

/// Throws netreactor::SystemError for the current errno and `operation`
/// ("setsockopt SO_RCVBUF", "bind"). Call right after the failed call.
[[noreturn]] inline void throw_errno(const char* operation) {
    throw netreactor::SystemError(netreactor::Error::from_errno(errno, operation));
}

}  // namespace nrapp
