// `reuse-demo`: what SO_REUSEADDR is for. A listener accepts one connection
// and closes it first, so the accepted socket's port sits in TIME_WAIT; then
// the same address is bound again without and with SO_REUSEADDR.
#pragma once

#include "json_output.hpp"
#include "netreactor/address.hpp"

namespace sockopt {

struct ReuseDemoOptions {
    netreactor::SocketAddress address;  // loopback by default; port 0 picks one
    bool old_reuseaddr = true;          // SO_REUSEADDR on the first listener
};

struct ReuseDemoResult {
    nrapp::json report;
    // TIME_WAIT seen, the bind without the option refused, the bind with it
    // accepted exactly when the old listener had the option too (Linux).
    bool as_expected = false;
};

// Throws SystemError when the first listener or its connection cannot be
// set up (operation "bind", "listen", "connect", "accept"...).
ReuseDemoResult run_reuse_demo(const ReuseDemoOptions& options);

}  // namespace sockopt
