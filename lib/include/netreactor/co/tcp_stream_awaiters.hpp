/// @file
/// @brief The awaiters of netreactor::co::TcpStream's reads, writes and
/// shutdown (what `co_await s.read_some(buf)`, `s.read_view()`, `s.write(data)`
/// and `s.shutdown()` give), and the part of a stream's state their inline
/// fast paths read. Included by netreactor/co/tcp_stream.hpp: include that.
///
/// User code names none of these types; it awaits what TcpStream returns.
/// detail::StreamCore is library-internal; its layout is part of the ABI of
/// libnetreactor.so.0 (the awaiters' inline code reads it).
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "netreactor/co/task.hpp"
#include "netreactor/tcp_connection.hpp"

namespace netreactor::co {

class TcpStream;
class ReadAwaiter;
class WriteAwaiter;
class ShutdownAwaiter;

namespace detail {
struct StreamState;

/// Library internal: bytes a stream received with no read waiting (see
/// StreamCore::stash).
struct Stash {
    std::vector<char> bytes;
    std::size_t begin = 0;  ///< the first byte of `bytes` not yet taken
};

/// Library internal: the part of a stream's state that the awaiters' inline
/// fast paths read (an echo's read and write then cost no call into the
/// library beyond the connection's own write). The rest of the state, and
/// the code that keeps these fields, is lib/src/co/stream_state.hpp
/// (StreamState, the only class derived from this one). It is the
/// connection's handler.
struct StreamCore : ConnectionHandler {
    /// The connection (null after TcpStream::close()).
    std::unique_ptr<TcpConnection> conn;
    ReadAwaiter* reader = nullptr;          ///< the read waiting, if any
    WriteAwaiter* writer = nullptr;         ///< the write waiting, if any
    ShutdownAwaiter* shutdowner = nullptr;  ///< the shutdown waiting, if any
    /// Bytes that arrived with no read waiting (or beyond the waiting read's
    /// buffer): reading is paused until they are taken, so this holds at most
    /// one read callback's worth. Made at the first such bytes, then kept
    /// (most streams never need one: an echo's read is always waiting), so a
    /// stream without it is 16 bytes smaller than with a vector in place.
    std::unique_ptr<Stash> stash;
    bool eof = false;             ///< the peer's FIN arrived
    bool closed = false;          ///< the connection is gone (failed or closed)
    /// Reading paused: before the first read, until the stash is taken, or
    /// while a write is held with no read waiting.
    bool paused = false;
    bool loop_kept = false;  ///< the connection keeps Loop::run() going (libuv's ref)

    /// Bytes in the stash not yet taken.
    std::size_t stashed() const noexcept { return stash ? stash->bytes.size() - stash->begin : 0; }
    /// The stash holds bytes, taken or not (a read must release those it lent first).
    bool stash_in_use() const noexcept { return stash && !stash->bytes.empty(); }
};
}  // namespace detail

/// The awaiter of TcpStream::read_some. Gives the number of bytes read
/// (at least 1), or 0 once the peer has shut down its write side.
///
/// Cancelling it (or destroying the frame) leaves the stream as it was: no
/// byte is lost; bytes that arrive later wait for the next read.
class NETREACTOR_API ReadAwaiter : public detail::SlotOperation<ReadAwaiter, detail::StreamCore> {
public:
    /// Prefer TcpStream::read_some.
    explicit ReadAwaiter(detail::StreamCore& state, std::span<char> buffer) noexcept
        : SlotOperation(state), into_(buffer.data()), capacity_(buffer.size()) {}
    /// Only before it is awaited (so nothing was lent yet).
    ReadAwaiter(ReadAwaiter&& other) noexcept
        : SlotOperation(std::move(other)), lent_(nullptr), capacity_(other.capacity_), lend_(other.lend_) {
        if (!lend_) into_ = other.into_;
    }

    /// Takes bytes already received (no suspension), or the EOF or failure.
    /// Inline: with nothing received and no other read waiting, it only looks.
    bool await_ready() {
        const detail::StreamCore& s = *state_;
        if (s.reader == nullptr && s.stashed() == 0 && !s.eof && !s.closed && s.conn &&
            (lend_ || capacity_ != 0)) [[likely]]
            return false;
        return ready_now();
    }
    std::size_t await_resume() {
        if (outcome_ != Outcome::data || cancelled_) [[unlikely]]
            return end_of_data();
        return size_;
    }

protected:
    /// For ReadViewAwaiter: lend the bytes instead of copying them.
    struct Lend {};
    explicit ReadAwaiter(detail::StreamCore& state, Lend) noexcept
        : SlotOperation(state), lent_(nullptr), lend_(true) {}
    /// Where the bytes go or are: read_some's buffer (copied into), or the
    /// bytes read_view lends (`lend_`). One pointer for both, as a read is one
    /// or the other: 8 bytes less in every frame that reads.
    union {
        char* into_;
        const char* lent_;
    };
    std::size_t capacity_ = 0;  ///< read_some's buffer size (0 for read_view)

private:
    friend struct detail::StreamState;
    friend SlotOperation;
    enum class Outcome : std::uint8_t { pending, data, eof, failed, closed };
    static ReadAwaiter*& slot(detail::StreamCore& state) noexcept;
    /// Leaving the slot also lets the loop end (see TcpStream, "Loop").
    static void leave_slot(detail::StreamCore& state) noexcept;
    /// await_ready when something is there to take (or a read already waits).
    bool ready_now();
    /// Waits in the slot. Inline while the connection is reading, keeps the
    /// loop going and has no emptied stash to release (an echo's every read).
    bool start() noexcept {
        detail::StreamCore& s = *state_;
        if (s.loop_kept && !s.paused && !s.stash_in_use()) [[likely]] {
            s.reader = this;
            return true;
        }
        return start_waiting();
    }
    bool start_waiting() noexcept;
    /// await_resume without data: 0 at the peer's FIN, else throws why.
    std::size_t end_of_data();
    /// Inline: StreamState::on_data calls it on every read it completes.
    void finish(Outcome outcome, std::size_t size) noexcept {
        outcome_ = outcome;
        size_ = size;
        complete();
    }

