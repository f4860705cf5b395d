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

// True when none of the eight bytes of `word` needs an escape inside a
// label: none at or below 0x20, none at or above 0x7f, no '.' and no '\\'
// (the bit tricks of "Bit Twiddling Hacks", as apps/nr-resolve's JSON writer
// uses them: a byte below n, or equal to one, sets its high bit in these
// expressions; a borrow only runs on from such a byte, so the answer about
// the whole word is exact).
bool plain_word(std::uint64_t word) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    std::uint64_t low = word - kOnes * 0x21;
    std::uint64_t del = word ^ (kOnes * 0x7f);
    std::uint64_t dot = word ^ (kOnes * '.');
    std::uint64_t backslash = word ^ (kOnes * '\\');
    std::uint64_t special = (low | (del - kOnes) | (dot - kOnes) | (backslash - kOnes)) & ~word;
    return ((special | word) & kHighs) == 0;
}

// True when none of the `n` bytes at `text` needs an escape inside a label:
// eight at a time (the last word overlapping the one before), a short text
// byte by byte.
bool plain_text(const char* text, int n) {
    if (n < 8) {
        for (int i = 0; i < n; ++i)
            if (kEscape[static_cast<std::uint8_t>(text[i])] != 0) return false;
        return true;
    }
    std::uint64_t word;
    for (int i = 0; i + 8 < n; i += 8) {
        std::memcpy(&word, text + i, sizeof word);
        if (!plain_word(word)) return false;
    }
    std::memcpy(&word, text + n - 8, sizeof word);
    return plain_word(word);
}

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
    // A run of labels as the message has them: `wire` points at the first
    // label's length byte, and the run's `size` bytes are each label's
    // length byte and bytes (checked by the caller to lie in the message).
    // Written as one copy in which every length byte but the first becomes
    // the dot before its label, when no byte needs an escape (most names:
    // labels of letters, digits and hyphens); label by label otherwise.
    // Reading labels one at a time cost more per name than the rest of it.
    // True when written as one copy (the text of the label at run offset k
    // then starts k bytes after the run's).
    bool labels(const std::uint8_t* wire, int size) {
        const int text_size = size - 1;
        if (size <= kSize) {
            make_room(text_size);
            char* p = text_ + used_;
            std::memcpy(p, wire + 1, static_cast<std::size_t>(text_size));
            // The length bytes inside the run read as a plain byte for the
            // check (a '.' there is a separator, one in a label is not).
            for (int k = wire[0] + 1; k < size; k += wire[k] + 1) p[k - 1] = 'a';
            if (plain_text(p, text_size)) {
                for (int k = wire[0] + 1; k < size; k += wire[k] + 1) p[k - 1] = '.';
                used_ += text_size;
                return true;
            }
        }
        for (int k = 0; k < size; k += wire[k] + 1) {
            if (k != 0) dot();
            label(wire + k + 1, wire[k]);
        }
        return false;
    }
    // Appends text that needs no escape (a name's text read before).
    void text(const char* text, int size) {
        if (used_ + size > kSize) {
            flush();
            out_.append(text, static_cast<std::size_t>(size));
            flushed_ += size;
            return;
        }
        std::memcpy(text_ + used_, text, static_cast<std::size_t>(size));
        used_ += size;
    }
    // Bytes of text written so far (flushed or not).
    int position() const noexcept { return flushed_ + used_; }

