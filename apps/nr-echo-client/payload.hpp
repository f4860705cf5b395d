// The bytes nr-echo-client sends, and the check of what comes back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace echo_client {

// One immutable buffer shared by every connection: the message repeated, so
// that k consecutive messages are one contiguous span (one write), and so a
// connection can send the message rotated by its own offset (different
// connections send different bytes, catching crossed streams) without a copy.
class Payload {
public:
    // `message` is one message; `max_batch` the most messages sent in one
    // write. With `rotations`, room is kept for rotated views.
    Payload(std::string_view message, std::size_t max_batch, bool rotations);

    // `size` pseudo-random bytes from `seed`.
    static std::string random_message(std::size_t size, std::uint64_t seed);

    std::size_t message_size() const noexcept { return period_; }
    // One message as sent with rotation 0.
    std::span<const char> message() const noexcept { return {buffer_.data(), period_}; }

    // `count` consecutive messages of a stream whose messages start `rotation`
    // bytes into the message. count <= max_batch.
    std::span<const char> messages(std::size_t rotation, std::size_t count) const noexcept {
        return {buffer_.data() + rotation % period_, count * period_};
    }

    // Index of the first byte of `data` that differs from what a stream with
    // `rotation` carries at `position`, or npos when all match.
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    std::size_t first_mismatch(std::size_t rotation, std::uint64_t position, std::span<const char> data) const noexcept;

private:
    std::size_t period_;
    std::vector<char> buffer_;
};

}  // namespace echo_client
