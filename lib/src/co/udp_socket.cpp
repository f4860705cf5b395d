#include "netreactor/co/udp_socket.hpp"

#include <algorithm>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <vector>

namespace netreactor::co {

namespace detail {

// The socket's handler: hands datagrams to the waiting receive, or keeps
// copies (and stops receiving) until one comes.
struct UdpState final : UdpHandler {
    struct Kept {
        std::vector<char> bytes;
        SocketAddress from;
        bool truncated = false;
    };

    explicit UdpState(Loop& loop) : socket(loop, *this) {}

    netreactor::UdpSocket socket;
    ReceiveAwaiter* waiter = nullptr;
    std::deque<Kept> kept;
    std::deque<Error> errors;  // reported by the socket, not yet thrown
    bool receiving = false;

    void on_datagram(netreactor::UdpSocket&, std::span<const char> data, const SocketAddress& from,
                     bool truncated) override {
        if (ReceiveAwaiter* w = std::exchange(waiter, nullptr)) {
            std::size_t n = std::min(data.size(), w->buffer_.size());
            std::memcpy(w->buffer_.data(), data.data(), n);
            w->datagram_ = Datagram{n, from, truncated || n < data.size()};
            w->complete();  // may destroy this state: touch nothing after
            return;
        }
        kept.push_back(Kept{std::vector<char>(data.begin(), data.end()), from, truncated});
        pause();
    }

    void on_error(netreactor::UdpSocket&, const Error& error) override {
        if (ReceiveAwaiter* w = std::exchange(waiter, nullptr)) {
            errors.push_back(error);
            w->failed_ = true;
            w->complete();
            return;
        }
        errors.push_back(error);
    }

    void cancel_waiter() noexcept {
        if (ReceiveAwaiter* w = std::exchange(waiter, nullptr)) w->abort();
    }

    void pause() {
        if (receiving) {
            socket.stop_receiving();
            receiving = false;
        }
    }
};

}  // namespace detail

ReceiveAwaiter::~ReceiveAwaiter() {
    if (suspended()) state_->waiter = nullptr;
}

bool ReceiveAwaiter::await_ready() {
    detail::UdpState& s = *state_;
    if (s.waiter != nullptr) throw std::logic_error("co::UdpSocket: a second receive while one is waiting");
    if (!s.errors.empty()) {
        failed_ = true;
        return true;
    }
    if (s.kept.empty()) return false;
    detail::UdpState::Kept& d = s.kept.front();
    std::size_t n = std::min(d.bytes.size(), buffer_.size());
    std::memcpy(buffer_.data(), d.bytes.data(), n);
    datagram_ = Datagram{n, d.from, d.truncated || n < d.bytes.size()};
    s.kept.pop_front();
    return true;
}

void ReceiveAwaiter::park() {
    detail::UdpState& s = *state_;
    s.waiter = this;
    if (!s.receiving) {
        try {
            s.socket.start_receiving();
        } catch (...) {
            s.waiter = nullptr;
            settle();
            throw;
        }
        s.receiving = true;
    }
}

void ReceiveAwaiter::on_cancel() noexcept {
    state_->waiter = nullptr;
    complete_cancelled();
}

Datagram ReceiveAwaiter::await_resume() {
    if (cancelled_) throw Cancelled("receive");
    if (failed_) {
        Error error = std::move(state_->errors.front());
        state_->errors.pop_front();
        throw SystemError(std::move(error));
    }
    return datagram_;
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
