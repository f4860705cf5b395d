#include "ares_channel.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <mutex>

namespace netreactor {

namespace {

void library_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

}  // namespace

std::string dns_status_code(int status) {
    switch (status) {
        case ARES_SUCCESS: return "NOERROR";
        case ARES_ENODATA: return "NODATA";
        case ARES_EFORMERR: return "FORMERR";
        case ARES_ESERVFAIL: return "SERVFAIL";
        case ARES_ENOTFOUND: return "NXDOMAIN";
        case ARES_ENOTIMP: return "NOTIMP";
        case ARES_EREFUSED: return "REFUSED";
        case ARES_EBADQUERY: return "BADQUERY";
        case ARES_EBADNAME: return "BADNAME";
        case ARES_EBADFAMILY: return "EAFNOSUPPORT";
        case ARES_EBADRESP: return "BADRESP";
        case ARES_ECONNREFUSED: return "ECONNREFUSED";
        case ARES_ETIMEOUT: return "ETIMEDOUT";
        case ARES_EOF: return "EOF";
        case ARES_EFILE: return "EFILE";
        case ARES_ENOMEM: return "ENOMEM";
        case ARES_EDESTRUCTION: return "ECANCELED";
        case ARES_ECANCELLED: return "ECANCELED";
        case ARES_ENONAME: return "NXDOMAIN";
        case ARES_ESERVICE: return "ESERVICE";
        default: return "EDNS";
    }
}

Error dns_error(int status, std::string operation) {
    return Error(dns_status_code(status), ares_strerror(status), std::move(operation));
}

std::string servers_csv(const std::vector<std::string>& servers) {
    std::string csv;
    for (const auto& text : servers) {
        auto address = SocketAddress::parse_endpoint(text, 53);
        if (!address) throw SystemError(Error("EINVAL", "not a DNS server address (IP[:PORT] or [IPv6]:PORT): " + text, "resolver"));
        if (address->port() == 0) throw SystemError(Error("EINVAL", "DNS server port 0 is not a port to send to: " + text, "resolver"));
        if (address->is_ipv6()) {
            const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(address->sockaddr_ptr());
            if (sin6->sin6_scope_id != 0 || IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr))
                throw SystemError(Error("EINVAL", "scoped and link-local DNS server addresses are not supported: " + text,
                                        "resolver"));
        }
        if (!csv.empty()) csv += ',';
        csv += address->to_string();
    }
    return csv;
}

struct AresChannel::Poll {
    uv_poll_t handle{};
    AresChannel* channel = nullptr;
    ares_socket_t fd = ARES_SOCKET_BAD;
};

AresChannel::AresChannel(uv_loop_t* loop, const ResolverOptions& options) : loop_(loop) {
    library_init_once();
    ares_options opts{};
    int mask = 0;
    opts.sock_state_cb = &AresChannel::on_socket_state;
    opts.sock_state_cb_data = this;
    mask |= ARES_OPT_SOCK_STATE_CB;
    opts.timeout = static_cast<int>(options.timeout.count());
    try_timeout_ms_ = static_cast<std::uint64_t>(options.timeout.count());
    mask |= ARES_OPT_TIMEOUTMS;
    opts.tries = options.tries;
    mask |= ARES_OPT_TRIES;
    // Without NOCHECKRESP, SERVFAIL and REFUSED answers make c-ares try the
    // next server and finally report "could not contact DNS servers".
    opts.flags = ARES_FLAG_NOCHECKRESP;
    mask |= ARES_OPT_FLAGS;
    // A bulk run has hundreds of answers arriving at once; the default
    // socket buffer (~200 KiB, ~250 small datagrams) would drop some, and a
    // dropped answer costs a whole retry timeout. The kernel caps this at
    // net.core.rmem_max.
    // (Set by open_socket: c-ares leaves sockets made by our own socket
    // functions alone.)
    receive_buffer_bytes_ = 4 << 20;
    std::string lookups = options.use_hosts_file ? "fb" : "b";
    opts.lookups = lookups.data();
    mask |= ARES_OPT_LOOKUPS;
    std::string csv = servers_csv(options.servers);  // validate before allocating anything

    if (int rc = ares_init_options(&channel_, &opts, mask); rc != ARES_SUCCESS)
        throw SystemError(dns_error(rc, "resolver_init"));
    if (!csv.empty()) {
        if (int rc = ares_set_servers_ports_csv(channel_, csv.c_str()); rc != ARES_SUCCESS) {
            ares_destroy(channel_);
            throw SystemError(dns_error(rc, "resolver_init"));
        }
    }
    // Our own socket calls: they are c-ares' only window on what each
    // socket reads (truncated and undecodable answers, TCP failures).
    static const ares_socket_functions functions{&AresChannel::open_socket, &AresChannel::close_socket,
                                                 &AresChannel::connect_socket, &AresChannel::receive,
                                                 &AresChannel::send_vector};
    ares_set_socket_functions(channel_, &functions, this);
    uv_timer_init(loop_, &timer_);
    timer_.data = this;
}

