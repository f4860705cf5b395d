#include "answer_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "answer_json.hpp"
#include "exit_status.hpp"
#include "stdout_channel.hpp"

namespace resolve {

namespace {

// Where the next write to stdout lands in its file: the position, or the
// end for O_APPEND (`>>`); 0 for what has no position (a pipe, a terminal).
std::size_t stdout_file_position() {
    off_t at = ::lseek(STDOUT_FILENO, 0, SEEK_CUR);
    if (at < 0) return 0;
    int flags = ::fcntl(STDOUT_FILENO, F_GETFL);
    struct stat st {};
    if (flags >= 0 && (flags & O_APPEND) != 0 && ::fstat(STDOUT_FILENO, &st) == 0) at = st.st_size;
    return static_cast<std::size_t>(at);
}

}  // namespace

AnswerSink::AnswerSink(netreactor::Loop& loop, nrapp::JsonOutput& out, bool pretty)
    : flush_later_(loop), out_(out), pretty_(pretty), chunk_offset_(stdout_file_position() % kChunk) {
    // Output waiting for its timer must not keep the loop running: the run
    // ends when the answers are in, and flush() writes the rest.
    flush_later_.keep_loop_alive(false);
}

void AnswerSink::emit(const Question& question, const netreactor::DnsQueryResult& result, bool from_hosts_file) {
    if (pretty_) {
        pretty_line_.clear();
        append_answer_json(question, result, from_hosts_file, pretty_line_);
        out_.emit(nrapp::json::parse(pretty_line_.view()));
        return;
    }
    append_answer_json(question, result, from_hosts_file, buffer_);
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
    std::size_t end = chunk_offset_ + buffer_.size();
    if (end >= kChunk) write_front(end / kChunk * kChunk - chunk_offset_);
    // Not restarted by later lines: the oldest buffered line waits kMaxDelay at most.
    if (!buffer_.empty() && !flush_later_.active()) flush_later_.start(kMaxDelay, [this] { flush(); });
}

void AnswerSink::flush() {
    write_front(buffer_.size());
    flush_later_.stop();
}

void AnswerSink::write_front(std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
        ssize_t written = ::write(STDOUT_FILENO, buffer_.view().data() + done, n - done);
        if (written >= 0) {
            done += static_cast<std::size_t>(written);
            continue;
        }
        if (errno == EINTR) continue;
        nrapp::exit_on_output_error(errno);  // EPIPE: exit 0, the reader has what it wanted
    }
    buffer_.drop_front(n);
    chunk_offset_ = (chunk_offset_ + n) % kChunk;
}

}  // namespace resolve
