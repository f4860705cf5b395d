// A timer- and signal-driven daemon skeleton: does its periodic work every
// --interval seconds, reloads on SIGHUP, and on SIGINT/SIGTERM stops its
// timers and returns from Loop::run() with nothing left open.
//
//   daemon [--interval 1] [--stats-interval 5]
//   prints "started", "tick N", "reload", "stats ..." and "stopped SIGNAL"
#include <netreactor/netreactor.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstdarg>
#include <memory>
#include <string_view>
#include <vector>

namespace nr = netreactor;
using Seconds = std::chrono::duration<double>;

class Daemon {
public:
    Daemon(nr::Loop& loop, double interval, double stats_interval)
        : work_(loop), stats_(loop), interval_(std::chrono::ceil<std::chrono::milliseconds>(Seconds(interval))),
          stats_interval_(std::chrono::ceil<std::chrono::milliseconds>(Seconds(stats_interval))) {
        for (int signum : {SIGHUP, SIGINT, SIGTERM})
            watchers_.push_back(std::make_unique<nr::SignalWatcher>(loop, signum, [this](int s) { on_signal(s); }));
        work_.start(interval_, [this] { tick(); }, interval_);
        // The stats timer must not keep the daemon alive on its own: once the
        // work timer is stopped, Loop::run() returns.
        stats_.keep_loop_alive(false);
        stats_.start(stats_interval_, [this] { say("stats ticks=%lu reloads=%d", ticks_, reloads_); },
                     stats_interval_);
        say("started");
    }

private:
    void tick() { say("tick %lu", ++ticks_); }

    void on_signal(int signum) {
        if (signum == SIGHUP) {
            ++reloads_;  // a real daemon re-reads its configuration here
            say("reload");
            return;
        }
        say("stopped %s", signum == SIGINT ? "SIGINT" : "SIGTERM");
        work_.stop();
        stats_.stop();
        watchers_.clear();  // destroying a watcher inside its own callback is allowed
    }

    [[gnu::format(printf, 1, 2)]] static void say(const char* format, ...) {
        va_list args;
        va_start(args, format);
        std::vprintf(format, args);
        va_end(args);
        std::printf("\n");
        std::fflush(stdout);  // a pipe or a log collector sees each line at once
    }

    nr::Timer work_;
    nr::Timer stats_;
    std::vector<std::unique_ptr<nr::SignalWatcher>> watchers_;
    std::chrono::milliseconds interval_;
    std::chrono::milliseconds stats_interval_;
    unsigned long ticks_ = 0;
    int reloads_ = 0;
};

int main(int argc, char** argv) {
    nr::ignore_sigpipe();
    double interval = 1, stats_interval = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view flag = argv[i];
        if (flag == "--interval") interval = std::atof(argv[i + 1]);
        else if (flag == "--stats-interval") stats_interval = std::atof(argv[i + 1]);
        else { std::fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (interval <= 0 || stats_interval <= 0) { std::fprintf(stderr, "intervals must be > 0\n"); return 2; }

    nr::Loop loop;
    Daemon daemon(loop, interval, stats_interval);
    loop.run();  // until SIGINT/SIGTERM
    return 0;
}