void AresChannel::on_socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* self = static_cast<AresChannel*>(data);
    auto it = self->polls_.find(fd);
    if (!readable && !writable) {
        if (it == self->polls_.end()) return;
        Poll* poll = it->second;
        self->polls_.erase(it);
        // Stop now: c-ares closes the descriptor right after this callback.
        uv_poll_stop(&poll->handle);
        uv_close(reinterpret_cast<uv_handle_t*>(&poll->handle), [](uv_handle_t* h) { delete static_cast<Poll*>(h->data); });
        return;
    }
    Poll* poll;
    if (it == self->polls_.end()) {
        poll = new Poll;
        poll->channel = self;
        poll->fd = fd;
        poll->handle.data = poll;
        if (uv_poll_init_socket(self->loop_, &poll->handle, fd) < 0) {
            delete poll;
            return;  // c-ares' timeout will fail the query
        }
        // Polls alone do not keep the loop running: the timer does, while
        // queries are pending (c-ares may keep idle sockets open).
        uv_unref(reinterpret_cast<uv_handle_t*>(&poll->handle));
        self->polls_.emplace(fd, poll);
    } else {
        poll = it->second;
    }
    int events = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);
    uv_poll_start(&poll->handle, events, [](uv_poll_t* handle, int status, int ready) {
        auto* p = static_cast<Poll*>(handle->data);
        ares_socket_t fd_ = p->fd;
        if (status < 0) {
            // An error on the socket: let c-ares read and write to find out.
            p->channel->process(fd_, fd_);
        } else {
            p->channel->process((ready & UV_READABLE) ? fd_ : ARES_SOCKET_BAD,
                                (ready & UV_WRITABLE) ? fd_ : ARES_SOCKET_BAD);
        }
    });
}

ares_socket_t AresChannel::open_socket(int family, int type, int protocol, void* data) {
    auto* self = static_cast<AresChannel*>(data);
    int fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
    if (fd < 0) return ARES_SOCKET_BAD;
    if (type == SOCK_DGRAM) {
        // The kernel caps this at net.core.rmem_max; failing is harmless.
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &self->receive_buffer_bytes_, sizeof self->receive_buffer_bytes_);
    } else {
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    // A descriptor number is reused after close: the new socket replaces the old entry.
    self->sockets_[fd] = SocketInfo{type, {}};
    return fd;
}

int AresChannel::close_socket(ares_socket_t fd, void* data) {
    static_cast<AresChannel*>(data)->sockets_.erase(fd);
    return ::close(fd);
}

int AresChannel::connect_socket(ares_socket_t fd, const sockaddr* address, ares_socklen_t length, void*) {
    return ::connect(fd, address, length);
}

bool AresChannel::is_stream(ares_socket_t fd) const {
    auto it = sockets_.find(fd);
    return it != sockets_.end() && it->second.type == SOCK_STREAM;
}

namespace {

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == EINPROGRESS; }

}  // namespace

ares_ssize_t AresChannel::receive(ares_socket_t fd, void* buffer, std::size_t size, int flags, sockaddr* from,
                                  ares_socklen_t* from_length, void* data) {
    auto* self = static_cast<AresChannel*>(data);
    const bool stream = self->is_stream(fd);
    if (!stream && self->datagrams_left_ == 0) {
        // The round's share is read: c-ares stops its read loop at EAGAIN,
        // and process() runs another round once these are delivered.
        self->round_capped_ = true;
        errno = EAGAIN;
        return -1;
    }
    ssize_t n = ::recvfrom(fd, buffer, size, flags, from, from_length);
    int saved = errno;
    if (stream) {
        if (self->observer_ != nullptr) {
            if (n == 0) self->observer_->on_tcp_failure("EOF");
            else if (n < 0 && !would_block(saved)) self->observer_->on_tcp_failure(uv_err_name(-saved));
        }
    } else if (n > 0) {
        --self->datagrams_left_;
        if (self->observer_ != nullptr)
            self->observer_->on_datagram(static_cast<const std::uint8_t*>(buffer), static_cast<std::size_t>(n));
    }
    errno = saved;
    return n;
}

