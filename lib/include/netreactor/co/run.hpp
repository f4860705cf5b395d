/// @file
/// @brief netreactor::co::run: drive a Loop until one task ends (for main() and tests).
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include "netreactor/co/task.hpp"
#include "netreactor/loop.hpp"

namespace netreactor::co {

/// Thrown by run() when the loop ends first (out of line).
[[noreturn]] NETREACTOR_API void throw_loop_ended();

/// Starts `task` and runs `loop` until it ends; gives its value or rethrows
/// its exception. Other work of the loop runs meanwhile. Throws
/// std::logic_error if the loop runs out of work (or is stopped) first: the
/// task, still suspended, is then destroyed before this returns (its
/// operation cancelled). Loop thread only; not re-entrant (like Loop::run).
template <class T>
T run(Loop& loop, Task<T> task) {
    JoinHandle<T> handle = spawn(std::move(task));
    while (!handle.done() && loop.run_once(true)) {
    }
    if (!handle.done()) throw_loop_ended();
    return handle.result();
}

}  // namespace netreactor::co
