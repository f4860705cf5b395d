// A real socket and its options through getsockopt/setsockopt: what the
// kernel reports, not what was asked.
#pragma once

#include <string>
#include <vector>

#include "json_output.hpp"
#include "netreactor/address.hpp"
#include "netreactor/error.hpp"
#include "sockopt_request.hpp"

namespace sockopt {

// Owns one descriptor; closes it on destruction.
class Socket {
public:
    // Throws SystemError (operation "socket").
    Socket(int family, int type);
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const noexcept { return fd_; }

private:
    int fd_;
};

// Every option this tool knows, as the kernel reports it now:
// {"sndbuf","rcvbuf","rcvtimeo","sndtimeo","nonblocking","reuseaddr","reuseport","keepalive"}
// and for TCP also {"nodelay","keepidle","keepintvl","keepcnt"}. Throws SystemError.
nrapp::json read_options(const Socket& socket, bool tcp);

// Applies what `request` asks, in a fixed order, and appends the name of
// each option set to `applied`. Throws SystemError at the first failure
// (`applied` then tells what was set before it).
void apply_options(const Socket& socket, const SockoptRequest& request, std::vector<std::string>& applied);

// The requested values, by the names read_options uses.
nrapp::json requested_options(const SockoptRequest& request);

// Binds and returns the bound address (the real port when 0 was asked).
// Throws SystemError (operation "bind": EADDRINUSE, EADDRNOTAVAIL, EACCES).
netreactor::SocketAddress bind_socket(const Socket& socket, const netreactor::SocketAddress& address);

// /proc/sys/net/core/wmem_max and rmem_max, the caps of SO_SNDBUF/SO_RCVBUF
// for unprivileged processes (null when unreadable).
nrapp::json buffer_limits();

}  // namespace sockopt
