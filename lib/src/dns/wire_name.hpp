// Internal: a domain name read from a DNS message, in one pass.
//
// The rules are exactly c-ares 1.18's ares_expand_name (the walker used it
// before, and the differential fuzz target tests/fuzz/fuzz_dns_name.cpp holds
// this reader to it on arbitrary bytes): labels of 0-63 bytes (top bits 00),
// compression pointers (top bits 11) to any offset inside the message,
// forward ones included, at most 50 of them in one name; the reserved label
// types (01, 10) are refused; every label must end before the message does,
// with room for the byte after it. The name's length is not limited (c-ares
// does not limit it either). ares_expand_name costs a malloc, an escape pass
// and a free per name; six names per answer made it the walker's largest
// cost (docs/benchmarks.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace netreactor {

// The names already read from one message, by the offset of each of their
// labels (the suffix of the name from there), so that a later name whose
// compression pointer leads there copies that text instead of reading the
// labels again: in an answer most names point into the question's name
// (the records' owners, the authority's names), and reading them again was
// most of the decoder's work per name. Holds a few names of one message;
// what does not fit is simply read.
class WireNameCache {
public:
    WireNameCache() = default;
    WireNameCache(const WireNameCache&) = delete;
    WireNameCache& operator=(const WireNameCache&) = delete;

    // The rest of a name from one of its labels.
    struct Suffix {
        int offset;    // of the label's length byte in the message
        int pointers;  // compression pointers followed from there to the name's end
        int text_at;   // its text, in the cache
        int text_size;
    };
    // A label of a name being read: where it starts in the message and in
    // the name's text, and the pointers followed before it.
    struct Label {
        int offset, text_at, pointers;
    };

    // The suffix remembered at `offset`, or null.
    const Suffix* find(int offset) const noexcept {
        for (int i = 0; i < suffix_count_; ++i)
            if (suffixes_[i].offset == offset) return &suffixes_[i];
        return nullptr;
    }
    std::string_view text(const Suffix& suffix) const noexcept {
        return {text_.data() + suffix.text_at, static_cast<std::size_t>(suffix.text_size)};
    }
    // Remembers the valid name `name` (its whole text), which took
    // `pointers` pointers, by each of its `labels` (as many as there is room for).
    void remember(std::string_view name, const Label* labels, int count, int pointers) noexcept;

private:
    static constexpr int kSuffixes = 16;
    static constexpr int kText = 512;
    std::array<Suffix, kSuffixes> suffixes_;
    int suffix_count_ = 0;
    std::array<char, kText> text_;
    int text_used_ = 0;
};

// Reads the name at `pos` of the message `msg` (`size` bytes). On success
// appends its RFC 1035 presentation form to `out` (labels joined by '.', no
// trailing dot, "." for the root; inside a label `\.` and `\\`, and `\DDD` for
// a space and every byte outside 0x21-0x7e) and returns the length of its
// encoding at `pos` (up to and including its first compression pointer, or its
// terminating zero): the bytes to skip. Returns -1 for a name ares_expand_name
// refuses, leaving `out` in an unspecified state.
//
// With a `cache` (one per message, the same `msg` and `size` at every call),
// a pointer to a label of a name read before appends that name's text from
// there (when the pointers it took keep within the bound), and the labels of
// a name read are remembered: the results are exactly those without.
int read_wire_name(const std::uint8_t* msg, int size, int pos, std::string& out, WireNameCache* cache = nullptr);

}  // namespace netreactor
