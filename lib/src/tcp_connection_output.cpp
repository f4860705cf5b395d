// A TcpConnection's output path: write() hands the bytes to the kernel at
// once; what it does not take waits in the output queue, handed to libuv one
// write at a time, with the high- and low-water notifications.
#include <unistd.h>

#include <cerrno>

#include "tcp_connection_impl.hpp"

namespace netreactor {

namespace {

// Capacity kept by an output queue after it drains; beyond it the buffers are
// released so a connection that once had a burst does not keep the memory.
constexpr std::size_t kRetainedOutputCapacity = std::size_t{256} * 1024;

void on_write_done(uv_write_t* req, int status) {
    auto* c = static_cast<TcpConnection::Impl*>(req->data);
    OutputQueue& out = *c->output;
    out.writing = false;
    if (status == UV_ECANCELED) return;  // the handle is closing
    if (status < 0) {
        c->fail(status, "write");
        return;
    }
    c->bytes_out += out.in_flight.size();
    out.in_flight.clear();
    if (!out.pending.empty()) c->start_write();
    if (c->state != TcpConnection::State::closed) c->after_write_progress();
}

}  // namespace

// The per-message path. When nothing is queued the kernel usually takes
// everything, and nothing is copied.
bool TcpConnection::write(std::span<const char> data) {
    Impl& c = *impl_;
    if (c.state != State::connected || c.after_drain != Impl::AfterDrain::nothing) return false;
    if (data.empty()) return true;
    if (c.queued() != 0) return c.write_rest(data, UV_EAGAIN);  // keep the order: behind the queue
    ssize_t sent = c.send_now(data);
    if (sent != static_cast<ssize_t>(data.size())) return c.write_rest(data, sent);
    c.bytes_out += data.size();
    return true;
}

// What uv_try_write() does on Unix, without what it checks that cannot fail
// here (the connection is established and not shut down; libuv's write queue
// holds only our one write, empty when our queue is): one write(2). Calling it
// through libuv cost ~60 instructions a message, more than the rest of the
// echo path in the library (docs/benchmarks.md, issue 12).
ssize_t TcpConnection::Impl::send_now(std::span<const char> data) noexcept {
    ssize_t n = ::write(fd, data.data(), data.size());
    return n >= 0 ? n : send_failed(data);
}

// Out of line: the rare case, kept off send_now's path.
ssize_t TcpConnection::Impl::send_failed(std::span<const char> data) noexcept {
    ssize_t n = -1;
    while (n < 0 && errno == EINTR) n = ::write(fd, data.data(), data.size());
    if (n >= 0) return n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) return UV_EAGAIN;
    return -errno;  // libuv's status for errno on Unix
}

bool TcpConnection::Impl::write_rest(std::span<const char> data, ssize_t sent) {
    if (sent < 0 && sent != UV_EAGAIN) {
        fail(static_cast<int>(sent), "write");
        return false;
    }
    std::size_t taken = sent > 0 ? static_cast<std::size_t>(sent) : 0;
    bytes_out += taken;
    enqueue(data.subspan(taken));
    return state != State::closed;
}

void TcpConnection::Impl::enqueue(std::span<const char> data) {
    if (!output) output = std::make_unique<OutputQueue>();
    output->write_req.data = this;
    output->pending.insert(output->pending.end(), data.begin(), data.end());
    if (!output->writing) start_write();
    if (state == State::closed) return;
    if (!above_high_water && queued() > high_water) {
        above_high_water = true;
        if (can_notify()) handler->on_high_water(self);
    }
}

void TcpConnection::Impl::start_write() {
    OutputQueue& out = *output;
    out.in_flight.swap(out.pending);
    uv_buf_t buf = uv_buf_init(out.in_flight.data(), static_cast<unsigned>(out.in_flight.size()));
    int rc = uv_write(&out.write_req, stream(), &buf, 1, on_write_done);
    if (rc < 0) {
        fail(rc, "write");
        return;
    }
    out.writing = true;
}

// A write completed: the queue shrank. Each handler call may close or destroy
// the connection; `this` stays valid until the close callback, which runs later.
void TcpConnection::Impl::after_write_progress() {
    if (above_high_water && queued() <= std::min(low_water, high_water)) {
        above_high_water = false;
        if (can_notify()) handler->on_low_water(self);
        if (state == State::closed) return;
    }
    if (queued() != 0) return;
    OutputQueue& out = *output;
    if (out.in_flight.capacity() > kRetainedOutputCapacity) std::vector<char>().swap(out.in_flight);
    if (out.pending.capacity() > kRetainedOutputCapacity) std::vector<char>().swap(out.pending);
    above_high_water = false;
    if (can_notify()) handler->on_write_drained(self);
    if (state != State::closed && after_drain != AfterDrain::nothing && queued() == 0) begin_shutdown();
}

}  // namespace netreactor
