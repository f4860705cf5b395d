#include "netreactor/co/tcp_acceptor.hpp"

#include <deque>
#include <stdexcept>

namespace netreactor::co {

namespace detail {

// The listener's handler: hands each connection to the waiting accept(), or
// queues it until one comes. The listener keeps Loop::run() going only while
// an accept waits (wait() references it; stop_waiting() and an accept that
// leaves, leave_slot, unreference it), as co::UdpSocket and co::TcpStream do.
struct AcceptorState final : AcceptHandler {
    std::unique_ptr<TcpListener> listener;
    std::deque<std::unique_ptr<TcpConnection>> ready;
    AcceptAwaiter* waiter = nullptr;

    void wait(AcceptAwaiter& w) noexcept {
        waiter = &w;
        listener->keep_loop_alive(true);
    }
    AcceptAwaiter* stop_waiting() noexcept {
        if (waiter == nullptr) return nullptr;
        listener->keep_loop_alive(false);
        return std::exchange(waiter, nullptr);
    }
    void on_accept(std::unique_ptr<TcpConnection> conn) override {
        ready.push_back(std::move(conn));
        if (AcceptAwaiter* w = stop_waiting()) w->complete();
    }
    void cancel_waiter() noexcept {
        if (AcceptAwaiter* w = stop_waiting()) w->abort();
    }
};

}  // namespace detail

AcceptAwaiter*& AcceptAwaiter::slot(detail::AcceptorState& state) noexcept { return state.waiter; }

void AcceptAwaiter::leave_slot(detail::AcceptorState& state) noexcept { state.stop_waiting(); }

bool AcceptAwaiter::await_ready() const noexcept { return !state_->ready.empty(); }

bool AcceptAwaiter::start() {
    if (slot_taken()) {
        settle();
        throw std::logic_error("co::TcpAcceptor: a second accept while one is waiting");
    }
    state_->wait(*this);  // occupies the slot
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
    state_->listener->keep_loop_alive(false);  // until an accept waits
}

TcpAcceptor::~TcpAcceptor() {
    state_->cancel_waiter();
}

SocketAddress TcpAcceptor::local_address() const { return state_->listener->local_address(); }

}  // namespace netreactor::co
