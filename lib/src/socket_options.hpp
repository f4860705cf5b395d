// Internal: sockets libuv cannot make for us.
#pragma once

namespace netreactor {

// A nonblocking, close-on-exec socket with SO_REUSEADDR and SO_REUSEPORT set.
// Returns the descriptor, or a negative libuv status.
int open_reuse_port_socket(int family, int type);

}  // namespace netreactor
