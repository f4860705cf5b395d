#include "netreactor/tcp_listener.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include "loop_impl.hpp"
#include "socket_options.hpp"
#include "tcp_connection_impl.hpp"
#include "uv_error.hpp"
#include "internal.hpp"
#include "uv_handle_ref.hpp"

namespace netreactor {

struct NETREACTOR_INTERNAL TcpListener::Impl {
    uv_tcp_t tcp{};
    AcceptHandler* handler = nullptr;
};

namespace {

void on_connection(uv_stream_t* server, int status) {
    auto* listener = static_cast<TcpListener::Impl*>(server->data);
    if (listener->handler == nullptr) return;
    if (status < 0) {
        listener->handler->on_accept_error(uv_error(status, "accept"));
        return;
    }
    auto* c = new TcpConnection::Impl;
    c->tcp.data = c;
    uv_tcp_init(server->loop, &c->tcp);
    int rc = uv_accept(server, c->stream());
    if (rc < 0) {
        c->handle_closing = true;
        uv_close(c->handle(), [](uv_handle_t* h) { delete static_cast<TcpConnection::Impl*>(h->data); });
        listener->handler->on_accept_error(uv_error(rc, "accept"));
        return;
    }
    auto conn = std::unique_ptr<TcpConnection>(&c->self);
    c->read_wanted = false;  // until the program attaches a handler and asks
    c->on_established();
    listener->handler->on_accept(std::move(conn));
}

}  // namespace

TcpListener::TcpListener(Loop& loop, const SocketAddress& address, const ListenOptions& options,
                         AcceptHandler& handler)
    : impl_(new Impl) {
    impl_->tcp.data = impl_;
    uv_tcp_init(uv_loop_of(loop), &impl_->tcp);
    auto fail = [this](int rc, const char* operation) {
        impl_->handler = nullptr;
        uv_close(reinterpret_cast<uv_handle_t*>(&impl_->tcp), [](uv_handle_t* h) { delete static_cast<Impl*>(h->data); });
        throw SystemError(uv_error(rc, operation));
    };
    if (options.reuse_port) {
        // libuv 1.44 has no SO_REUSEPORT flag: make the socket ourselves.
        int fd = open_reuse_port_socket(address.family(), SOCK_STREAM);
        if (fd < 0) fail(fd, "socket");
        int rc = uv_tcp_open(&impl_->tcp, fd);
        if (rc < 0) {
            ::close(fd);
            fail(rc, "socket");
        }
    }
    unsigned flags = options.ipv6_only ? UV_TCP_IPV6ONLY : 0;
    if (int rc = uv_tcp_bind(&impl_->tcp, address.sockaddr_ptr(), flags); rc < 0) fail(rc, "bind");
    if (int rc = uv_listen(reinterpret_cast<uv_stream_t*>(&impl_->tcp), options.backlog, on_connection); rc < 0) {
        fail(rc, rc == UV_EADDRINUSE ? "bind" : "listen");
    }
    impl_->handler = &handler;
}

TcpListener::~TcpListener() {
    impl_->handler = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&impl_->tcp), [](uv_handle_t* h) { delete static_cast<Impl*>(h->data); });
}

void TcpListener::keep_loop_alive(bool keep) noexcept {
    detail::keep_loop_alive(reinterpret_cast<uv_handle_t*>(&impl_->tcp), keep);
}

SocketAddress TcpListener::local_address() const {
    sockaddr_storage ss{};
    int len = sizeof ss;
    if (uv_tcp_getsockname(&impl_->tcp, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return {};
    return SocketAddress(reinterpret_cast<sockaddr*>(&ss));
}

}  // namespace netreactor
