/// @file
/// @brief netreactor::co::UdpSocket: a UDP socket whose datagrams are awaited.
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <cstddef>
#include <memory>
#include <span>

#include "netreactor/address.hpp"
#include "netreactor/co/task.hpp"
#include "netreactor/udp_socket.hpp"

namespace netreactor::co {

namespace detail {
struct UdpState;
}

/// One datagram received by co::UdpSocket::receive. A plain value.
struct Datagram {
    std::size_t size = 0;    ///< bytes copied into the buffer
    SocketAddress from;      ///< the sender
    bool truncated = false;  ///< it did not fit (in the buffer or the loop's read buffer); the rest is lost
};

/// The awaiter of UdpSocket::receive. Cancelling it leaves the socket
/// receiving; datagrams that arrive meanwhile wait for the next receive.
class NETREACTOR_API ReceiveAwaiter : public detail::Operation {
public:
    /// Prefer UdpSocket::receive.
    ReceiveAwaiter(detail::UdpState& state, std::span<char> buffer) noexcept
        : Operation(std::type_identity<ReceiveAwaiter>{}), state_(&state), buffer_(buffer) {}
    /// Only before it is awaited.
    ReceiveAwaiter(ReceiveAwaiter&& other) noexcept
        : Operation(std::move(other)), state_(other.state_), buffer_(other.buffer_) {}
    ~ReceiveAwaiter();

    /// True when a datagram (or an error) is already waiting.
    bool await_ready();
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
        if (!begin(h)) return false;
        park();
        return true;
    }
    Datagram await_resume();
    /// Cancellation: stop waiting (see the class comment).
    void on_cancel() noexcept;

private:
    friend struct detail::UdpState;
    void park();

    detail::UdpState* state_;
    std::span<char> buffer_;
    Datagram datagram_;
    bool failed_ = false;
};

/// The awaiter of UdpSocket::send: ready at once (UDP never waits for the
/// peer); present so that sending reads like receiving.
struct SendAwaiter {
    bool await_ready() const noexcept { return true; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    void await_resume() const noexcept {}
};

/// A UDP socket for coroutines: `Datagram d = co_await sock.receive(buf);`.
///
/// **Ownership:** owns a netreactor::UdpSocket and the datagrams that arrived
/// while no receive waited (copies; the socket stops receiving until they are
/// taken, so at most one batch of the kernel's is held). Not copyable or
/// movable. Destroying it closes the socket and completes a waiting receive
/// with co::Cancelled (inside the destructor). The Loop must outlive it.
///
/// **Threads:** loop thread only; at most one receive waits at a time.
class NETREACTOR_API UdpSocket {
public:
    /// A socket on `loop`, made by bind(), connect() or the first send().
    explicit UdpSocket(Loop& loop);
    ~UdpSocket();
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;

    /// See netreactor::UdpSocket::bind (throws SystemError).
    void bind(const SocketAddress& address, const UdpBindOptions& options = {});
    /// See netreactor::UdpSocket::connect (throws SystemError).
    void connect(const SocketAddress& peer);

    /// The next datagram, copied into `buffer` (which must stay valid until
    /// the receive completes). Throws SystemError when the socket reported an
    /// error (an ICMP port unreachable on a connected socket: ECONNREFUSED; a
    /// send that failed): each error is thrown once, by the receive waiting
    /// then or by the next one.
    ReceiveAwaiter receive(std::span<char> buffer) noexcept { return {*state_, buffer}; }
    /// Sends one datagram to `to` (ignored, may be empty, once connected):
    /// handed to the kernel, or copied and queued. A failure is reported
    /// through receive(), never here.
    SendAwaiter send(std::span<const char> data, const SocketAddress& to = {});

    /// The bound address (with the real port); empty before the socket exists.
    SocketAddress local_address() const;
    /// The socket underneath (counters).
    netreactor::UdpSocket& socket() noexcept;

private:
    std::unique_ptr<detail::UdpState> state_;
};

}  // namespace netreactor::co
