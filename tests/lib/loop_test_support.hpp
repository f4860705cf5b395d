// Shared by the tests of what keeps a Loop running (callback and coroutine
// classes alike): run a loop and learn whether it ended by itself.
#pragma once

#include <chrono>

#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"

namespace looptest {

// Runs `loop` until it ends by itself; true when it did within `limit`
// (a watchdog that does not keep the loop alive stops it otherwise, so a
// broken test fails instead of hanging).
inline bool ends_by_itself(netreactor::Loop& loop, std::chrono::milliseconds limit = std::chrono::seconds(2)) {
    bool stopped = false;
    netreactor::Timer watchdog(loop);
    watchdog.keep_loop_alive(false);
    watchdog.start(limit, [&] {
        stopped = true;
        loop.stop();
    });
    loop.run();
    return !stopped;
}

}  // namespace looptest
