#include "latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace echo_client {

std::uint64_t LatencyHistogram::bucket_top(unsigned bucket) noexcept {
    if (bucket < (1u << kLinearBits)) return bucket;
    unsigned shift = bucket / kHalf - 1;
    std::uint64_t base = static_cast<std::uint64_t>(bucket - kHalf * shift) << shift;
    return base + ((std::uint64_t{1} << shift) - 1);
}

std::uint64_t LatencyHistogram::percentile_ns(double fraction) const noexcept {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(total_)));
    rank = std::clamp<std::uint64_t>(rank, 1, total_);
    std::uint64_t seen = 0;
    for (unsigned b = 0; b < kBuckets; ++b) {
        seen += counts_[b];
        if (seen >= rank) return std::min(bucket_top(b), max_);
    }
    return max_;
}

}  // namespace echo_client