    std::size_t size_ = 0;
    Outcome outcome_ = Outcome::pending;
    bool lend_ = false;
};

/// The awaiter of TcpStream::read_view: like ReadAwaiter, but lends the
/// bytes instead of copying them (no buffer in the frame, no copy).
///
/// The span points into the loop's shared read buffer or into the stream's
/// own; it is valid until the task next suspends or reads from this stream
/// again, whichever comes first. TcpStream::write consumes its bytes before
/// it suspends, so `co_await s.write(co_await s.read_view())` is fine; keep
/// anything longer by copying it. An empty span means the peer's FIN.
class ReadViewAwaiter : public ReadAwaiter {
public:
    /// Prefer TcpStream::read_view.
    explicit ReadViewAwaiter(detail::StreamCore& state) noexcept : ReadAwaiter(state, Lend{}) {}
    /// The bytes lent (see the class comment); empty at the peer's FIN.
    std::span<const char> await_resume() {
        std::size_t n = ReadAwaiter::await_resume();
        return {lent_, n};
    }
};

/// The awaiter of TcpStream::write. The bytes are handed to the kernel at
/// once, or what it does not take is copied into the connection's output
/// queue. The task goes on at once unless that queue is now above the
/// connection's high-water mark (TcpConnection::high_water_mark, 4 MiB by
/// default); then it resumes once the queue has fallen to the low-water mark
/// (TcpConnection::low_water_mark, default 0: empty). Backpressure without
/// user code: a peer that does not read holds the writer, and the stream
/// stops reading meanwhile (unless another task waits to read it), as a
/// callback handler pausing at on_high_water does. Memory per direction is
/// bounded by the high-water mark plus one write.
///
/// Cancelling it while it waits leaves the bytes queued (they are still
/// sent); only the waiting ends.
class NETREACTOR_API WriteAwaiter : public detail::SlotOperation<WriteAwaiter, detail::StreamCore> {
public:
    /// Prefer TcpStream::write.
    explicit WriteAwaiter(detail::StreamCore& state, std::span<const char> data) noexcept
        : SlotOperation(state), data_(data) {}
    /// Only before it is awaited.
    WriteAwaiter(WriteAwaiter&& other) noexcept : SlotOperation(std::move(other)), data_(other.data_) {}

    bool await_ready() const noexcept { return false; }
    void await_resume() {
        if (outcome_ != Outcome::done || cancelled_) [[unlikely]]
            throw_failure();
    }

private:
    friend struct detail::StreamState;
    friend SlotOperation;
    enum class Outcome : std::uint8_t { pending, done, failed, closed };
    static WriteAwaiter*& slot(detail::StreamCore& state) noexcept;
    [[noreturn]] void throw_failure();
    /// False: done at once, resumes without suspending. Inline while the
    /// connection is open, no other write waits and the queue stays below the
    /// high-water mark.
    bool start() {
        detail::StreamCore& s = *state_;
        if (s.writer != nullptr || s.shutdowner != nullptr || !s.conn || s.closed) [[unlikely]]
            return start_unusual();
        bool accepted = s.conn->write(data_);
        if (!accepted || s.conn->above_high_water_mark()) [[unlikely]]
            return start_held(accepted);
        outcome_ = Outcome::done;
        settle();
        return false;
    }
    /// start() with another write waiting or the connection gone.
    bool start_unusual();
    /// start() after a write the connection refused (`accepted` false) or
    /// that left its queue above the high-water mark.
    bool start_held(bool accepted);
    void finish(Outcome outcome) noexcept;

    std::span<const char> data_;
    Outcome outcome_ = Outcome::pending;
};

/// The awaiter of TcpStream::shutdown: sends what is queued, then the FIN.
/// Reading goes on. Cancelling it leaves the shutdown under way.
class NETREACTOR_API ShutdownAwaiter : public detail::SlotOperation<ShutdownAwaiter, detail::StreamCore> {
public:
    /// Prefer TcpStream::shutdown.
    explicit ShutdownAwaiter(detail::StreamCore& state) noexcept : SlotOperation(state) {}
    /// Only before it is awaited.
    ShutdownAwaiter(ShutdownAwaiter&& other) noexcept : SlotOperation(std::move(other)) {}

    bool await_ready() const noexcept { return false; }
    void await_resume();

private:
    friend struct detail::StreamState;
    friend SlotOperation;
    enum class Outcome : std::uint8_t { pending, done, failed, closed };
    static ShutdownAwaiter*& slot(detail::StreamCore& state) noexcept;
    bool start();
    void finish(Outcome outcome) noexcept;

    Outcome outcome_ = Outcome::pending;
};

}  // namespace netreactor::co
