#include "netreactor/co/tcp_acceptor.hpp"

#include <deque>
#include <stdexcept>

namespace netreactor::co {

namespace detail {

// The listener's handler: hands each connection to the waiting accept(), or
// queues it until one comes.
struct AcceptorState final : AcceptHandler {
    std::unique_ptr<TcpListener> listener;
    std::deque<std::unique_ptr<TcpConnection>> ready;
    AcceptAwaiter* waiter = nullptr;

    void on_accept(std::unique_ptr<TcpConnection> conn) override {
        ready.push_back(std::move(conn));
        if (AcceptAwaiter* w = std::exchange(waiter, nullptr)) w->complete();
    }
    void cancel_waiter() noexcept {
        if (AcceptAwaiter* w = std::exchange(waiter, nullptr)) w->abort();
    }
};

}  // namespace detail

AcceptAwaiter*& AcceptAwaiter::slot(detail::AcceptorState& state) noexcept { return state.waiter; }

bool AcceptAwaiter::await_ready() const noexcept { return !state_->ready.empty(); }

bool AcceptAwaiter::start() {
    if (slot_taken()) {
        settle();
        throw std::logic_error("co::TcpAcceptor: a second accept while one is waiting");
    }
    occupy();
    return true;
}

TcpStream AcceptAwaiter::await_resume() {
    if (cancelled_) throw Cancelled("accept");
    std::unique_ptr<TcpConnection> conn = std::move(state_->ready.front());
    state_->ready.pop_front();
    return TcpStream(std::move(conn));
}

TcpAcceptor::TcpAcceptor(Loop& loop, const SocketAddress& address, const ListenOptions& options)
    : state_(std::make_unique<detail::AcceptorState>()) {
    state_->listener = std::make_unique<TcpListener>(loop, address, options, *state_);
}

TcpAcceptor::~TcpAcceptor() {
    state_->cancel_waiter();
}

SocketAddress TcpAcceptor::local_address() const { return state_->listener->local_address(); }

}  // namespace netreactor::co
