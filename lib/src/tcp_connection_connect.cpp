// Outgoing TCP connections: TcpConnection::connect, its connect request and
// the timer that bounds it.
#include "loop_impl.hpp"
#include "tcp_connection_impl.hpp"

namespace netreactor {

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
            conn->fail(status, "connect");
            return;
        }
        conn->on_established();
        if (conn->can_notify() && conn->state == State::connected) conn->handler->on_connected(conn->self);
    });
    if (rc < 0) {
        delete attempt;
        c->fail(rc, "connect");
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

}  // namespace netreactor
