#include "ares_channel.hpp"

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
    opts.socket_receive_buffer_size = 4 << 20;
    mask |= ARES_OPT_SOCK_RCVBUF;
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
    ares_set_socket_callback(channel_, &AresChannel::on_socket_created, this);
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

int AresChannel::on_socket_created(ares_socket_t fd, int type, void* data) {
    // A descriptor number is reused after close: the new socket replaces the old entry.
    static_cast<AresChannel*>(data)->sockets_[fd] = SocketInfo{type, {}};
    return ARES_SUCCESS;
}

void AresChannel::process(ares_socket_t read_fd, ares_socket_t write_fd) {
    if (destroyed_) return;
    // c-ares reads only read_fd here, so every answer delivered during this
    // call arrived on that socket.
    ares_socket_t outer = reading_fd_;
    reading_fd_ = read_fd;
    run([&] { ares_process_fd(channel_, read_fd, write_fd); });
    reading_fd_ = outer;
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
