#include "netreactor/tcp_connection.hpp"

#include <sys/socket.h>

#include "loop_impl.hpp"
#include "tcp_connection_impl.hpp"
#include "uv_error.hpp"

namespace netreactor {

namespace {

// Capacity kept by an output queue after it drains; beyond it the buffers are
// released so a connection that once had a burst does not keep the memory.
constexpr std::size_t kRetainedOutputCapacity = std::size_t{256} * 1024;

TcpConnection::Impl* impl_of(uv_handle_t* handle) { return static_cast<TcpConnection::Impl*>(handle->data); }

// The close callback: the last word of a connection. Reports what is owed
// (on_shutdown, then on_closed) unless the owner closed or destroyed it, and
// frees the state once the owner is gone too.
void on_handle_closed(uv_handle_t* handle) {
    auto* c = impl_of(handle);
    if (!c->owner_alive) {
        delete c;
        return;
    }
    if (!c->notify_closed || c->handler == nullptr) {
        c->handle_closed = true;
        return;
    }
    c->notify_closed = false;
    std::unique_ptr<Error> error = c->output ? std::move(c->output->close_error) : nullptr;
    if (c->shutdown_owed) {
        c->shutdown_owed = false;
        // handle_closed is still false, so destroying the owner inside this
        // call leaves the state to us.
        if (c->shutdown_sent) {
            c->handler->on_shutdown(c->self, nullptr);  // sent before a handler was attached
        } else if (error) {
            c->handler->on_shutdown(c->self, error.get());
        } else {
            Error cancelled("ECANCELED", "the connection closed before the FIN was sent", "shutdown");
            c->handler->on_shutdown(c->self, &cancelled);
        }
        if (!c->owner_alive) {
            delete c;
            return;
        }
    }
    c->handle_closed = true;
    // May destroy the owner, which then frees `c`: touch nothing after.
    c->handler->on_closed(c->self, error.get());
}

// The error the kernel holds for the socket (SO_ERROR, as a libuv status), or 0.
int pending_socket_error(uv_stream_t* stream) {
    uv_os_fd_t fd = -1;
    int error = 0;
    socklen_t length = sizeof error;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(stream), &fd) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
        return 0;
    return -error;
}

void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
    auto* c = static_cast<TcpConnection::Impl*>(stream->data);
    if (nread > 0) {
        c->bytes_in += static_cast<std::uint64_t>(nread);
        c->last_activity_ms = uv_now(stream->loop);
        c->handler->on_data(c->self, std::span<const char>(buf->base, static_cast<std::size_t>(nread)));
    } else if (nread == UV_EOF) {
        // libuv reports a hang-up after a partial read as EOF without reading
        // on, even when the peer reset the connection: ask the socket.
        if (int error = pending_socket_error(stream); error != 0) {
            c->finish(std::make_unique<Error>(uv_error(error, "read")), true);
            return;
        }
        c->eof_received = true;
        c->update_reading();
        c->handler->on_eof(c->self);
    } else if (nread < 0) {
        c->finish(std::make_unique<Error>(uv_error(static_cast<int>(nread), "read")), true);
    }
}

void on_write_done(uv_write_t* req, int status) {
    auto* c = static_cast<TcpConnection::Impl*>(req->data);
    OutputQueue& out = *c->output;
    out.writing = false;
    if (status == UV_ECANCELED) return;  // the handle is closing
    if (status < 0) {
        c->finish(std::make_unique<Error>(uv_error(status, "write")), true);
        return;
    }
    c->bytes_out += out.in_flight.size();
    out.in_flight.clear();
    if (!out.pending.empty()) c->start_write();
    if (c->state != TcpConnection::State::closed) c->after_write_progress();
}

void on_shutdown_done(uv_shutdown_t* req, int status) {
    static_cast<TcpConnection::Impl*>(req->data)->on_shutdown_complete(status);
}

}  // namespace

// ---- outgoing connections -------------------------------------------------

// A connect request and its timeout timer. Lives until both the request's
// callback has run and the timer is closed, whichever is last.
struct ConnectAttempt {
    uv_connect_t req{};
    uv_timer_t timer{};
    TcpConnection::Impl* conn = nullptr;
    int outstanding = 1;  // the request; the timer adds one when armed

    void release() {
        if (--outstanding == 0) delete this;
    }
};

