// Progress of a bulk run (-f), on stderr when it is a terminal, refreshed in
// place twice a second: answers done, the input read so far (as a share of a
// regular file's size), the rate and the estimated time left. Nothing at all
// when stderr is not a terminal: a script's stderr stays clean.
#pragma once

#include <cstdint>
#include <functional>

#include "netreactor/timer.hpp"

namespace netreactor {
class Loop;
}

namespace resolve {

class Progress {
public:
    struct Counts {
        std::uint64_t answers = 0;     // questions completed
        std::uint64_t input_bytes = 0; // bytes of the input taken so far
        std::size_t in_flight = 0;
    };
    // `input_size`: the size of a regular input file, 0 when unknown (a pipe):
    // then no share and no time left are shown. Starts at once if stderr is a
    // terminal.
    Progress(netreactor::Loop& loop, std::function<Counts()> counts, std::uint64_t input_size);
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // The last line, with the final counts, and a newline (if shown at all).
    void finish();

    // The text of one progress line (no \r); pure, for the tests of the format.
    static std::string line(const Counts& counts, std::uint64_t input_size, double elapsed_s);

private:
    void show();

    netreactor::Timer timer_;
    std::function<Counts()> counts_;
    std::uint64_t input_size_;
    std::uint64_t started_ns_;
};

}  // namespace resolve
