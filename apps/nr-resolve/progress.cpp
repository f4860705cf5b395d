#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "netreactor/loop.hpp"

namespace resolve {

namespace {

std::string duration_text(double seconds) {
    auto s = static_cast<unsigned long long>(seconds + 0.5);
    char text[32];
    if (s >= 3600)
        std::snprintf(text, sizeof text, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(text, sizeof text, "%llu:%02llu", s / 60, s % 60);
    return text;
}

}  // namespace

Progress::Progress(netreactor::Loop& loop, std::function<Counts()> counts, std::uint64_t input_size)
    : timer_(loop), counts_(std::move(counts)), input_size_(input_size), started_ns_(netreactor::monotonic_ns()) {
    if (isatty(STDERR_FILENO) == 0) return;
    timer_.keep_loop_alive(false);  // the run ends when the questions do
    timer_.start(std::chrono::milliseconds(500), [this] { show(); }, std::chrono::milliseconds(500));
}

std::string Progress::line(const Counts& c, std::uint64_t input_size, double elapsed_s) {
    char text[160];
    double rate = elapsed_s > 0 ? static_cast<double>(c.answers) / elapsed_s : 0;
    int n = std::snprintf(text, sizeof text, "nr-resolve: %llu answers", static_cast<unsigned long long>(c.answers));
    std::string out(text, static_cast<std::size_t>(n));
    double share = 0;
    if (input_size > 0) {
        share = std::min(1.0, static_cast<double>(c.input_bytes) / static_cast<double>(input_size));
        n = std::snprintf(text, sizeof text, " (%.0f%% of the input read)", share * 100);
        out.append(text, static_cast<std::size_t>(n));
    }
    n = std::snprintf(text, sizeof text, ", %zu in flight, %.0f/s", c.in_flight, rate);
    out.append(text, static_cast<std::size_t>(n));
    if (share > 0 && share < 1) {
        out += ", ETA ";
        out += duration_text(elapsed_s * (1 - share) / share);
    } else if (share >= 1 && c.in_flight == 0) {
        out += ", done in ";
        out += duration_text(elapsed_s);
    }
    return out;
}

void Progress::show() {
    double elapsed = static_cast<double>(netreactor::monotonic_ns() - started_ns_) / 1e9;
    // Spaces after the text wipe the end of a longer previous line.
    std::fprintf(stderr, "\r%s   ", line(counts_(), input_size_, elapsed).c_str());
    std::fflush(stderr);
}

void Progress::finish() {
    if (!timer_.active()) return;
    timer_.stop();
    show();
    std::fputc('\n', stderr);
}

}  // namespace resolve
