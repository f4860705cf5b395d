// netreactor: runs a callback on the loop thread when a signal arrives.
#pragma once

#include <functional>

namespace netreactor {

class Loop;

class SignalWatcher {
public:
    using Callback = std::function<void(int signum)>;

    // Starts watching at once. The watcher does not keep Loop::run() going on
    // its own (a daemon waiting only for SIGTERM would otherwise never exit).
    SignalWatcher(Loop& loop, int signum, Callback callback);
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    struct Impl;

private:
    Impl* impl_;  // freed in libuv's close callback
};

}  // namespace netreactor
