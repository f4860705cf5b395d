/// @file
/// @brief netreactor::Loop, the event loop every other object runs on.
///
/// One Loop per thread. Every object made on a loop (TcpListener,
/// TcpConnection, UdpSocket, Timer, SignalWatcher, Resolver) belongs to that
/// Loop, is used only on the thread that runs it, and must be destroyed before
/// it. Loop::post is the one call that is safe from any thread.
#pragma once

#include "netreactor/export.hpp"

#include <cstdint>
#include <functional>
#include <memory>

namespace netreactor {

/// An event loop (libuv underneath, hidden).
///
/// **Ownership:** the program owns the Loop (a local in `main` or a member of
/// a per-thread object); it is neither copyable nor movable. It owns its
/// wake-up handle, the queue of posted tasks and one 256 KiB read buffer that
/// all connections and UDP sockets of the loop share. It does not own the
/// objects made on it: the program does, and must destroy them before the
/// Loop (the destructor reports, rather than frees, a handle still alive).
///
/// **Threads:** the thread that calls run() or run_once() is the loop's
/// thread; every other member except post() must be called on it, and every
/// callback of every object on the loop runs on it.
class NETREACTOR_API Loop {
public:
    /// Creates the loop. Throws SystemError if libuv cannot initialise it.
    Loop();
    /// Runs the close callbacks of objects destroyed just before, then frees
    /// the loop. Call it with no object of the loop alive and run() returned.
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    /// Runs until stop() is called or nothing is left to wait for.
    ///
    /// "Something to wait for" is an active listener, connection, receiving
    /// UDP socket, pending DNS query or a started Timer that keeps the loop
    /// alive. Signal watchers, Timers, UdpSockets, TcpConnections and
    /// TcpListeners with keep_loop_alive(false) and pending post()s do not
    /// count. Coroutine objects count only while a task waits on them: a
    /// co::UdpSocket while a receive waits, a co::TcpStream while a read
    /// waits (or output is being sent), a co::TcpAcceptor while an accept
    /// waits, never when idle. Loop thread only; not re-entrant.
    void run();
    /// Runs one iteration; waits for an event when `wait` is true. Returns
    /// true while there is still something to wait for. Loop thread only.
    bool run_once(bool wait);
    /// Makes run() return after the current iteration. Loop thread only (from
    /// another thread, post() a task that calls stop()).
    void stop();

    /// Queues `task` to run on the loop thread, in post order. Safe from any
    /// thread, including the loop's own. A pending post does not keep run()
    /// going by itself: the loop must have other work or be in run().
    ///
    /// The Loop owns `task` until it has run; tasks still queued when the Loop
    /// is destroyed are destroyed without running. The caller must ensure the
    /// Loop outlives the call to post() itself.
    void post(std::function<void()> task);

    /// The loop's cached time in milliseconds (updated once per iteration,
    /// from a monotonic clock with an arbitrary origin). Loop thread only.
    std::uint64_t now_ms() const noexcept;

private:
    struct Impl;  // libuv underneath; defined in the library's private sources
    friend struct LoopAccess;  // how those sources reach it
    std::unique_ptr<Impl> impl_;
};

/// Makes writes to a closed peer an ordinary EPIPE error instead of a fatal
/// signal. Process-wide, so the library never does it behind your back: every
/// tool calls it first thing in main. Call it from the main thread before
/// starting other threads.
NETREACTOR_API void ignore_sigpipe();

/// Monotonic clock in nanoseconds, arbitrary origin. Safe from any thread.
NETREACTOR_API std::uint64_t monotonic_ns() noexcept;

}  // namespace netreactor