void TcpConnection::Impl::end_connect_attempt() {
    if (!has_connect_attempt) return;
    ConnectAttempt* attempt = connect_attempt;
    has_connect_attempt = false;
    bytes_in = 0;  // the word is the byte count from now on
    attempt->conn = nullptr;
    if (attempt->timer.loop != nullptr) {
        uv_close(reinterpret_cast<uv_handle_t*>(&attempt->timer),
                 [](uv_handle_t* h) { static_cast<ConnectAttempt*>(h->data)->release(); });
    }
}

std::unique_ptr<TcpConnection> TcpConnection::connect(Loop& loop, const SocketAddress& peer,
                                                      std::chrono::milliseconds timeout,
                                                      ConnectionHandler& handler) {
    auto* c = new Impl;
    auto owner = std::unique_ptr<TcpConnection>(&c->self);
    c->handler = &handler;
    c->ever_attached = true;
    c->tcp.data = c;
    uv_tcp_init(uv_loop_of(loop), &c->tcp);

    auto* attempt = new ConnectAttempt;
    attempt->req.data = attempt;
    attempt->conn = c;
    int rc = uv_tcp_connect(&attempt->req, &c->tcp, peer.sockaddr_ptr(), [](uv_connect_t* req, int status) {
        auto* a = static_cast<ConnectAttempt*>(req->data);
        Impl* conn = a->conn;
        if (conn != nullptr) conn->end_connect_attempt();
        a->release();
        if (conn == nullptr || status == UV_ECANCELED) return;
        if (status < 0) {
            conn->finish(std::make_unique<Error>(uv_error(status, "connect")), true);
            return;
        }
        conn->on_established();
        if (conn->can_notify() && conn->state == State::connected) conn->handler->on_connected(conn->self);
    });
    if (rc < 0) {
        delete attempt;
        c->finish(std::make_unique<Error>(uv_error(rc, "connect")), true);
        return owner;
    }
    c->connect_attempt = attempt;
    c->has_connect_attempt = true;
    if (timeout.count() > 0) {
        uv_timer_init(uv_loop_of(loop), &attempt->timer);
        attempt->timer.data = attempt;
        attempt->outstanding++;
        uv_timer_start(
            &attempt->timer,
            [](uv_timer_t* t) {
                Impl* conn = static_cast<ConnectAttempt*>(t->data)->conn;
                if (conn == nullptr) return;
                conn->finish(std::make_unique<Error>("ETIMEDOUT", "connection timed out", "connect"), true);
            },
            deadline_timeout(uv_loop_of(loop), static_cast<std::uint64_t>(timeout.count())), 0);
    }
    return owner;
}

// ---- state machine ----------------------------------------------------------

void TcpConnection::Impl::on_established() {
    state = State::connected;
    last_activity_ms = uv_now(tcp.loop);
    update_reading();
}

void TcpConnection::Impl::update_reading() {
    bool want = read_wanted && state == State::connected && !eof_received && handler != nullptr;
    if (want == reading) return;
    if (want) {
        int rc = uv_read_start(stream(), alloc_shared_read_buffer, on_read);
        if (rc < 0) {
            finish(std::make_unique<Error>(uv_error(rc, "read_start")), true);
            return;
        }
    } else {
        uv_read_stop(stream());
    }
    reading = want;
}

void TcpConnection::Impl::enqueue(std::span<const char> data) {
    if (!output) output = std::make_unique<OutputQueue>();
    output->write_req.data = this;
    output->pending.insert(output->pending.end(), data.begin(), data.end());
    if (!output->writing) start_write();
    if (state == State::closed) return;
    if (!above_high_water && queued() > high_water) {
        above_high_water = true;
        if (can_notify()) handler->on_high_water(self);
    }
}

void TcpConnection::Impl::start_write() {
    OutputQueue& out = *output;
    out.in_flight.swap(out.pending);
    uv_buf_t buf = uv_buf_init(out.in_flight.data(), static_cast<unsigned>(out.in_flight.size()));
    int rc = uv_write(&out.write_req, stream(), &buf, 1, on_write_done);
    if (rc < 0) {
        finish(std::make_unique<Error>(uv_error(rc, "write")), true);
        return;
    }
    out.writing = true;
}

