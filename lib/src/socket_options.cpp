#include "socket_options.hpp"

#include <uv.h>

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace netreactor {

int open_reuse_port_socket(int family, int type) {
    int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    int on = 1;
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) < 0) {
        int err = -errno;
        ::close(fd);
        return err;
    }
    return fd;
}

}  // namespace netreactor
