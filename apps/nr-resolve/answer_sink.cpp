#include "answer_sink.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "exit_status.hpp"
#include "netreactor/loop.hpp"

namespace resolve {

void AnswerSink::emit(std::string_view line) {
    if (pretty_) {
        out_.emit(nrapp::json::parse(line));
        return;
    }
    buffer_.append(line);
    buffer_ += '\n';
    if (buffer_.size() >= kFlushAt) {
        flush();
    } else if (!flush_posted_) {
        flush_posted_ = true;
        loop_.post([this] {
            flush_posted_ = false;
            flush();
        });
    }
}

void AnswerSink::flush() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        ssize_t n = ::write(STDOUT_FILENO, buffer_.data() + done, buffer_.size() - done);
        if (n >= 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EPIPE) std::_Exit(nrapp::exit_ok);  // the reader has what it wanted
        std::fprintf(stderr, "cannot write output: %s\n", std::strerror(errno));
        std::_Exit(nrapp::exit_local);
    }
    buffer_.clear();
}

}  // namespace resolve
