// Durations given on the command line in seconds ("--timeout 0.5").
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>

namespace nrapp {

// Seconds (fractions allowed) to milliseconds, rounding up so a small positive
// timeout never becomes zero. Zero, negative and NaN give zero.
inline std::chrono::milliseconds seconds_to_ms(double seconds) {
    if (!(seconds > 0)) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000.0)));
}

}  // namespace nrapp
