// TcpConnection's members: what the owner and the handler call. The state
// machine behind them is in tcp_connection_state.cpp, write() and the output
// queue in tcp_connection_output.cpp, connect() in tcp_connection_connect.cpp.
#include "netreactor/tcp_connection.hpp"

#include "tcp_connection_impl.hpp"
#include "uv_handle_ref.hpp"

namespace netreactor {

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
            c.fail(error, "read");
            return;
        }
    }
    c.update_reading();
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

void TcpConnection::keep_loop_alive(bool keep) noexcept { detail::keep_loop_alive(impl_->handle(), keep); }

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
// Both are called per message by an echo: nothing queued is the usual case.
std::size_t TcpConnection::queued_bytes() const noexcept {
    return impl_->output ? impl_->unsent_bytes() : 0;
}
bool TcpConnection::eof_received() const noexcept { return impl_->eof_received; }
bool TcpConnection::shutdown_sent() const noexcept { return impl_->shutdown_sent; }
std::size_t TcpConnection::high_water_mark() const noexcept { return impl_->high_water; }
bool TcpConnection::above_high_water_mark() const noexcept {
    return impl_->output && impl_->unsent_bytes() > impl_->high_water;
}
void TcpConnection::set_high_water_mark(std::size_t bytes) noexcept {
    impl_->high_water = static_cast<std::uint32_t>(std::min<std::size_t>(bytes, UINT32_MAX));
}
std::uint64_t TcpConnection::bytes_sent() const noexcept {
    return impl_->output ? impl_->sent_bytes() : impl_->bytes_out;
}
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
