// Internal: what a co::TcpStream shares with its awaiters. It is the
// connection's handler: it turns the connection's events into resumptions of
// the one read and the one write/shutdown/connect that may be waiting.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "netreactor/co/tcp_stream.hpp"

namespace netreactor::co::detail {

// The fields the awaiters' inline fast paths read are in StreamCore (the
// public header); this adds the rest and the code that keeps them all.
struct StreamState final : StreamCore {
    ConnectAwaiter* connecter = nullptr;
    std::unique_ptr<Error> error;  // why the connection failed
    bool* alive = nullptr;         // set by on_data/on_closed while they resume tasks

    ~StreamState() override;

    void on_connected(TcpConnection&) override;
    void on_data(TcpConnection&, std::span<const char> data) override;
    void on_eof(TcpConnection&) override;
    void on_shutdown(TcpConnection&, const Error* error) override;
    void on_low_water(TcpConnection&) override;
    void on_write_drained(TcpConnection&) override;
    /// The waiting writer may go on: the queue is at or below the low-water mark.
    void release_writer() noexcept;
    void on_closed(TcpConnection&, const Error* error) override;

    /// The stream goes on reading after a read completes (pausing and
    /// resuming would cost two epoll_ctl per read), so its connection stays
    /// active between reads. It keeps Loop::run() going only while a read
    /// waits: adopt() drops the connection's reference, wait_for_read() takes
    /// it, stop_read_wait() and a reader that leaves (leave_slot) drop it.
    /// on_data drops it only after the resumed task has run on without
    /// reading again (an echo reads again at once: no libuv call per read);
    /// libuv looks at it only between callbacks, so the loop's lifetime is
    /// the same. keep_loop() calls into libuv only on a change.
    void adopt(std::unique_ptr<TcpConnection> connection) noexcept;
    void wait_for_read(ReadAwaiter& r) noexcept {
        reader = &r;
        keep_loop(true);
    }
    /// The read that waited (or null), which no longer does.
    ReadAwaiter* stop_read_wait() noexcept {
        if (reader == nullptr) return nullptr;
        keep_loop(false);
        return std::exchange(reader, nullptr);
    }
    void keep_loop(bool keep) noexcept {
        if (keep == loop_kept || !conn) return;
        loop_kept = keep;
        conn->keep_loop_alive(keep);
    }

    /// Nothing is read from the kernel until a read waits: unread bytes stay
    /// there (so closing with unread data resets the connection, as for a
    /// plain socket) and the peer feels backpressure.
    void pause_until_read();
    std::size_t take_stash(std::span<char> buffer) noexcept;
    /// Once every stashed byte was taken: empties the stash (and frees a
    /// large one). Not while a task may still hold a view into it.
    void release_taken_stash() noexcept;
    void keep(std::span<const char> data);
    /// The error to throw for `operation` once the connection is gone.
    Error failure(const char* operation) const;
    /// Completes every waiting operation with co::Cancelled (the stream is
    /// being destroyed or closed).
    void cancel_waiters() noexcept;
};

/// The whole state behind an awaiter's or a stream's StreamCore.
inline StreamState& state_of(StreamCore& core) noexcept { return static_cast<StreamState&>(core); }

}  // namespace netreactor::co::detail
