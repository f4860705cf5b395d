// Where answer lines go: stdout, batched. Lines are appended to one buffer
// and written once per loop iteration (a post to the loop), so a bulk run
// makes one write per burst of answers rather than one per answer, while a
// reader still sees each burst as soon as it is processed. With --pretty the
// lines go through JsonOutput, indented. A closed stdout (`| head -1`) ends
// the process quietly with status 0, as JsonOutput does.
#pragma once

#include <string>

#include "json_output.hpp"

namespace netreactor {
class Loop;
}

namespace resolve {

class AnswerSink {
public:
    AnswerSink(netreactor::Loop& loop, nrapp::JsonOutput& out, bool pretty) : loop_(loop), out_(out), pretty_(pretty) {}
    ~AnswerSink() { flush(); }
    AnswerSink(const AnswerSink&) = delete;
    AnswerSink& operator=(const AnswerSink&) = delete;

    // One compact JSON object, without its newline.
    void emit(std::string_view line);
    // Writes what is buffered; call before anything else goes to stdout.
    void flush();

private:
    static constexpr std::size_t kFlushAt = std::size_t{256} * 1024;
    netreactor::Loop& loop_;
    nrapp::JsonOutput& out_;
    bool pretty_;
    std::string buffer_;
    bool flush_posted_ = false;
};

}  // namespace resolve
