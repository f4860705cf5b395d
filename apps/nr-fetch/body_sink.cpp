#include "body_sink.hpp"

#include "stdout_channel.hpp"

namespace fetch {

bool StdoutSink::write(std::span<const char> bytes) {
    if (int error = nrapp::write_stdout({bytes.data(), bytes.size()}); error != 0) {
        output_errno_ = error;
        return false;
    }
    written_ += bytes.size();
    return true;
}

}  // namespace fetch
