#include "wire_name.hpp"

#include <array>
#include <cstring>

namespace netreactor {

namespace {

// c-ares 1.18's bound on compression pointers in one name (MAX_INDIRS).
constexpr int kMaxPointers = 50;

// How each byte is written inside a label: 0 as is, 1 as \X, 2 as \DDD.
constexpr std::array<std::uint8_t, 256> kEscape = [] {
    std::array<std::uint8_t, 256> table{};
    for (int c = 0; c < 256; ++c) table[c] = c <= 0x20 || c > 0x7e ? 2 : (c == '.' || c == '\\') ? 1 : 0;
    return table;
}();

// The text is gathered in a buffer on the stack and appended to the string
// once per name (or per 1 KiB of a long one): appending label by label cost
// more than reading the labels.
class TextBuffer {
public:
    explicit TextBuffer(std::string& out) : out_(out) {}
    ~TextBuffer() { flush(); }
    TextBuffer(const TextBuffer&) = delete;
    TextBuffer& operator=(const TextBuffer&) = delete;

    void dot() {
        make_room(1);
        text_[used_++] = '.';
    }
    void label(const std::uint8_t* bytes, int size) {
        make_room(4 * size);  // every byte escaped as \DDD at worst
        char* p = text_ + used_;
        // Most labels need no escape: found by the table, copied at once.
        int plain = 0;
        while (plain < size && kEscape[bytes[plain]] == 0) ++plain;
        std::memcpy(p, bytes, static_cast<std::size_t>(plain));
        p += plain;
        for (int i = plain; i < size; ++i) {
            std::uint8_t c = bytes[i];
            switch (kEscape[c]) {
                case 0:
                    *p++ = static_cast<char>(c);
                    break;
                case 1:
                    *p++ = '\\';
                    *p++ = static_cast<char>(c);
                    break;
                default:
                    *p++ = '\\';
                    *p++ = static_cast<char>('0' + c / 100);
                    *p++ = static_cast<char>('0' + c / 10 % 10);
                    *p++ = static_cast<char>('0' + c % 10);
            }
        }
        used_ = static_cast<int>(p - text_);
    }
    void flush() {
        out_.append(text_, static_cast<std::size_t>(used_));
        used_ = 0;
    }

private:
    void make_room(int bytes) {
        if (used_ + bytes > kSize) flush();
    }
    static constexpr int kSize = 1024;  // > 4 x 63, the longest escaped label
    std::string& out_;
    char text_[kSize];
    int used_ = 0;
};

}  // namespace

int read_wire_name(const std::uint8_t* msg, int size, int pos, std::string& out) {
    if (pos < 0 || pos >= size) return -1;
    TextBuffer text(out);
    int at = pos;
    int encoded = -1;  // known at the first pointer
    int pointers = 0;
    bool any_label = false;
    while (msg[at] != 0) {
        int top = msg[at] & 0xc0;
        if (top == 0xc0) {
            if (at + 1 >= size) return -1;
            int offset = ((msg[at] & 0x3f) << 8) | msg[at + 1];
            if (offset >= size) return -1;
            if (encoded < 0) encoded = at + 2 - pos;
            // A loop ends here too: it cannot help but take more pointers.
            if (++pointers > kMaxPointers || pointers > size) return -1;
            at = offset;
        } else if (top == 0) {
            int label = msg[at];
            // The label and the byte after it (a length or a pointer) must be in the message.
            if (at + label + 1 >= size) return -1;
            if (any_label) text.dot();
            text.label(msg + at + 1, label);
            any_label = true;
            at += label + 1;
        } else {
            return -1;  // label types 01 and 10 are reserved (RFC 1035 section 4.1.4)
        }
    }
    if (!any_label) text.dot();
    return encoded < 0 ? at + 1 - pos : encoded;
}

}  // namespace netreactor
