// Load mode: C connections (or UDP sockets) each keeping P messages in flight
// for a duration, every echoed byte checked, latencies in a histogram.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "client_options.hpp"
#include "latency_histogram.hpp"
#include "netreactor/error.hpp"
#include "netreactor/loop.hpp"
#include "payload.hpp"

namespace echo_client {

struct LoadResult {
    std::size_t connected = 0;    // connections established (UDP: sockets opened)
    // The warm-up (--warmup), from the end of the connection phase to the
    // window: how long it ran, and the echoes of the messages sent in it
    // (complete and matching), whenever they came back.
    double warmup_s = 0;
    std::uint64_t warmup_messages = 0;
    // Counted inside the measurement window (after every connection attempt
    // ended and the warm-up, until --duration passed or every --count was
    // done), of the messages sent in it:
    std::uint64_t messages = 0;   // complete, matching echoes
    std::uint64_t bytes = 0;      // echoed bytes received and checked
    double elapsed_s = 0;
    LatencyHistogram latency;
    // Counted after the window: the echoes of the messages still in flight
    // when it closed (complete and matching), so that whoever measures the
    // server's work over the whole run can divide it by every message echoed.
    std::uint64_t drained = 0;
    // Counted over the whole run, the warm-up and the drain after the window
    // included: a failure fails the run wherever it happens.
    std::uint64_t errors = 0;      // connections that failed (connect, reset, EOF, reply timeout)
    std::uint64_t mismatches = 0;  // connections whose echo differed from what was sent
    // Counted from the window on (the warm-up's losses are not):
    std::uint64_t lost = 0;        // UDP: datagrams not echoed within --timeout
    std::optional<netreactor::Error> first_error;
};

// Runs the load on `loop` until it ends. The histogram is large: the result
// is filled in place.
void run_load(netreactor::Loop& loop, const ClientOptions& options, const Payload& payload, LoadResult& result);

}  // namespace echo_client
