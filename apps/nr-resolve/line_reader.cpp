#include "line_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "netreactor/loop.hpp"

namespace resolve {

LineReader::LineReader(int fd, netreactor::Loop& loop, std::function<void()> on_ready)
    : shared_(std::make_shared<Shared>()) {
    shared_->loop = &loop;
    shared_->on_ready = std::move(on_ready);
    std::thread(read_loop, fd, shared_).detach();
}

LineReader::~LineReader() {
    {
        std::lock_guard lock(shared_->mutex);
        shared_->stop = true;
    }
    shared_->changed.notify_all();
}

void LineReader::read_loop(int fd, std::shared_ptr<Shared> s) {
    std::string partial;
    std::deque<std::string> batch;
    std::vector<char> buffer(std::size_t{64} * 1024);
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
            for (auto& line : batch) s->lines.push_back(std::move(line));
            batch.clear();
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

LineReader::Status LineReader::next(std::string& line, bool block) {
    Shared& s = *shared_;
    std::unique_lock lock(s.mutex);
    if (block) s.changed.wait(lock, [&] { return !s.lines.empty() || s.end; });
    if (!s.lines.empty()) {
        line = std::move(s.lines.front());
        s.lines.pop_front();
        taken_bytes_ += line.size() + 1;
        if (s.lines.size() == kMaxQueued - 1) {
            lock.unlock();
            s.changed.notify_all();
        }
        return Status::line;
    }
    if (s.end) return Status::end;
    s.consumer_waiting = true;
    return Status::wait;
}

int LineReader::error() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->error;
}

}  // namespace resolve
