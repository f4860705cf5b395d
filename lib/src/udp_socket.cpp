#include "netreactor/udp_socket.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "loop_impl.hpp"
#include "uv_error.hpp"
#include "socket_options.hpp"
#include "internal.hpp"
#include "uv_handle_ref.hpp"

namespace netreactor {

struct NETREACTOR_INTERNAL UdpSocket::Impl {
    uv_udp_t udp{};
    // Runs the next loop iteration to report failures send() found at once:
    // a report never runs inside the call that caused it.
    uv_idle_t report{};
    std::vector<Error> deferred_errors;
    UdpSocket* owner = nullptr;
    UdpHandler* handler = nullptr;
    bool connected = false;
    // libuv hands a recvmmsg batch over one datagram at a time and drops the
    // rest of the batch if receiving stops in between: a stop asked while a
    // batch is delivered waits for its end (see stop_receiving()).
    bool delivering_batch = false;
    bool stop_after_batch = false;
    int open_handles = 2;  // udp and report; freed when both are closed
    std::uint64_t received = 0;
    std::uint64_t sent = 0;
    std::size_t queued = 0;
    // The socket once it exists (bind(), connect() or libuv's implicit bind
    // at the first send); -1 before. send() hands datagrams to it directly.
    int fd = -1;

    void defer_error(Error error);
    // uv_fileno once libuv has made the socket.
    void note_socket() noexcept;
    // One sendto(2): the bytes sent, or a libuv status (UV_EAGAIN when the
    // kernel would block).
    ssize_t send_now(std::span<const char> data, const SocketAddress* to) const noexcept;
    [[gnu::noinline]] ssize_t send_failed(std::span<const char> data, const SocketAddress* to) const noexcept;
    // send() when the socket does not exist yet, something is queued, or the
    // kernel did not take the datagram at once. Out of line: the per-datagram
    // path stays small.
    [[gnu::noinline]] void send_slow(std::span<const char> data, const SocketAddress& to, ssize_t first_try);
    // The receive callback's rare cases: an error, the end of a batch.
    [[gnu::noinline]] void on_receive_error(ssize_t status);
    [[gnu::noinline]] void on_batch_end();
};

namespace {

// The slow path only: a datagram the kernel would not take at once.
struct QueuedDatagram {
    uv_udp_send_t req{};
    UdpSocket::Impl* socket = nullptr;
    std::vector<char> bytes;
};

void close_udp(UdpSocket::Impl* impl) {
    impl->owner = nullptr;
    impl->handler = nullptr;
    auto release = [](uv_handle_t* h) {
        auto* socket = static_cast<UdpSocket::Impl*>(h->data);
        if (--socket->open_handles == 0) delete socket;
    };
    uv_close(reinterpret_cast<uv_handle_t*>(&impl->udp), release);
    uv_close(reinterpret_cast<uv_handle_t*>(&impl->report), release);
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

}  // namespace

UdpSocket::UdpSocket(Loop& loop, UdpHandler& handler) : impl_(new Impl) {
    impl_->udp.data = impl_;
    impl_->owner = this;
    impl_->handler = &handler;
    // recvmmsg: up to four datagrams per system call (one per 64 KiB of the
    // loop's shared read buffer) when several are waiting; one as before when not.
    uv_udp_init_ex(uv_loop_of(loop), &impl_->udp, AF_UNSPEC | UV_UDP_RECVMMSG);
    uv_idle_init(uv_loop_of(loop), &impl_->report);
    impl_->report.data = impl_;
}

void UdpSocket::Impl::note_socket() noexcept {
    uv_os_fd_t socket = -1;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(&udp), &socket) == 0) fd = socket;
}

void UdpSocket::Impl::defer_error(Error error) {
    deferred_errors.push_back(std::move(error));
    uv_idle_start(&report, report_deferred_errors);
}

UdpSocket::~UdpSocket() { close_udp(impl_); }

void UdpSocket::bind(const SocketAddress& address, const UdpBindOptions& options) {
    unsigned flags = options.ipv6_only ? UV_UDP_IPV6ONLY : 0;
    if (options.reuse_port) {
        // libuv 1.44 sets SO_REUSEPORT only on BSDs: make the socket ourselves.
        int fd = open_reuse_port_socket(address.family(), SOCK_DGRAM);
        if (fd < 0) throw SystemError(uv_error(fd, "socket"));
        if (int rc = uv_udp_open(&impl_->udp, fd); rc < 0) {
            ::close(fd);
            throw SystemError(uv_error(rc, "socket"));
        }
    }
    check_uv(uv_udp_bind(&impl_->udp, address.sockaddr_ptr(), flags), "bind");
    impl_->note_socket();
}

void UdpSocket::connect(const SocketAddress& peer) {
    check_uv(uv_udp_connect(&impl_->udp, peer.sockaddr_ptr()), "connect");
    impl_->connected = true;
    impl_->note_socket();
}

