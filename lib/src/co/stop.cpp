#include "netreactor/co/stop.hpp"

#include <stdexcept>

#include "netreactor/co/run.hpp"

namespace netreactor::co {

Cancelled::Cancelled(const char* operation) : SystemError(Error("ECANCELED", "operation canceled", operation)) {}

TimedOut::TimedOut(const char* operation) : SystemError(Error("ETIMEDOUT", "operation timed out", operation)) {}

void throw_loop_ended() {
    throw std::logic_error("co::run: the loop ran out of work before the task ended");
}

}  // namespace netreactor::co
