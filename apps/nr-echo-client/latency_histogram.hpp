// A fixed log-linear latency histogram: recording is an index computation and
// an increment, never an allocation, so it can sit on the hot path.
#pragma once

#include <array>
#include <cstdint>

namespace echo_client {

class LatencyHistogram {
public:
    // Records one latency in nanoseconds.
    void record(std::uint64_t ns) noexcept {
        ++counts_[bucket_of(ns)];
        ++total_;
        if (ns > max_) max_ = ns;
    }

    std::uint64_t count() const noexcept { return total_; }
    std::uint64_t max_ns() const noexcept { return max_; }
    // The latency below which `fraction` (0..1) of the samples fall, within the
    // bucket precision (1/32, about 3%); 0 when empty.
    std::uint64_t percentile_ns(double fraction) const noexcept;

private:
    // Values below 2^kLinearBits get a bucket each; above, every power of two
    // is split into 2^(kLinearBits-1) equal buckets.
    static constexpr unsigned kLinearBits = 6;
    static constexpr unsigned kHalf = 1u << (kLinearBits - 1);
    static constexpr unsigned kBuckets = kHalf * (64 - kLinearBits + 2);

    static unsigned bucket_of(std::uint64_t ns) noexcept {
        if (ns < (1u << kLinearBits)) return static_cast<unsigned>(ns);
        unsigned shift = static_cast<unsigned>(63 - __builtin_clzll(ns)) - (kLinearBits - 1);
        return kHalf * shift + static_cast<unsigned>(ns >> shift);
    }
    // The highest value that falls in `bucket`.
    static std::uint64_t bucket_top(unsigned bucket) noexcept;

    std::array<std::uint64_t, kBuckets> counts_{};
    std::uint64_t total_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace echo_client
