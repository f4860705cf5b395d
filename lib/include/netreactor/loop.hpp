// netreactor: the event loop. One Loop per thread; every handle (connection,
// listener, timer...) belongs to one Loop, is used only on that loop's thread,
// and must be destroyed before its Loop. Loop::post is the one call that is
// safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace netreactor {

class Loop {
public:
    Loop();
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // Runs until stop() is called or nothing is left to wait for.
    void run();
    // Runs one iteration; waits for an event when `wait` is true. Returns
    // true while there is still something to wait for.
    bool run_once(bool wait);
    // Makes run() return after the current iteration. Loop thread only.
    void stop();

    // Queues `task` to run on the loop thread, in post order. Safe from any
    // thread, including the loop's own. A pending post does not keep run()
    // going by itself: the loop must have other work or be in run().
    void post(std::function<void()> task);

    // The loop's cached time in milliseconds (updated once per iteration).
    std::uint64_t now_ms() const noexcept;

    struct Impl;
    Impl& impl() noexcept { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

// Makes writes to a closed peer an ordinary EPIPE error instead of a fatal
// signal. Process-wide, so the library never does it behind your back: every
// tool calls it first thing in main.
void ignore_sigpipe();

// Monotonic clock in nanoseconds.
std::uint64_t monotonic_ns() noexcept;

}  // namespace netreactor
