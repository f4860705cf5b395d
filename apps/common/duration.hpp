// Durations given on the command line in seconds ("--timeout 0.5").
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace nrapp {

// Seconds (fractions allowed) to milliseconds, rounding up so a small positive
// timeout never becomes zero. Zero, negative and NaN give zero.
inline std::chrono::milliseconds seconds_to_ms(double seconds) {
    if (!(seconds > 0)) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000.0)));
}

// A duration for messages: "2 s", "0.5 s", "0.001 s" (%g of the seconds).
inline std::string seconds_text(std::chrono::milliseconds ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%g s", static_cast<double>(ms.count()) / 1000.0);
    return text;
}

}  // namespace nrapp
