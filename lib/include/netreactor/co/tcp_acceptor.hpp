/// @file
/// @brief netreactor::co::TcpAcceptor: a listening TCP socket whose connections are awaited.
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <memory>

#include "netreactor/address.hpp"
#include "netreactor/co/task.hpp"
#include "netreactor/co/tcp_stream.hpp"
#include "netreactor/tcp_listener.hpp"

namespace netreactor::co {

class TcpAcceptor;

namespace detail {
struct AcceptorState;
}

/// The awaiter of TcpAcceptor::accept: gives the next accepted connection.
/// Cancelling it leaves the listener listening; a connection that arrives
/// later waits for the next accept().
class NETREACTOR_API AcceptAwaiter : public detail::SlotOperation<AcceptAwaiter, detail::AcceptorState> {
public:
    /// Prefer TcpAcceptor::accept.
    explicit AcceptAwaiter(detail::AcceptorState& state) noexcept : SlotOperation(state) {}
    /// Only before it is awaited.
    AcceptAwaiter(AcceptAwaiter&& other) noexcept : SlotOperation(std::move(other)) {}

    /// True when a connection is already waiting.
    bool await_ready() const noexcept;
    TcpStream await_resume();

private:
    friend struct detail::AcceptorState;
    friend SlotOperation;
    static AcceptAwaiter*& slot(detail::AcceptorState& state) noexcept;
    /// Leaving the slot also lets the loop end (see TcpAcceptor, "Loop").
    static void leave_slot(detail::AcceptorState& state) noexcept;
    bool start();
};

/// A listening socket for coroutines: `TcpStream s = co_await acceptor.accept();`.
///
/// **Ownership:** owns the listening socket and the accepted connections no
/// accept() has taken yet (they are queued, already established). Not
/// copyable or movable. Destroying it closes those and completes a waiting
/// accept() with co::Cancelled (inside the destructor). The Loop must
/// outlive it.
///
/// **Loop:** only an accept() that waits keeps Loop::run() (and co::run)
/// going. An idle acceptor (no accept awaited) does not, though it goes on
/// listening and queues the connections that arrive for the next accept(): a
/// loop whose tasks have finished ends even while the acceptor is alive.
///
/// **Threads:** loop thread only; at most one accept() waits at a time.
class NETREACTOR_API TcpAcceptor {
public:
    /// Binds and listens (see TcpListener); throws SystemError.
    explicit TcpAcceptor(Loop& loop, const SocketAddress& address, const ListenOptions& options = {});
    ~TcpAcceptor();
    TcpAcceptor(const TcpAcceptor&) = delete;
    TcpAcceptor& operator=(const TcpAcceptor&) = delete;

    /// The next connection (see AcceptAwaiter). Accept errors (EMFILE...) are
    /// not thrown: the listener keeps going, as TcpListener documents.
    AcceptAwaiter accept() noexcept { return AcceptAwaiter(*state_); }
    /// The bound address, with the real port when 0 was asked.
    SocketAddress local_address() const;

private:
    std::unique_ptr<detail::AcceptorState> state_;
};

}  // namespace netreactor::co