void UdpSocket::start_receiving() {
    if (impl_->stop_after_batch) {  // stopped inside this batch: never stopped after all
        impl_->stop_after_batch = false;
        return;
    }
    check_uv(uv_udp_recv_start(
                 &impl_->udp, alloc_shared_read_buffer,
                 [](uv_udp_t* udp, ssize_t nread, const uv_buf_t* buf, const sockaddr* from, unsigned flags) {
                     auto* impl = static_cast<Impl*>(udp->data);
                     if (impl->handler == nullptr) return;
                     if (nread < 0) {
                         impl->on_receive_error(nread);
                         return;
                     }
                     if (from == nullptr) {  // the end of a batch, or nothing more to read this round
                         impl->on_batch_end();
                         return;
                     }
                     impl->received++;
                     impl->delivering_batch = (flags & UV_UDP_MMSG_CHUNK) != 0;
                     // May destroy the socket: the Impl stays until the close callback.
                     impl->handler->on_datagram(*impl->owner,
                                                std::span<const char>(buf->base, static_cast<std::size_t>(nread)),
                                                SocketAddress(from), (flags & UV_UDP_PARTIAL) != 0);
                     impl->delivering_batch = false;
                 }),
             "recv_start");
}

void UdpSocket::Impl::on_receive_error(ssize_t status) {
    handler->on_error(*owner, uv_error(static_cast<int>(status), "recv"));
}

void UdpSocket::Impl::on_batch_end() {
    if (stop_after_batch) {
        stop_after_batch = false;
        uv_udp_recv_stop(&udp);
    }
}

void UdpSocket::stop_receiving() {
    if (impl_->delivering_batch) {
        impl_->stop_after_batch = true;
        return;
    }
    uv_udp_recv_stop(&impl_->udp);
}

ssize_t UdpSocket::Impl::send_now(std::span<const char> data, const SocketAddress* to) const noexcept {
    // `to` is IPv4 or IPv6 here (send() leaves empty addresses to libuv).
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
// sendto(2). uv_udp_try_send does the same behind checks that hold here
// (~70 instructions a datagram; docs/benchmarks.md, issue 12).
void UdpSocket::send(std::span<const char> data, const SocketAddress& to) {
    Impl& s = *impl_;
    const SocketAddress* dest = s.connected ? nullptr : &to;
    // An empty address goes to libuv too, for its EINVAL.
    if (s.queued != 0 || s.fd < 0 || (dest != nullptr && dest->empty())) {
        s.send_slow(data, to, UV_EAGAIN);
        return;
    }
    ssize_t n = s.send_now(data, dest);
    if (n < 0) {
        s.send_slow(data, to, n);
        return;
    }
    s.sent++;
}

// `first_try`: what send_now() answered, or UV_EAGAIN when it was not asked.
void UdpSocket::Impl::send_slow(std::span<const char> data, const SocketAddress& to, ssize_t first_try) {
    if (first_try != UV_EAGAIN) {
        defer_error(uv_error(static_cast<int>(first_try), "send"));
        return;
    }
    const sockaddr* dest = connected ? nullptr : to.sockaddr_ptr();
    uv_buf_t buf = uv_buf_init(const_cast<char*>(data.data()), static_cast<unsigned>(data.size()));
    if (queued == 0 && fd < 0) {
        // No socket yet: libuv makes it (bound to the wildcard address of
        // the peer's family), then sends.
        int n = uv_udp_try_send(&udp, &buf, 1, dest);
        note_socket();
        if (n >= 0) {
            sent++;
            return;
        }
        if (n != UV_EAGAIN) {
            defer_error(uv_error(n, "send"));
            return;
        }
    }
    auto* q = new QueuedDatagram;
    q->req.data = q;
    q->socket = this;
    q->bytes.assign(data.begin(), data.end());
    buf = uv_buf_init(q->bytes.data(), static_cast<unsigned>(q->bytes.size()));
    int rc = uv_udp_send(&q->req, &udp, &buf, 1, dest, [](uv_udp_send_t* req, int status) {
        auto* datagram = static_cast<QueuedDatagram*>(req->data);
        Impl* impl = datagram->socket;
        delete datagram;
        impl->queued--;
        if (status == UV_ECANCELED) return;
        if (status < 0) {
            if (impl->handler != nullptr) impl->handler->on_error(*impl->owner, uv_error(status, "send"));
            return;
        }
        impl->sent++;
    });
    if (rc < 0) {
        delete q;
        defer_error(uv_error(rc, "send"));
        return;
    }
    note_socket();
    queued++;
}

void UdpSocket::keep_loop_alive(bool keep) noexcept {
    detail::keep_loop_alive(reinterpret_cast<uv_handle_t*>(&impl_->udp), keep);
}

SocketAddress UdpSocket::local_address() const {
    sockaddr_storage ss{};
    int len = sizeof ss;
    if (uv_udp_getsockname(&impl_->udp, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
    return SocketAddress(reinterpret_cast<sockaddr*>(&ss));
}

std::uint64_t UdpSocket::datagrams_received() const noexcept { return impl_->received; }
std::uint64_t UdpSocket::datagrams_sent() const noexcept { return impl_->sent; }
std::size_t UdpSocket::queued_datagrams() const noexcept { return impl_->queued; }

}  // namespace netreactor