// A write completed: the queue shrank. Each handler call may close or destroy
// the connection; `this` stays valid until the close callback, which runs later.
void TcpConnection::Impl::after_write_progress() {
    if (above_high_water && queued() <= std::min(low_water, high_water)) {
        above_high_water = false;
        if (can_notify()) handler->on_low_water(self);
        if (state == State::closed) return;
    }
    if (queued() != 0) return;
    OutputQueue& out = *output;
    if (out.in_flight.capacity() > kRetainedOutputCapacity) std::vector<char>().swap(out.in_flight);
    if (out.pending.capacity() > kRetainedOutputCapacity) std::vector<char>().swap(out.pending);
    above_high_water = false;
    if (can_notify()) handler->on_write_drained(self);
    if (state != State::closed && after_drain != AfterDrain::nothing && queued() == 0) begin_shutdown();
}

void TcpConnection::Impl::begin_shutdown() {
    if (shutdown_started) return;
    shutdown_started = true;
    if (!output) output = std::make_unique<OutputQueue>();
    output->shutdown_req.data = this;
    int rc = uv_shutdown(&output->shutdown_req, stream(), on_shutdown_done);
    if (rc < 0) on_shutdown_complete(rc);  // reports go through the close callback: never inside the caller
}

// The shutdown request finished (or could not start). With close_gracefully()
// pending the connection closes now; a failure ends the connection (ENOTCONN
// while closing: the peer is gone already; the close is still a clean one).
void TcpConnection::Impl::on_shutdown_complete(int status) {
    if (status == UV_ECANCELED || state == State::closed) return;  // closing: the close callback reports
    if (status < 0) {
        if (status == UV_ENOTCONN && after_drain == AfterDrain::close && !shutdown_owed) {
            finish(nullptr, true);
        } else {
            finish(std::make_unique<Error>(uv_error(status, "shutdown")), true);
        }
        return;
    }
    shutdown_sent = true;
    if (shutdown_owed && can_notify()) {
        shutdown_owed = false;
        handler->on_shutdown(self, nullptr);  // may close or destroy the connection
    }
    if (after_drain == AfterDrain::close && state != State::closed) finish(nullptr, true);
}

void TcpConnection::Impl::finish(std::unique_ptr<Error> error, bool notify) {
    if (state == State::closed) return;
    end_connect_attempt();
    state = State::closed;
    if (reading) uv_read_stop(stream());
    reading = false;
    if (error) {
        if (!output) output = std::make_unique<OutputQueue>();
        output->close_error = std::move(error);
    }
    notify_closed = notify;
    if (!notify) shutdown_owed = false;
    if (notify && owner_alive && handler == nullptr) {
        // Nobody to tell yet: keep the socket until attach() or the owner's delete.
        close_deferred = true;
        return;
    }
    close_handle();
}

void TcpConnection::Impl::close_handle() {
    if (handle_closing) return;
    close_deferred = false;
    handle_closing = true;
    uv_close(handle(), on_handle_closed);
}

// ---- public interface -------------------------------------------------------

void ConnectionHandler::on_eof(TcpConnection& conn) { conn.close_gracefully(); }

void TcpConnection::operator delete(TcpConnection* conn, std::destroying_delete_t) {
    Impl* c = conn->impl_;
    c->owner_alive = false;
    c->handler = nullptr;
    c->notify_closed = false;
    c->shutdown_owed = false;
    if (c->handle_closed) {
        delete c;
        return;
    }
    c->end_connect_attempt();
    c->state = State::closed;
    c->close_handle();  // frees `c` in the close callback (nothing if already closing)
}

void TcpConnection::start(ConnectionHandler& handler) {
    Impl& c = *impl_;
    c.handler = &handler;
    c.ever_attached = true;
    if (c.close_deferred) {
        c.close_handle();  // on_closed follows from the loop
        return;
    }
    // Reading finds a reset by itself: no SO_ERROR look-up on the accept path.
    c.read_wanted = true;
    c.update_reading();
}

void TcpConnection::attach(ConnectionHandler& handler) {
    Impl& c = *impl_;
    bool first = !c.ever_attached;
    c.handler = &handler;
    c.ever_attached = true;
    if (c.close_deferred) {
        c.close_handle();  // on_closed follows from the loop
        return;
    }
    if (first && c.state == State::connected && !c.read_wanted) {
        // Not reading, the connection would not notice a reset that came
        // while it waited for its handler: the kernel holds it (SO_ERROR).
        if (int error = pending_socket_error(c.stream()); error != 0) {
            c.finish(std::make_unique<Error>(uv_error(error, "read")), true);
            return;
        }
    }
    c.update_reading();
}

