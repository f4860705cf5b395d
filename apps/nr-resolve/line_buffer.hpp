// The bytes of output lines as they are built: a growable buffer whose
// append is a capacity check and a copy, inlined where it is called.
// std::string::append goes out of line (_M_append) and writes a terminator
// each time: an answer line is about 25 appends, and they were half of its
// instructions (issue 12).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace resolve {

class LineBuffer {
public:
    LineBuffer() = default;
    LineBuffer(const LineBuffer&) = delete;
    LineBuffer& operator=(const LineBuffer&) = delete;

    // memcpy with a null pointer is undefined even for 0 bytes, and both can
    // be null here (an empty buffer, an empty string_view): skip the call.
    // Appends of a literal know n and lose the test at compile time.
    void append(const char* bytes, std::size_t n) {
        if (n != 0) std::memcpy(extend(n), bytes, n);
    }
    void append(std::string_view s) { append(s.data(), s.size()); }
    void push_back(char c) { *extend(1) = c; }

    // Makes the buffer `n` bytes longer and returns where those bytes go
    // (the caller writes all of them).
    char* extend(std::size_t n) {
        if (n > capacity_ - size_) grow(n);
        char* at = bytes_.get() + size_;
        size_ += n;
        return at;
    }

    // Drops everything after the first `n` bytes (n <= size()).
    void truncate(std::size_t n) noexcept { size_ = n; }
    // Drops the first `n` bytes (n <= size()); the rest moves to the front.
    void drop_front(std::size_t n) noexcept {
        if (n != size_) std::memmove(bytes_.get(), bytes_.get() + n, size_ - n);
        size_ -= n;
    }
    void clear() noexcept { size_ = 0; }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    std::string_view view() const noexcept { return {bytes_.get(), size_}; }

private:
    void grow(std::size_t n) {
        std::size_t capacity = std::max({capacity_ * 2, size_ + n, std::size_t{1024}});
        auto bytes = std::make_unique_for_overwrite<char[]>(capacity);
        if (size_ != 0) std::memcpy(bytes.get(), bytes_.get(), size_);
        bytes_ = std::move(bytes);
        capacity_ = capacity;
    }

    std::unique_ptr<char[]> bytes_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

}  // namespace resolve
