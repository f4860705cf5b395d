#include "answer_sink.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "answer_json.hpp"
#include "exit_status.hpp"
#include "stdout_channel.hpp"

namespace resolve {

void AnswerSink::emit(const Answer& answer) {
    if (pretty_) {
        pretty_line_.clear();
        append_answer_json(answer, pretty_line_);
        out_.emit(nrapp::json::parse(pretty_line_.view()));
        return;
    }
    append_answer_json(answer, buffer_);
    line_added();
}

void AnswerSink::emit(std::string_view line) {
    if (pretty_) {
        out_.emit(nrapp::json::parse(line));
        return;
    }
    buffer_.append(line);
    line_added();
}

void AnswerSink::line_added() {
    buffer_.push_back('\n');
    if (buffer_.size() >= kFlushAt) {
        flush();
    } else if (!flush_soon_.active()) {
        flush_soon_.start(std::chrono::milliseconds(0), [this] { flush(); });
    }
}

void AnswerSink::flush() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
        ssize_t n = ::write(STDOUT_FILENO, buffer_.view().data() + done, buffer_.size() - done);
        if (n >= 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        nrapp::exit_on_output_error(errno);  // EPIPE: exit 0, the reader has what it wanted
    }
    buffer_.clear();
}

}  // namespace resolve