bool TcpConnection::write(std::span<const char> data) {
    Impl& c = *impl_;
    if (c.state != State::connected || c.after_drain != Impl::AfterDrain::nothing) return false;
    if (data.empty()) return true;
    std::size_t taken = 0;
    if (c.queued() == 0) {
        // Fast path: the kernel usually takes everything; nothing is copied.
        uv_buf_t buf = uv_buf_init(const_cast<char*>(data.data()), static_cast<unsigned>(data.size()));
        int n = uv_try_write(c.stream(), &buf, 1);
        if (n >= 0) {
            taken = static_cast<std::size_t>(n);
            c.bytes_out += taken;
            if (taken == data.size()) return true;
        } else if (n != UV_EAGAIN) {
            c.finish(std::make_unique<Error>(uv_error(n, "write")), true);
            return false;
        }
    }
    c.enqueue(data.subspan(taken));
    return c.state != State::closed;
}

void TcpConnection::pause_reading() {
    impl_->read_wanted = false;
    impl_->update_reading();
}

void TcpConnection::resume_reading() {
    impl_->read_wanted = true;
    impl_->update_reading();
}

bool TcpConnection::reading() const noexcept { return impl_->reading; }

void TcpConnection::shutdown_after_drain() {
    Impl& c = *impl_;
    if (c.state != State::connected || c.after_drain != Impl::AfterDrain::nothing) return;
    c.after_drain = Impl::AfterDrain::shutdown;
    c.shutdown_owed = true;
    if (c.queued() == 0) c.begin_shutdown();
}

void TcpConnection::close_gracefully() {
    Impl& c = *impl_;
    if (c.state == State::closed || c.after_drain == Impl::AfterDrain::close) return;
    if (c.state == State::connecting) {
        c.finish(nullptr, true);
        return;
    }
    c.after_drain = Impl::AfterDrain::close;
    c.state = State::closing;
    c.update_reading();
    if (c.shutdown_sent) {
        c.finish(nullptr, true);  // FIN already sent: nothing left to wait for
    } else if (!c.shutdown_started && c.queued() == 0) {
        c.begin_shutdown();
    }
    // else: the drain or the shutdown under way finishes it
}

void TcpConnection::close() {
    Impl& c = *impl_;
    c.notify_closed = false;
    c.shutdown_owed = false;
    c.finish(nullptr, false);
    c.close_handle();  // also when an earlier failure was waiting for a handler
}

TcpConnection::State TcpConnection::state() const noexcept { return impl_->state; }
std::size_t TcpConnection::queued_bytes() const noexcept { return impl_->queued() - impl_->in_flight_taken(); }
bool TcpConnection::eof_received() const noexcept { return impl_->eof_received; }
bool TcpConnection::shutdown_sent() const noexcept { return impl_->shutdown_sent; }
std::size_t TcpConnection::high_water_mark() const noexcept { return impl_->high_water; }
void TcpConnection::set_high_water_mark(std::size_t bytes) noexcept {
    impl_->high_water = static_cast<std::uint32_t>(std::min<std::size_t>(bytes, UINT32_MAX));
}
std::uint64_t TcpConnection::bytes_sent() const noexcept { return impl_->bytes_out + impl_->in_flight_taken(); }
std::size_t TcpConnection::low_water_mark() const noexcept { return impl_->low_water; }
void TcpConnection::set_low_water_mark(std::size_t bytes) noexcept {
    impl_->low_water = static_cast<std::uint32_t>(std::min<std::size_t>(bytes, UINT32_MAX));
}
std::uint64_t TcpConnection::bytes_received() const noexcept {
    return impl_->has_connect_attempt ? 0 : impl_->bytes_in;
}
std::uint64_t TcpConnection::last_activity_ms() const noexcept { return impl_->last_activity_ms; }

SocketAddress TcpConnection::peer_address() const {
    sockaddr_storage ss{};
    int len = sizeof ss;
    if (impl_->handle_closing || uv_tcp_getpeername(&impl_->tcp, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
    return SocketAddress(reinterpret_cast<sockaddr*>(&ss));
}

SocketAddress TcpConnection::local_address() const {
    sockaddr_storage ss{};
    int len = sizeof ss;
    if (impl_->handle_closing || uv_tcp_getsockname(&impl_->tcp, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
    return SocketAddress(reinterpret_cast<sockaddr*>(&ss));
}

void TcpConnection::set_nodelay(bool enable) {
    if (!impl_->handle_closing) uv_tcp_nodelay(&impl_->tcp, enable ? 1 : 0);
}

}  // namespace netreactor
