// UdpSocket's life: making the socket, bind and connect, the poll handle that
// says when it is readable or writable, and receiving. Sending is in
// udp_socket_send.cpp; the state both share in udp_socket_impl.hpp.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "loop_impl.hpp"
#include "socket_options.hpp"
#include "udp_socket_impl.hpp"
#include "uv_error.hpp"

namespace netreactor {

namespace {

void release_handle(uv_handle_t* h) {
    auto* socket = static_cast<UdpSocket::Impl*>(h->data);
    if (--socket->open_handles == 0) delete socket;
}

void close_udp(UdpSocket::Impl* impl) {
    impl->owner = nullptr;
    impl->handler = nullptr;
    if (impl->fd >= 0) {
        uv_close(reinterpret_cast<uv_handle_t*>(&impl->poll), release_handle);
        // At once, as libuv closes its own sockets (uv_close stopped watching
        // it): the port is free when the destructor returns.
        ::close(impl->fd);
        impl->fd = -1;
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&impl->report), release_handle);
}

void report_deferred_errors(uv_idle_t* idle) {
    auto* impl = static_cast<UdpSocket::Impl*>(idle->data);
    uv_idle_stop(idle);
    std::vector<Error> errors;
    errors.swap(impl->deferred_errors);
    for (const Error& error : errors) {
        if (impl->handler == nullptr) return;  // the socket was destroyed by an earlier report
        impl->handler->on_error(*impl->owner, error);
    }
}

// The wildcard address of `family`, port 0.
SocketAddress wildcard(int family) {
    return *SocketAddress::parse(family == AF_INET6 ? "::" : "0.0.0.0", 0);
}

int open_udp_socket(int family) {
    int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return fd >= 0 ? fd : -errno;
}

}  // namespace

UdpSocket::UdpSocket(Loop& loop, UdpHandler& handler) : impl_(new Impl) {
    impl_->loop = uv_loop_of(loop);
    impl_->read_buffer = LoopAccess::impl(loop).read_buffer.get();
    impl_->owner = this;
    impl_->handler = &handler;
    uv_idle_init(impl_->loop, &impl_->report);
    impl_->report.data = impl_;
}

UdpSocket::~UdpSocket() { close_udp(impl_); }

void UdpSocket::Impl::adopt(int socket) {
    if (int rc = uv_poll_init_socket(loop, &poll, socket); rc < 0) {
        ::close(socket);
        throw SystemError(uv_error(rc, "socket"));
    }
    fd = socket;
    poll.data = this;
    open_handles++;
    update_poll();
}

void UdpSocket::Impl::ensure_socket(int family) {
    if (fd >= 0) return;
    int socket = open_udp_socket(family);
    if (socket < 0) throw SystemError(uv_error(socket, "socket"));
    SocketAddress any = wildcard(family);
    if (::bind(socket, any.sockaddr_ptr(), any.length()) < 0) {
        int err = -errno;
        ::close(socket);
        throw SystemError(uv_error(err, "bind"));
    }
    adopt(socket);
}

void UdpSocket::Impl::update_poll() {
    if (fd < 0) return;
    int events = (receiving ? UV_READABLE : 0) | (queue.empty() ? 0 : UV_WRITABLE);
    // Each change costs an epoll_ctl in the next iteration: none when nothing changed.
    if (events != poll_events) {
        poll_events = events;
        if (events == 0) {
            uv_poll_stop(&poll);
            return;
        }
        uv_poll_start(&poll, events, [](uv_poll_t* p, int status, int ready) {
            static_cast<Impl*>(p->data)->on_poll(status, ready);
        });
    }
    if (events == 0) return;
    // Queued datagrams keep the loop going whatever keep_loop_alive() said.
    if (keep_alive || !queue.empty()) {
        uv_ref(reinterpret_cast<uv_handle_t*>(&poll));
    } else {
        uv_unref(reinterpret_cast<uv_handle_t*>(&poll));
    }
}

void UdpSocket::Impl::defer_error(Error error) {
    deferred_errors.push_back(std::move(error));
    uv_idle_start(&report, report_deferred_errors);
}

