// Where answer lines go: stdout, batched. Each answer is written straight
// into one output buffer (no line string in between), and the buffer is
// written when it reaches kFlushAt or when the loop has handled the current
// burst of events (a zero-delay timer, which runs before the loop next waits):
// a bulk run makes one write per burst rather than one per answer, and a
// reader (or a single lookup) still sees each line as soon as its burst is
// done. With --pretty the lines go through JsonOutput, indented. A closed
// stdout (`| head -1`) ends the process quietly with status 0, as JsonOutput
// does.
#pragma once

#include <string>
#include <string_view>

#include "json_output.hpp"
#include "line_buffer.hpp"
#include "netreactor/timer.hpp"
#include "question.hpp"

namespace resolve {

class AnswerSink {
public:
    AnswerSink(netreactor::Loop& loop, nrapp::JsonOutput& out, bool pretty) : flush_soon_(loop), out_(out), pretty_(pretty) {}
    ~AnswerSink() { flush(); }
    AnswerSink(const AnswerSink&) = delete;
    AnswerSink& operator=(const AnswerSink&) = delete;

    // The answer's line.
    void emit(const Answer& answer);
    // A line made earlier with append_answer_json (--ordered holds some),
    // without its newline.
    void emit(std::string_view line);
    // Writes what is buffered; call before anything else goes to stdout.
    void flush();

private:
    void line_added();

    static constexpr std::size_t kFlushAt = std::size_t{64} * 1024;
    netreactor::Timer flush_soon_;
    nrapp::JsonOutput& out_;
    bool pretty_;
    LineBuffer buffer_;
    LineBuffer pretty_line_;  // --pretty: the compact line before indenting
};

}  // namespace resolve
