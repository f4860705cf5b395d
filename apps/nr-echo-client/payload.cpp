#include "payload.hpp"

#include <algorithm>
#include <cstring>

namespace echo_client {

namespace {

// Short messages are repeated up to this many bytes at least, so a large read
// is checked with few memcmp calls.
constexpr std::size_t kMinBufferBytes = std::size_t{64} * 1024;

}  // namespace

Payload::Payload(std::string_view message, std::size_t max_batch, bool rotations) : period_(message.size()) {
    std::size_t repeats = std::max<std::size_t>(max_batch, 1) + (rotations ? 1 : 0);
    if (rotations && period_ > 0) repeats = std::max(repeats, (kMinBufferBytes + period_ - 1) / period_);
    buffer_.resize(period_ * repeats);
    for (std::size_t i = 0; i < repeats; ++i) std::memcpy(buffer_.data() + i * period_, message.data(), period_);
}

std::string Payload::random_message(std::size_t size, std::uint64_t seed) {
    // splitmix64: fast, and the same seed gives the same bytes.
    std::string out(size, '\0');
    std::uint64_t state = seed;
    for (std::size_t i = 0; i < size; i += 8) {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        std::memcpy(out.data() + i, &z, std::min<std::size_t>(8, size - i));
    }
    return out;
}

std::size_t Payload::first_mismatch(std::size_t rotation, std::uint64_t position,
                                    std::span<const char> data) const noexcept {
    std::size_t checked = 0;
    while (checked < data.size()) {
        // The buffer is periodic: any start can be taken modulo the period.
        std::size_t start = static_cast<std::size_t>((rotation + position + checked) % period_);
        std::size_t chunk = std::min(data.size() - checked, buffer_.size() - start);
        if (std::memcmp(data.data() + checked, buffer_.data() + start, chunk) != 0) {
            for (std::size_t i = 0; i < chunk; ++i)
                if (data[checked + i] != buffer_[start + i]) return checked + i;
        }
        checked += chunk;
    }
    return npos;
}

}  // namespace echo_client