ares_ssize_t AresChannel::send_vector(ares_socket_t fd, const iovec* vector, int count, void* data) {
    auto* self = static_cast<AresChannel*>(data);
    // send() and sendmsg() go straight to the socket layer, where writev()
    // takes the file-write path first (and its fsnotify hook): a UDP query
    // is one buffer, sent with send() like c-ares' own sendto(). No SIGPIPE
    // (the loop ignores it anyway): a closed TCP peer is EPIPE either way.
    ssize_t n;
    if (count == 1) {
        n = ::send(fd, vector[0].iov_base, vector[0].iov_len, MSG_NOSIGNAL);
    } else {
        msghdr message{};
        message.msg_iov = const_cast<iovec*>(vector);
        message.msg_iovlen = static_cast<std::size_t>(count);
        n = ::sendmsg(fd, &message, MSG_NOSIGNAL);
    }
    int saved = errno;
    if (n < 0 && !would_block(saved) && self->observer_ != nullptr && self->is_stream(fd))
        self->observer_->on_tcp_failure(uv_err_name(-saved));
    errno = saved;
    return n;
}

void AresChannel::process(ares_socket_t read_fd, ares_socket_t write_fd) {
    if (destroyed_) return;
    const bool outermost = in_ares_call_ == 0;
    // Answers to queries sent between rounds may arrive meanwhile: reading
    // at most as many as were awaited when the socket woke us keeps one
    // wake-up as long as before, and the loop's other handles served.
    std::size_t budget = std::max(pending, kDatagramsPerRound);
    for (;;) {
        ++in_ares_call_;
        bool capped = process_round(read_fd, write_fd);
        --in_ares_call_;
        if (!capped || !outermost || budget <= kDatagramsPerRound) break;
        budget -= kDatagramsPerRound;
        // The socket may hold more: deliver this round's results, then read
        // on at once (waiting for the next loop iteration would cost a
        // poll). The timer is re-armed once, after the last round: c-ares
        // 1.18's ares_timeout walks every query in flight.
        if (destroy_requested_) destroy();
        if (destroyed_) return;
        if (observer_ != nullptr) observer_->after_process();
        if (destroyed_ || polls_.find(read_fd) == polls_.end()) break;  // c-ares closed the socket meanwhile
        write_fd = ARES_SOCKET_BAD;
    }
    after_call();
    if (outermost && !destroyed_ && observer_ != nullptr) observer_->after_process();
}

bool AresChannel::process_round(ares_socket_t read_fd, ares_socket_t write_fd) {
    // c-ares reads only read_fd here, so every answer delivered during this
    // call arrived on that socket.
    ares_socket_t outer_fd = reading_fd_;
    std::size_t outer_left = datagrams_left_;
    bool outer_capped = round_capped_;
    reading_fd_ = read_fd;
    datagrams_left_ = kDatagramsPerRound;
    round_capped_ = false;
    ares_process_fd(channel_, read_fd, write_fd);
    bool capped = round_capped_;
    reading_fd_ = outer_fd;
    datagrams_left_ = outer_left;
    round_capped_ = outer_capped;
    return capped;
}

AresChannel::AnswerSource AresChannel::answer_source() {
    if (reading_fd_ == ARES_SOCKET_BAD) return {};
    auto it = sockets_.find(reading_fd_);
    if (it == sockets_.end()) return {};
    SocketInfo& info = it->second;
    if (info.peer.empty()) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        if (getpeername(reading_fd_, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
            info.peer = SocketAddress(reinterpret_cast<sockaddr*>(&ss)).to_string();
    }
    return {info.type == SOCK_STREAM, info.peer};
}

void AresChannel::after_call() {
    if (in_ares_call_ > 0 || destroyed_) return;
    if (destroy_requested_) {
        destroy();
    } else {
        rearm_timer();
    }
}

void AresChannel::rearm_timer() {
    timeval tv{};
    if (pending == 0 || ares_timeout(channel_, nullptr, &tv) == nullptr) {
        uv_timer_stop(&timer_);
        return;
    }
    auto ms = static_cast<std::uint64_t>(tv.tv_sec) * 1000 + static_cast<std::uint64_t>(tv.tv_usec + 999) / 1000;
    uv_timer_start(
        &timer_,
        [](uv_timer_t* t) { static_cast<AresChannel*>(t->data)->process(ARES_SOCKET_BAD, ARES_SOCKET_BAD); },
        ms, 0);
}

void AresChannel::destroy() {
    deliver_callbacks = false;
    if (destroyed_) return;
    if (in_ares_call_ > 0) {
        destroy_requested_ = true;  // never destroy a channel inside its own callback
        return;
    }
    destroyed_ = true;
    ares_destroy(channel_);  // runs pending callbacks with ARES_EDESTRUCTION; closes sockets (state cb)
    channel_ = nullptr;
    for (auto& [fd, poll] : polls_) {
        uv_poll_stop(&poll->handle);
        uv_close(reinterpret_cast<uv_handle_t*>(&poll->handle), [](uv_handle_t* h) { delete static_cast<Poll*>(h->data); });
    }
    polls_.clear();
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* h) { delete static_cast<AresChannel*>(h->data); });
}

}  // namespace netreactor
