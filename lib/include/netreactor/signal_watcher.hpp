/// @file
/// @brief netreactor::SignalWatcher: runs a callback on the loop thread when a signal arrives.
#pragma once

#include "netreactor/export.hpp"

#include <functional>

namespace netreactor {

class Loop;

/// Watches one signal (SIGINT, SIGTERM, SIGHUP...) and calls back on the loop
/// thread, where the program can do anything (unlike in a signal handler).
///
/// **Ownership:** owned by the program; not copyable or movable. It owns its
/// callback. While it exists, the signal's process-wide disposition is
/// libuv's; destroying the last watcher of a signal restores the default. The
/// Loop must outlive it.
///
/// **Threads:** constructed and destroyed on the loop's thread; the callback
/// runs there, whichever thread the signal was delivered to.
class NETREACTOR_API SignalWatcher {
public:
    /// The function run when the signal arrives, with its number.
    using Callback = std::function<void(int signum)>;

    /// Starts watching at once. The watcher does not keep Loop::run() going on
    /// its own (a daemon waiting only for SIGTERM would otherwise never exit).
    /// Throws SystemError (EINVAL for a bad signal number).
    explicit SignalWatcher(Loop& loop, int signum, Callback callback);
    /// Stops watching; the callback never runs after this. Allowed inside the
    /// watcher's own callback.
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    /// The hidden implementation (libuv signal handle); defined in the library.
    struct Impl;

private:
    Impl* impl_;  // freed in libuv's close callback
};

}  // namespace netreactor
