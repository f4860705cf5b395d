#include "port_claim.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "netreactor/error.hpp"

namespace echo {

namespace {

// A socket closed when it goes out of scope.
class ProbeSocket {
public:
    explicit ProbeSocket(int fd) : fd_(fd) {}
    ~ProbeSocket() {
        if (fd_ >= 0) ::close(fd_);
    }
    ProbeSocket(const ProbeSocket&) = delete;
    ProbeSocket& operator=(const ProbeSocket&) = delete;
    int fd() const noexcept { return fd_; }

private:
    int fd_;
};

[[noreturn]] void fail(const char* operation) {
    // libuv's statuses are negative errno values: Error names them the same way.
    throw netreactor::SystemError(netreactor::Error::from_errno(errno, operation));
}

// Binds a probe of `type` at `address`; returns the port the kernel gave it.
// TCP sets SO_REUSEADDR as the listeners do, so a connection in TIME_WAIT does
// not count as "in use" while a listening socket still does.
std::uint16_t probe(const netreactor::SocketAddress& address, int type) {
    ProbeSocket s(::socket(address.family(), type | SOCK_CLOEXEC, 0));
    if (s.fd() < 0) fail("socket");
    int on = 1;
    if (type == SOCK_STREAM && ::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) fail("socket");
    if (::bind(s.fd(), address.sockaddr_ptr(), address.length()) < 0) fail("bind");
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    if (::getsockname(s.fd(), reinterpret_cast<sockaddr*>(&bound), &length) < 0) fail("bind");
    return netreactor::SocketAddress(reinterpret_cast<const sockaddr*>(&bound)).port();
}

}  // namespace

netreactor::SocketAddress claim_port_alone(const netreactor::SocketAddress& address, bool tcp, bool udp) {
    netreactor::SocketAddress claimed = address;
    // With port 0 the TCP pick may be taken for UDP: try a few picks.
    constexpr int kPicks = 8;
    for (int pick = 1;; ++pick) {
        claimed.set_port(address.port());
        try {
            if (tcp) claimed.set_port(probe(claimed, SOCK_STREAM));
            if (udp) claimed.set_port(probe(claimed, SOCK_DGRAM));
            return claimed;
        } catch (const netreactor::SystemError& e) {
            if (address.port() != 0 || !tcp || !udp || e.error().code() != "EADDRINUSE" || pick == kPicks) throw;
        }
    }
}

}  // namespace echo
