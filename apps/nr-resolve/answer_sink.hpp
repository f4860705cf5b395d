// Where answer lines go: stdout, batched. Each answer is written straight
// into one output buffer (no line string in between). The buffer goes out
// in whole 64 KiB chunks of stdout's file, each write ending on a 64 KiB
// boundary of the file, and whatever is left at most kMaxDelay after it was
// added (a timer), or when the run ends. On Linux 6.x ext4 (large folios)
// a bulk run's output costs about 40% less system time written this way
// than in one write per burst of answers (~47 KB, at any offset):
// docs/benchmarks.md, the DNS section's sixth round. A reader (a pipe to
// jq, a terminal) sees each line at most kMaxDelay after its answer, and a
// single lookup's line when the run ends. With --pretty the lines go
// through JsonOutput, indented. A closed stdout (`| head -1`) ends the
// process quietly with status 0, as JsonOutput does.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "json_output.hpp"
#include "line_buffer.hpp"
#include "netreactor/timer.hpp"
#include "question.hpp"

namespace resolve {

class AnswerSink {
public:
    AnswerSink(netreactor::Loop& loop, nrapp::JsonOutput& out, bool pretty);
    ~AnswerSink() { flush(); }
    AnswerSink(const AnswerSink&) = delete;
    AnswerSink& operator=(const AnswerSink&) = delete;

    // The line of the answer to `question`.
    void emit(const Question& question, const netreactor::DnsQueryResult& result, bool from_hosts_file);
    // A line made earlier with append_answer_json (--ordered holds some),
    // without its newline.
    void emit(std::string_view line);
    // Writes what is buffered; call before anything else goes to stdout.
    void flush();

    static constexpr std::size_t kChunk = std::size_t{64} * 1024;
    static constexpr std::chrono::milliseconds kMaxDelay{10};

private:
    void line_added();
    // Writes the first n buffered bytes and keeps the rest.
    void write_front(std::size_t n);

    netreactor::Timer flush_later_;
    nrapp::JsonOutput& out_;
    bool pretty_;
    // Where in a 64 KiB chunk of stdout's file the buffer starts (0 for a
    // pipe or a terminal). Only the write sizes depend on it: output that
    // reaches stdout another way makes some writes shorter, never wrong.
    std::size_t chunk_offset_ = 0;
    LineBuffer buffer_;
    LineBuffer pretty_line_;  // --pretty: the compact line before indenting
};

}  // namespace resolve
