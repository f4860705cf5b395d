// Names read one per line from a file or stdin, lazily, so memory stays flat
// however long the input.
//
// A regular file is read on the caller's thread, a buffer at a time: such a
// read does not wait for anyone. Anything else (a pipe, a terminal, a
// socket) may wait forever, so a reader thread keeps a bounded queue filled
// and the loop never blocks on a slow pipe while queries are in flight; the
// consumer takes the queue's lines a batch at a time, under one lock.
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
    // Reads `fd` (not closed here): on the caller's thread when it is a
    // regular file, else on its own thread. `on_ready` is posted to `loop`
    // when lines arrive while the consumer is waiting for them.
    LineReader(int fd, netreactor::Loop& loop, std::function<void()> on_ready);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    enum class Status { line, wait, end };
    // The next line (without its newline). With `block`, waits for one;
    // otherwise returns wait when none is queued yet (on_ready follows).
    // A regular file never returns wait.
    Status next(std::string& line, bool block);
    // The errno of a read error, if the input ended with one (0 otherwise).
    int error() const;
    // Bytes of the input returned by next() so far, newlines included (for
    // the progress display).
    std::uint64_t taken_bytes() const noexcept { return taken_bytes_; }

    static constexpr std::size_t kMaxQueued = 4096;  // lines, in the queue and in the batch taken each
    static constexpr std::size_t kReadSize = std::size_t{64} * 1024;

private:
    // A regular file, read here.
    struct File {
        int fd = -1;
        std::vector<char> buffer;
        std::size_t begin = 0, end = 0;  // the bytes read and not yet returned
        bool eof = false;
        int error = 0;
    };
    Status next_from_file(std::string& line);

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
    Status next_from_thread(std::string& line, bool block);

    std::unique_ptr<File> file_;      // a regular file
    std::shared_ptr<Shared> shared_;  // anything else
    std::deque<std::string> batch_;   // lines taken from the queue, not yet returned (consumer side)
    std::uint64_t taken_bytes_ = 0;   // consumer side only
};

}  // namespace resolve
