// The exit status table shared by every nr-* tool (docs/exit-status.md).
#pragma once

#include "netreactor/error.hpp"

namespace nrapp {

enum ExitStatus : int {
    exit_ok = 0,         // success
    exit_failed = 1,     // ran, but the result check failed (mismatch, some answers failed)
    exit_usage = 2,      // bad arguments
    exit_resolve = 3,    // a name could not be resolved
    exit_connect = 4,    // connection refused / unreachable
    exit_timeout = 5,    // a peer did not answer in time
    exit_protocol = 6,   // the peer answered, but wrongly (bogus reply, KoD, unsynchronized)
    exit_transfer = 7,   // send/receive failed after connecting (reset, broken pipe)
    exit_local = 8,      // local failure: bind, descriptors, memory, output
};

// The class of an error, from its code and the operation that failed.
ExitStatus exit_status_for(const netreactor::Error& error);

}  // namespace nrapp
