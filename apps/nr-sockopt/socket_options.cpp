#include "socket_options.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <fstream>

#include "throw_errno.hpp"

namespace sockopt {

namespace {

using nrapp::json;

int get_int(int fd, int level, int name, const char* operation) {
    int value = 0;
    socklen_t length = sizeof value;
    if (::getsockopt(fd, level, name, &value, &length) != 0) nrapp::throw_errno(operation);
    return value;
}

void set_int(int fd, int level, int name, int value, const char* operation) {
    if (::setsockopt(fd, level, name, &value, sizeof value) != 0) nrapp::throw_errno(operation);
}

double get_seconds(int fd, int name, const char* operation) {
    timeval tv{};
    socklen_t length = sizeof tv;
    if (::getsockopt(fd, SOL_SOCKET, name, &tv, &length) != 0) nrapp::throw_errno(operation);
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

void set_seconds(int fd, int name, double seconds, const char* operation) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(seconds);
    tv.tv_usec = static_cast<suseconds_t>(std::llround((seconds - static_cast<double>(tv.tv_sec)) * 1e6));
    if (tv.tv_usec >= 1000000) {
        tv.tv_sec += 1;
        tv.tv_usec -= 1000000;
    }
    if (::setsockopt(fd, SOL_SOCKET, name, &tv, sizeof tv) != 0) nrapp::throw_errno(operation);
}

json read_proc_number(const char* path) {
    std::ifstream in(path);
    long long value = 0;
    if (in >> value) return value;
    return nullptr;
}

}  // namespace

Socket::Socket(int family, int type) : fd_(::socket(family, type | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) nrapp::throw_errno("socket");
}

Socket::~Socket() { ::close(fd_); }

json read_options(const Socket& socket, bool tcp) {
    int fd = socket.fd();
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) nrapp::throw_errno("fcntl");
    json options = {
        {"sndbuf", get_int(fd, SOL_SOCKET, SO_SNDBUF, "getsockopt SO_SNDBUF")},
        {"rcvbuf", get_int(fd, SOL_SOCKET, SO_RCVBUF, "getsockopt SO_RCVBUF")},
        {"rcvtimeo", get_seconds(fd, SO_RCVTIMEO, "getsockopt SO_RCVTIMEO")},
        {"sndtimeo", get_seconds(fd, SO_SNDTIMEO, "getsockopt SO_SNDTIMEO")},
        {"nonblocking", (flags & O_NONBLOCK) != 0},
        {"reuseaddr", get_int(fd, SOL_SOCKET, SO_REUSEADDR, "getsockopt SO_REUSEADDR") != 0},
        {"reuseport", get_int(fd, SOL_SOCKET, SO_REUSEPORT, "getsockopt SO_REUSEPORT") != 0},
        {"keepalive", get_int(fd, SOL_SOCKET, SO_KEEPALIVE, "getsockopt SO_KEEPALIVE") != 0},
    };
    if (tcp) {
        options["nodelay"] = get_int(fd, IPPROTO_TCP, TCP_NODELAY, "getsockopt TCP_NODELAY") != 0;
        options["keepidle"] = get_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, "getsockopt TCP_KEEPIDLE");
        options["keepintvl"] = get_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, "getsockopt TCP_KEEPINTVL");
        options["keepcnt"] = get_int(fd, IPPROTO_TCP, TCP_KEEPCNT, "getsockopt TCP_KEEPCNT");
    }
    return options;
}

void apply_options(const Socket& socket, const SockoptRequest& request, std::vector<std::string>& applied) {
    int fd = socket.fd();
    if (request.nonblocking) {
        int flags = ::fcntl(fd, F_GETFL);
        if (flags < 0) nrapp::throw_errno("fcntl");
        flags = *request.nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
        if (::fcntl(fd, F_SETFL, flags) != 0) nrapp::throw_errno("fcntl");
        applied.emplace_back("nonblocking");
    }
    if (request.reuseaddr) {
        set_int(fd, SOL_SOCKET, SO_REUSEADDR, *request.reuseaddr, "setsockopt SO_REUSEADDR");
        applied.emplace_back("reuseaddr");
    }
    if (request.keepalive) {
        set_int(fd, SOL_SOCKET, SO_KEEPALIVE, *request.keepalive, "setsockopt SO_KEEPALIVE");
        applied.emplace_back("keepalive");
    }
    if (request.nodelay) {
        set_int(fd, IPPROTO_TCP, TCP_NODELAY, *request.nodelay, "setsockopt TCP_NODELAY");
        applied.emplace_back("nodelay");
    }
    if (request.sndbuf) {
        set_int(fd, SOL_SOCKET, SO_SNDBUF, *request.sndbuf, "setsockopt SO_SNDBUF");
        applied.emplace_back("sndbuf");
    }
    if (request.rcvbuf) {
        set_int(fd, SOL_SOCKET, SO_RCVBUF, *request.rcvbuf, "setsockopt SO_RCVBUF");
        applied.emplace_back("rcvbuf");
    }
    if (request.timeout) {
        set_seconds(fd, SO_RCVTIMEO, *request.timeout, "setsockopt SO_RCVTIMEO");
        applied.emplace_back("rcvtimeo");
        set_seconds(fd, SO_SNDTIMEO, *request.timeout, "setsockopt SO_SNDTIMEO");
        applied.emplace_back("sndtimeo");
    }
}

json requested_options(const SockoptRequest& request) {
    json asked = json::object();
    if (request.nonblocking) asked["nonblocking"] = *request.nonblocking;
    if (request.reuseaddr) asked["reuseaddr"] = *request.reuseaddr;
    if (request.keepalive) asked["keepalive"] = *request.keepalive;
    if (request.nodelay) asked["nodelay"] = *request.nodelay;
    if (request.sndbuf) asked["sndbuf"] = *request.sndbuf;
    if (request.rcvbuf) asked["rcvbuf"] = *request.rcvbuf;
    if (request.timeout) {
        asked["rcvtimeo"] = *request.timeout;
        asked["sndtimeo"] = *request.timeout;
    }
    return asked;
}

netreactor::SocketAddress bind_socket(const Socket& socket, const netreactor::SocketAddress& address) {
    if (::bind(socket.fd(), address.sockaddr_ptr(), address.length()) != 0) nrapp::throw_errno("bind");
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    if (::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&bound), &length) != 0) nrapp::throw_errno("getsockname");
    return netreactor::SocketAddress(reinterpret_cast<const sockaddr*>(&bound));
}

json buffer_limits() {
    return {{"wmem_max", read_proc_number("/proc/sys/net/core/wmem_max")},
            {"rmem_max", read_proc_number("/proc/sys/net/core/rmem_max")}};
}

}  // namespace sockopt
