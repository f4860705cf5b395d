// Names read one per line from a file or stdin, lazily: a reader thread keeps
// a bounded queue filled, so memory stays flat however long the input, and
// the loop never blocks on a slow pipe while queries are in flight.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace netreactor {
class Loop;
}

namespace resolve {

class LineReader {
public:
    // Reads `fd` (not closed here) on its own thread. `on_ready` is posted to
    // `loop` when lines arrive while the consumer is waiting for them.
    LineReader(int fd, netreactor::Loop& loop, std::function<void()> on_ready);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    enum class Status { line, wait, end };
    // The next line (without its newline). With `block`, waits for one;
    // otherwise returns wait when none is queued yet (on_ready follows).
    Status next(std::string& line, bool block);
    // The errno of a read error, if the input ended with one (0 otherwise).
    int error() const;
    // Bytes of the input returned by next() so far, newlines included (for
    // the progress display).
    std::uint64_t taken_bytes() const noexcept { return taken_bytes_; }

    static constexpr std::size_t kMaxQueued = 8192;  // lines

private:
    // Shared with the reader thread, which may outlive this object while
    // blocked in read() on a pipe (it is detached, never joined).
    struct Shared {
        netreactor::Loop* loop;
        std::function<void()> on_ready;
        std::mutex mutex;
        std::condition_variable changed;
        std::deque<std::string> lines;
        bool end = false;
        bool stop = false;  // once set, the thread never touches the loop again
        bool consumer_waiting = false;
        int error = 0;
    };
    static void read_loop(int fd, std::shared_ptr<Shared> shared);

    std::shared_ptr<Shared> shared_;
    std::uint64_t taken_bytes_ = 0;  // consumer side only
};

}  // namespace resolve
