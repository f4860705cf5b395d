// A TcpConnection's output queue: what the kernel did not take at once, handed
// to libuv one write at a time, with the high- and low-water notifications.
#include "tcp_connection_impl.hpp"
#include "uv_error.hpp"

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
        c->finish(std::make_unique<Error>(uv_error(status, "write")), true);
        return;
    }
    c->bytes_out += out.in_flight.size();
    out.in_flight.clear();
    if (!out.pending.empty()) c->start_write();
    if (c->state != TcpConnection::State::closed) c->after_write_progress();
}

}  // namespace

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
        finish(std::make_unique<Error>(uv_error(rc, "write")), true);
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
