#include "netreactor/co/udp_socket.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>
#include <stdexcept>
#include <vector>

namespace netreactor::co {

namespace detail {

// The socket's handler: hands datagrams to the waiting receive, or keeps
// copies (and stops receiving) until one comes.
//
// The socket goes on receiving after a receive completes (stopping and
// starting again would cost two epoll_ctl per datagram), so its libuv handle
// stays active between receives. It keeps Loop::run() going only while a
// receive waits: wait() references the handle, stop_waiting() and a waiter
// that leaves (leave_slot) unreference it; uv_ref/uv_unref only count.
struct UdpState final : UdpHandler {
    struct Kept {
        std::vector<char> bytes;
        SocketAddress from;
        bool truncated = false;
    };

    explicit UdpState(Loop& loop) : socket(loop, *this) { socket.keep_loop_alive(false); }

    netreactor::UdpSocket socket;
    ReceiveAwaiter* waiter = nullptr;
    std::deque<Kept> kept;
    std::optional<Kept> lent;  // the kept datagram last taken (its sender, and its bytes for a view)
    std::deque<Error> errors;  // reported by the socket, not yet thrown
    bool receiving = false;

    // The receive waiting from now on keeps the loop going.
    void wait(ReceiveAwaiter& w) noexcept {
        waiter = &w;
        socket.keep_loop_alive(true);
    }
    // The receive that waited (or null), which no longer does.
    ReceiveAwaiter* stop_waiting() noexcept {
        if (waiter == nullptr) return nullptr;
        socket.keep_loop_alive(false);
        return std::exchange(waiter, nullptr);
    }

    void on_datagram(netreactor::UdpSocket&, std::span<const char> data, const SocketAddress& from,
                     bool truncated) override {
        if (ReceiveAwaiter* w = stop_waiting()) {
            w->take(data, from, truncated);  // a view into the loop's read buffer, valid while the task runs on
            w->complete();  // may destroy this state: touch nothing after
            return;
        }
        kept.push_back(Kept{std::vector<char>(data.begin(), data.end()), from, truncated});
        pause();
    }

    void on_error(netreactor::UdpSocket&, const Error& error) override {
        if (ReceiveAwaiter* w = stop_waiting()) {
            errors.push_back(error);
            w->failed_ = true;
            w->complete();
            return;
        }
        errors.push_back(error);
    }

    void cancel_waiter() noexcept {
        if (ReceiveAwaiter* w = stop_waiting()) w->abort();
    }

    void pause() {
        if (receiving) {
            socket.stop_receiving();
            receiving = false;
        }
    }
};

}  // namespace detail

ReceiveAwaiter*& ReceiveAwaiter::slot(detail::UdpState& state) noexcept { return state.waiter; }

void ReceiveAwaiter::leave_slot(detail::UdpState& state) noexcept { state.stop_waiting(); }

void ReceiveAwaiter::take(std::span<const char> data, const SocketAddress& from, bool truncated) noexcept {
    // Only pointers are kept (not even the 128-byte address is copied): on
    // the hot path of an echo this is all the work a datagram costs here.
    from_ = &from;
    if (lend_) {
        lent_ = data.data();
        size_ = data.size();
        truncated_ = truncated;
        return;
    }
    std::size_t n = std::min(data.size(), buffer_.size());
    if (n > 0) std::memcpy(buffer_.data(), data.data(), n);
    size_ = n;
    truncated_ = truncated || n < data.size();
}

bool ReceiveAwaiter::await_ready() {
    detail::UdpState& s = *state_;
    if (slot_taken()) throw std::logic_error("co::UdpSocket: a second receive while one is waiting");
    s.lent.reset();  // the last view ends here
    if (!s.errors.empty()) {
        failed_ = true;
        return true;
    }
    if (s.kept.empty()) return false;
    s.lent.emplace(std::move(s.kept.front()));  // kept there until the next receive
    s.kept.pop_front();
    take(s.lent->bytes, s.lent->from, s.lent->truncated);
    return true;
}

bool ReceiveAwaiter::start() {
    detail::UdpState& s = *state_;
    s.wait(*this);  // occupies the slot
    if (!s.receiving) {
        try {
            s.socket.start_receiving();
        } catch (...) {
            s.stop_waiting();
            settle();
            throw;
        }
        s.receiving = true;
    }
    return true;
}

void ReceiveAwaiter::throw_failure() {
    if (cancelled_) throw Cancelled("receive");
    Error error = std::move(state_->errors.front());
    state_->errors.pop_front();
    throw SystemError(std::move(error));
}

UdpSocket::UdpSocket(Loop& loop) : state_(std::make_unique<detail::UdpState>(loop)) {}

UdpSocket::~UdpSocket() {
    state_->cancel_waiter();
}

void UdpSocket::bind(const SocketAddress& address, const UdpBindOptions& options) {
    state_->socket.bind(address, options);
}

void UdpSocket::connect(const SocketAddress& peer) { state_->socket.connect(peer); }

SendAwaiter UdpSocket::send(std::span<const char> data, const SocketAddress& to) {
    state_->socket.send(data, to);
    return {};
}

SocketAddress UdpSocket::local_address() const { return state_->socket.local_address(); }

netreactor::UdpSocket& UdpSocket::socket() noexcept { return state_->socket; }

}  // namespace netreactor::co