private:
    // One label with its escapes (`size` bytes, 1-63).
    void label(const std::uint8_t* bytes, int size) {
        make_room(4 * size);  // every byte escaped as \DDD at worst
        char* p = text_ + used_;
        for (int i = 0; i < size; ++i) {
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
    void make_room(int bytes) {
        if (used_ + bytes > kSize) flush();
    }

public:
    void flush() {
        out_.append(text_, static_cast<std::size_t>(used_));
        flushed_ += used_;
        used_ = 0;
    }

private:
    static constexpr int kSize = 1024;  // > 4 x 63, the longest escaped label
    std::string& out_;
    char text_[kSize];
    int used_ = 0;
    int flushed_ = 0;
};

// read_wire_name but for its first case below: out of line, so that a
// name found whole in the cache does not pay for this one's stack frame.
[[gnu::noinline]] int read_labels(const std::uint8_t* msg, int size, int pos, std::string& out, WireNameCache* cache) {
    const std::size_t out_start = out.size();
    // The labels of this name read here (not copied from the cache), to be
    // remembered once the name is known to be valid: where each starts in
    // the message and in the text, and the pointers followed before it.
    constexpr int kLabels = 8;
    WireNameCache::Label labels[kLabels];
    int label_count = 0;
    bool remember = cache != nullptr;  // false once a label needs an escape (or too many)
    int result;
    {
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
                if (cache == nullptr) continue;
                // The rest of the name read before: its text, if the pointers
                // it took keep this name within the bound (else read on, and
                // fail where reading would).
                const WireNameCache::Suffix* found = cache->find(offset);
                if (found == nullptr || pointers + found->pointers > kMaxPointers || pointers + found->pointers > size)
                    continue;
                if (any_label) text.dot();
                std::string_view suffix = cache->text(*found);
                text.text(suffix.data(), static_cast<int>(suffix.size()));
                any_label = true;
                pointers += found->pointers;
                break;
            } else if (top == 0) {
                // The labels up to the next pointer, the end of the name or a
                // reserved label type (refused at the next turn), read as one run.
                int end = at;
                do {
                    int label = msg[end];
                    // The label and the byte after it (a length or a pointer) must be in the message.
                    if (end + label + 1 >= size) return -1;
                    end += label + 1;
                } while (msg[end] != 0 && (msg[end] & 0xc0) == 0);
                if (any_label) text.dot();
                const int run_text_at = text.position();
                if (!text.labels(msg + at, end - at)) remember = false;
                if (remember) {
                    for (int k = at; k < end && remember; k += msg[k] + 1) {
                        if (label_count == kLabels) remember = false;
                        else labels[label_count++] = WireNameCache::Label{k, run_text_at + (k - at), pointers};
                    }
                }
                any_label = true;
                at = end;
            } else {
                return -1;  // label types 01 and 10 are reserved (RFC 1035 section 4.1.4)
            }
        }
        if (!any_label) text.dot();
        result = encoded < 0 ? at + 1 - pos : encoded;
        if (remember && label_count > 0) {
            // The name is valid: remember the suffix at each of its labels read here.
            text.flush();
            cache->remember(std::string_view(out).substr(out_start), labels, label_count, pointers);
        }
    }
    return result;
}

}  // namespace

void WireNameCache::remember(std::string_view name, const Label* labels, int count, int pointers) noexcept {
    const int name_size = static_cast<int>(name.size());
    if (text_used_ + name_size > kText) return;
    const int at = text_used_;
    std::memcpy(text_.data() + at, name.data(), name.size());
    text_used_ += name_size;
    for (int i = 0; i < count && suffix_count_ < kSuffixes; ++i)
        suffixes_[suffix_count_++] =
            Suffix{labels[i].offset, pointers - labels[i].pointers, at + labels[i].text_at, name_size - labels[i].text_at};
}

int read_wire_name(const std::uint8_t* msg, int size, int pos, std::string& out, WireNameCache* cache) {
    if (pos < 0 || pos >= size) return -1;
    // A name that is one pointer to a name read before (a record's owner
    // pointing at the question, most of an answer's names): its text, as the
    // general reader below would find it after that one pointer.
    if (cache != nullptr && (msg[pos] & 0xc0) == 0xc0 && pos + 1 < size) {
        int offset = ((msg[pos] & 0x3f) << 8) | msg[pos + 1];
        const WireNameCache::Suffix* found = offset < size ? cache->find(offset) : nullptr;
        if (found != nullptr && 1 + found->pointers <= kMaxPointers && 1 + found->pointers <= size) {
            out.append(cache->text(*found));
            return 2;
        }
    }
    return read_labels(msg, size, pos, out, cache);
}

}  // namespace netreactor
