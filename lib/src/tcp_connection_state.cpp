// The state machine of a TcpConnection (the diagram is in tcp_connection.hpp):
// reading, the half-close, finishing, and the close callback that reports the end.
#include <sys/socket.h>

#include "loop_impl.hpp"
#include "tcp_connection_impl.hpp"
#include "uv_error.hpp"

namespace netreactor {

namespace {

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

// The per-message path: nothing here but counting and the handler's call.
void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
    auto* c = static_cast<TcpConnection::Impl*>(stream->data);
    if (nread > 0) {
        c->bytes_in += static_cast<std::uint64_t>(nread);
        c->last_activity_ms = uv_now(stream->loop);
        c->handler->on_data(c->self, std::span<const char>(buf->base, static_cast<std::size_t>(nread)));
    } else if (nread < 0) {
        c->on_read_end(static_cast<int>(nread));
    }
}

void on_shutdown_done(uv_shutdown_t* req, int status) {
    static_cast<TcpConnection::Impl*>(req->data)->on_shutdown_complete(status);
}

}  // namespace

int pending_socket_error(uv_stream_t* stream) {
    uv_os_fd_t fd = -1;
    int error = 0;
    socklen_t length = sizeof error;
    if (uv_fileno(reinterpret_cast<uv_handle_t*>(stream), &fd) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
        return 0;
    return -error;
}

void TcpConnection::Impl::on_read_end(int status) {
    if (status != UV_EOF) {
        fail(status, "read");
        return;
    }
    // libuv reports a hang-up after a partial read as EOF without reading
    // on, even when the peer reset the connection: ask the socket.
    if (int error = pending_socket_error(stream()); error != 0) {
        fail(error, "read");
        return;
    }
    eof_received = true;
    update_reading();
    handler->on_eof(self);
}

void TcpConnection::Impl::on_established() {
    state = State::connected;
    uv_os_fd_t socket = -1;
    if (uv_fileno(handle(), &socket) == 0) fd = socket;
    last_activity_ms = uv_now(tcp.loop);
    update_reading();
}

void TcpConnection::Impl::update_reading() {
    bool want = read_wanted && state == State::connected && !eof_received && handler != nullptr;
    if (want == reading) return;
    if (want) {
        int rc = uv_read_start(stream(), alloc_shared_read_buffer, on_read);
        if (rc < 0) {
            fail(rc, "read_start");
            return;
        }
    } else {
        uv_read_stop(stream());
    }
    reading = want;
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
            fail(status, "shutdown");
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

void TcpConnection::Impl::fail(int status, const char* operation) {
    finish(std::make_unique<Error>(uv_error(status, operation)), true);
}

void TcpConnection::Impl::close_handle() {
    if (handle_closing) return;
    close_deferred = false;
    handle_closing = true;
    uv_close(handle(), on_handle_closed);
}

}  // namespace netreactor
