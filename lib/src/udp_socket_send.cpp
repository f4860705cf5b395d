// UdpSocket's sending: one sendto(2) per datagram when the kernel takes it,
// and a queue, in order, of what it refused for want of buffer space.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

#include "udp_socket_impl.hpp"
#include "uv_error.hpp"

namespace netreactor {

void UdpSocket::Impl::flush_queue() {
    while (!queue.empty()) {
        QueuedDatagram& next = queue.front();
        // Its own address, even if connect() came since it was queued: it goes
        // where send() was told, as libuv's queued sends did.
        ssize_t n = send_now(next.bytes, next.to.empty() ? nullptr : &next.to);
        if (n == UV_EAGAIN) break;
        queue.pop_front();
        if (n >= 0) {
            sent++;
            continue;
        }
        handler->on_error(*owner, uv_error(static_cast<int>(n), "send"));
        if (handler == nullptr) return;
    }
    update_poll();
}

ssize_t UdpSocket::Impl::send_now(std::span<const char> data, const SocketAddress* to) const noexcept {
    // `to` is IPv4 or IPv6 here (send() turns empty addresses away).
    auto length = static_cast<socklen_t>(to != nullptr && to->family() == AF_INET ? sizeof(sockaddr_in)
                                                                                 : sizeof(sockaddr_in6));
    ssize_t n = to != nullptr ? ::sendto(fd, data.data(), data.size(), 0, to->sockaddr_ptr(), length)
                              : ::send(fd, data.data(), data.size(), 0);
    return n >= 0 ? n : send_failed(data, to);
}

ssize_t UdpSocket::Impl::send_failed(std::span<const char> data, const SocketAddress* to) const noexcept {
    ssize_t n = -1;
    while (n < 0 && errno == EINTR)
        n = to != nullptr ? ::sendto(fd, data.data(), data.size(), 0, to->sockaddr_ptr(), to->length())
                          : ::send(fd, data.data(), data.size(), 0);
    if (n >= 0) return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return UV_EAGAIN;
    return -errno;  // libuv's status for errno on Unix
}

// The per-datagram path: with the socket made and nothing queued, one
// sendto(2) (docs/benchmarks.md, issue 12).
void UdpSocket::send(std::span<const char> data, const SocketAddress& to) {
    Impl& s = *impl_;
    const SocketAddress* dest = s.connected ? nullptr : &to;
    if (!s.queue.empty() || s.fd < 0 || (dest != nullptr && dest->empty())) {
        s.send_slow(data, to);
        return;
    }
    ssize_t n = s.send_now(data, dest);
    if (n < 0) {
        s.send_refused(data, to, n);
        return;
    }
    s.sent++;
}

void UdpSocket::Impl::send_slow(std::span<const char> data, const SocketAddress& to) {
    if (!connected && to.empty()) {  // nowhere to send it
        defer_error(uv_error(UV_EINVAL, "send"));
        return;
    }
    if (fd < 0) {  // never connected here: connect() makes the socket
        try {
            ensure_socket(to.family());
        } catch (const SystemError& e) {
            defer_error(e.error());
            return;
        }
    }
    if (!queue.empty()) {  // after the datagrams waiting before it
        send_refused(data, to, UV_EAGAIN);
        return;
    }
    ssize_t n = send_now(data, connected ? nullptr : &to);
    if (n < 0) {
        send_refused(data, to, n);
        return;
    }
    sent++;
}

void UdpSocket::Impl::send_refused(std::span<const char> data, const SocketAddress& to, ssize_t status) {
    if (status != UV_EAGAIN) {
        defer_error(uv_error(static_cast<int>(status), "send"));
        return;
    }
    queue.push_back(QueuedDatagram{std::vector<char>(data.begin(), data.end()), connected ? SocketAddress() : to});
    update_poll();  // waits for the socket to be writable
}

}  // namespace netreactor
