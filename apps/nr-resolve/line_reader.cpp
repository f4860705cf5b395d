#include "line_reader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "netreactor/loop.hpp"

namespace resolve {

LineReader::LineReader(int fd, netreactor::Loop& loop, std::function<void()> on_ready) {
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        file_ = std::make_unique<File>();
        file_->fd = fd;
        file_->buffer.resize(kReadSize);
        return;
    }
    shared_ = std::make_shared<Shared>();
    shared_->loop = &loop;
    shared_->on_ready = std::move(on_ready);
    std::thread(read_loop, fd, shared_).detach();
}

LineReader::~LineReader() {
    if (!shared_) return;
    {
        std::lock_guard lock(shared_->mutex);
        shared_->stop = true;
    }
    shared_->changed.notify_all();
}

LineReader::Status LineReader::next(std::string& line, bool block) {
    Status status = file_ ? next_from_file(line) : next_from_thread(line, block);
    if (status == Status::line) taken_bytes_ += line.size() + 1;
    return status;
}

int LineReader::error() const {
    if (file_) return file_->error;
    std::lock_guard lock(shared_->mutex);
    return shared_->error;
}

LineReader::Status LineReader::next_from_file(std::string& line) {
    File& f = *file_;
    line.clear();
    bool partial = false;  // `line` holds the start of a line that goes on in the next read
    for (;;) {
        const char* start = f.buffer.data() + f.begin;
        std::size_t available = f.end - f.begin;
        if (const void* newline = std::memchr(start, '\n', available); newline != nullptr) {
            auto length = static_cast<std::size_t>(static_cast<const char*>(newline) - start);
            line.append(start, length);
            f.begin += length + 1;
            return Status::line;
        }
        line.append(start, available);
        partial = partial || available > 0;
        f.begin = f.end = 0;
        if (f.eof) return partial ? Status::line : Status::end;  // the last line may have no newline
        ssize_t n = ::read(f.fd, f.buffer.data(), f.buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            f.eof = true;
            if (n < 0) f.error = errno;
            continue;
        }
        f.end = static_cast<std::size_t>(n);
    }
}

void LineReader::read_loop(int fd, std::shared_ptr<Shared> s) {
    std::string partial;
    std::deque<std::string> batch;
    std::vector<char> buffer(kReadSize);
    for (;;) {
        ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        int read_errno = errno;
        if (n > 0) {
            std::size_t start = 0;
            for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
                if (buffer[i] != '\n') continue;
                partial.append(buffer.data() + start, i - start);
                batch.emplace_back().swap(partial);  // partial is left empty
                start = i + 1;
            }
            partial.append(buffer.data() + start, static_cast<std::size_t>(n) - start);
        } else if (!partial.empty()) {
            batch.emplace_back().swap(partial);  // the last line had no newline
        }
        {
            std::unique_lock lock(s->mutex);
            s->changed.wait(lock, [&] { return s->stop || s->lines.size() < kMaxQueued; });
            if (s->stop) return;
            if (s->lines.empty()) {
                s->lines.swap(batch);
            } else {
                for (auto& line : batch) s->lines.push_back(std::move(line));
                batch.clear();
            }
            if (n <= 0) {
                s->end = true;
                if (n < 0) s->error = read_errno;
            }
            if (s->consumer_waiting && (!s->lines.empty() || s->end)) {
                s->consumer_waiting = false;
                s->loop->post(s->on_ready);  // under the lock: stop cannot be set meanwhile
            }
        }
        s->changed.notify_all();
        if (n <= 0) return;
    }
}

LineReader::Status LineReader::next_from_thread(std::string& line, bool block) {
    if (batch_.empty()) {
        // Take every queued line at once: one lock per batch, not per line.
        Shared& s = *shared_;
        std::unique_lock lock(s.mutex);
        if (block) s.changed.wait(lock, [&] { return !s.lines.empty() || s.end; });
        if (s.lines.empty()) {
            if (s.end) return Status::end;
            s.consumer_waiting = true;
            return Status::wait;
        }
        batch_.swap(s.lines);
        lock.unlock();
        s.changed.notify_all();  // the reader may be waiting for room
    }
    line = std::move(batch_.front());
    batch_.pop_front();
    return Status::line;
}

}  // namespace resolve