void UdpSocket::bind(const SocketAddress& address, const UdpBindOptions& options) {
    Impl& s = *impl_;
    if (options.ipv6_only && address.family() != AF_INET6) throw SystemError(uv_error(UV_EINVAL, "bind"));
    if (s.fd >= 0) {  // bound already (the kernel says EINVAL)
        if (::bind(s.fd, address.sockaddr_ptr(), address.length()) < 0) throw SystemError(uv_error(-errno, "bind"));
        return;
    }
    if (address.empty()) throw SystemError(uv_error(UV_EINVAL, "bind"));
    // libuv 1.44 sets SO_REUSEPORT only on BSDs, hence a socket of our own.
    int socket = options.reuse_port ? open_reuse_port_socket(address.family(), SOCK_DGRAM)
                                    : open_udp_socket(address.family());
    if (socket < 0) throw SystemError(uv_error(socket, "socket"));
    int on = 1;
    if ((options.ipv6_only && ::setsockopt(socket, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0) ||
        ::bind(socket, address.sockaddr_ptr(), address.length()) < 0) {
        int err = -errno;
        ::close(socket);  // not made after all: a later bind() starts afresh
        throw SystemError(uv_error(err, "bind"));
    }
    s.adopt(socket);
}

void UdpSocket::connect(const SocketAddress& peer) {
    Impl& s = *impl_;
    if (peer.empty()) throw SystemError(uv_error(UV_EINVAL, "connect"));
    if (s.connected) throw SystemError(uv_error(UV_EISCONN, "connect"));  // as libuv's
    s.ensure_socket(peer.family());
    if (::connect(s.fd, peer.sockaddr_ptr(), peer.length()) < 0) throw SystemError(uv_error(-errno, "connect"));
    s.connected = true;
}

void UdpSocket::start_receiving() {
    Impl& s = *impl_;
    s.ensure_socket(AF_INET);  // libuv's choice for a socket that receives before it is bound
    s.receiving = true;
    s.update_poll();
}

// Called from on_datagram, the datagram being delivered is the last: each
// system call reads one, so none has left the kernel unseen.
void UdpSocket::stop_receiving() {
    Impl& s = *impl_;
    s.receiving = false;
    s.update_poll();
}

void UdpSocket::Impl::on_poll(int status, int events) {
    if (handler == nullptr) return;
    if (status < 0) {
        // libuv stops the handle and says EBADF when epoll reports EPOLLERR,
        // which on a UDP socket is a pending error (an ICMP port unreachable
        // for a connected socket): the next receive or send returns it.
        if (receiving) {
            receive_some();
        } else {
            int error = 0;
            socklen_t length = sizeof error;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
            handler->on_error(*owner, uv_error(error != 0 ? -error : status, "send"));
        }
        if (handler == nullptr) return;
        poll_events = 0;  // libuv stopped the handle: start it again
        update_poll();
        return;
    }
    if ((events & UV_READABLE) != 0 && receiving) {
        receive_some();
        if (handler == nullptr) return;
    }
    if ((events & UV_WRITABLE) != 0 && !queue.empty()) flush_queue();
}

// As raw epoll's server: recvfrom until EAGAIN. MSG_TRUNC makes it return a
// datagram's real length, so a truncation shows.
void UdpSocket::Impl::receive_some() {
    constexpr std::size_t capacity = LoopAccess::Impl::kReadBufferSize;
    auto* sender = const_cast<sockaddr*>(from.sockaddr_ptr());
    for (int i = 0; i < kDatagramsPerWakeup && receiving; ++i) {
        socklen_t sender_length = sizeof(sockaddr_storage);
        ssize_t n = ::recvfrom(fd, read_buffer, capacity, MSG_TRUNC, sender, &sender_length);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            handler->on_error(*owner, uv_error(-errno, "recv"));
            return;  // as libuv: the next wake-up reads on
        }
        received++;
        auto size = static_cast<std::size_t>(n);
        // May destroy the socket: the Impl stays until the close callbacks.
        handler->on_datagram(*owner, std::span<const char>(read_buffer, std::min(size, capacity)), from,
                             size > capacity);
        if (handler == nullptr) return;
    }
}

void UdpSocket::keep_loop_alive(bool keep) noexcept {
    impl_->keep_alive = keep;
    if (impl_->fd < 0) return;  // applied when the socket is made
    if (keep || !impl_->queue.empty()) {
        uv_ref(reinterpret_cast<uv_handle_t*>(&impl_->poll));
    } else {
        uv_unref(reinterpret_cast<uv_handle_t*>(&impl_->poll));
    }
}

SocketAddress UdpSocket::local_address() const {
    if (impl_->fd < 0) return {};
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(impl_->fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
    return SocketAddress(reinterpret_cast<sockaddr*>(&ss));
}

std::uint64_t UdpSocket::datagrams_received() const noexcept { return impl_->received; }
std::uint64_t UdpSocket::datagrams_sent() const noexcept { return impl_->sent; }
std::size_t UdpSocket::queued_datagrams() const noexcept { return impl_->queue.size(); }

}  // namespace netreactor
