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

/// One datagram lent by co::UdpSocket::receive_view: its bytes and its
/// sender's address point into the loop's shared read buffer or the socket's
/// own, valid until the task next suspends or receives from this socket
/// again, whichever comes first (UdpSocket::send takes both before it
/// returns, so echoing them is fine). Copy what must live longer.
struct DatagramView {
    std::span<const char> data;  ///< the bytes received
    const SocketAddress& from;   ///< the sender
    bool truncated = false;      ///< it did not fit in the loop's read buffer; the rest is lost
};

/// The awaiter of UdpSocket::receive. Cancelling it leaves the socket
/// receiving; datagrams that arrive meanwhile wait for the next receive.
class NETREACTOR_API ReceiveAwaiter : public detail::SlotOperation<ReceiveAwaiter, detail::UdpState> {
public:
    /// Prefer UdpSocket::receive.
    explicit ReceiveAwaiter(detail::UdpState& state, std::span<char> buffer) noexcept
        : SlotOperation(state), buffer_(buffer) {}
    /// Only before it is awaited.
    ReceiveAwaiter(ReceiveAwaiter&& other) noexcept
        : SlotOperation(std::move(other)), buffer_(other.buffer_), lend_(other.lend_) {}

    /// True when a datagram (or an error) is already waiting.
    bool await_ready();
    Datagram await_resume() {
        throw_unless_received();
        return Datagram{size_, *from_, truncated_};
    }

protected:
    /// For ReceiveViewAwaiter: lend the bytes instead of copying them.
    struct Lend {};
    explicit ReceiveAwaiter(detail::UdpState& state, Lend) noexcept : SlotOperation(state), lend_(true) {}
    /// Throws what ended the receive, if it did not give a datagram.
    void throw_unless_received() {
        if (cancelled_ || failed_) [[unlikely]]
            throw_failure();
    }

    // The datagram, as take() found it: its bytes (lent, or copied into
    // buffer_), its size, its sender (in the loop's callback or the socket's
    // kept datagram, valid as DatagramView says: await_resume runs before the
    // task can suspend again), and whether it was cut.
    const char* lent_ = nullptr;
    const SocketAddress* from_ = nullptr;
    std::size_t size_ = 0;
    bool truncated_ = false;

private:
    friend struct detail::UdpState;
    friend SlotOperation;
    static ReceiveAwaiter*& slot(detail::UdpState& state) noexcept;
    /// Leaving the slot also lets the loop end (see UdpSocket, "Loop").
    static void leave_slot(detail::UdpState& state) noexcept;
    bool start();
    /// Hands over one datagram (copied into the buffer, or lent).
    void take(std::span<const char> data, const SocketAddress& from, bool truncated) noexcept;
    [[noreturn]] void throw_failure();

    std::span<char> buffer_;
    bool failed_ = false;
    bool lend_ = false;
};

/// The awaiter of UdpSocket::receive_view: like ReceiveAwaiter, but lends
/// the datagram instead of copying it (see DatagramView for how long).
class ReceiveViewAwaiter : public ReceiveAwaiter {
public:
    /// Prefer UdpSocket::receive_view.
    explicit ReceiveViewAwaiter(detail::UdpState& state) noexcept : ReceiveAwaiter(state, Lend{}) {}
    /// The datagram lent (see DatagramView).
    DatagramView await_resume() {
        throw_unless_received();
        return DatagramView{{lent_, size_}, *from_, truncated_};
    }
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
/// taken, so at most one datagram is held). Not copyable or
/// movable. Destroying it closes the socket and completes a waiting receive
/// with co::Cancelled (inside the destructor). The Loop must outlive it.
///
/// **Loop:** only a receive that waits keeps Loop::run() (and co::run) going.
/// An idle socket (no receive awaited: its task finished, or is waiting on
/// something else) does not, though it is still open and still takes the
/// datagrams that arrive (kept for the next receive): a loop whose tasks
/// have finished ends even while the socket is alive. Datagrams queued for
/// sending keep the loop going until the kernel has them.
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
    ReceiveAwaiter receive(std::span<char> buffer) noexcept { return ReceiveAwaiter(*state_, buffer); }
    /// The next datagram, lent instead of copied (no buffer, no copy: see
    /// DatagramView for how long its bytes stay valid). Throws as receive().
    ReceiveViewAwaiter receive_view() noexcept { return ReceiveViewAwaiter(*state_); }
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
