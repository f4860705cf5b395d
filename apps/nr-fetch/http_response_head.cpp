#include "http_response_head.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace fetch {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 9110 tchar.
bool is_token_char(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c)) return true;
    return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != '\0';
}

bool is_field_value_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return c == '\t' || (u >= 0x20 && u != 0x7f);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

HeadParse malformed(std::string why) {
    HeadParse r;
    r.state = HeadState::malformed;
    r.error = std::move(why);
    return r;
}

// The longest valid beginning of a status line: "HTTP/d.d ddd".
bool plausible_status_prefix(std::string_view start) {
    static constexpr std::string_view kShape = "HTTP/0.0 000";
    for (std::size_t i = 0; i < start.size() && i < kShape.size(); ++i) {
        char want = kShape[i];
        if (want == '0' ? !is_digit(start[i]) : start[i] != want) return false;
    }
    return true;
}

// Splits the head into lines (without endings). Returns false on a bare CR.
bool split_lines(std::string_view head, std::vector<std::string_view>& lines) {
    std::size_t pos = 0;
    while (pos < head.size()) {
        std::size_t end = head.find('\n', pos);
        std::string_view line = head.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find('\r') != std::string_view::npos) return false;
        lines.push_back(line);
        pos = end + 1;
    }
    return true;
}

std::optional<std::uint64_t> parse_length(std::string_view text) {
    if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), is_digit)) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) value = value * 10 + static_cast<std::uint64_t>(c - '0');
    return value;
}

}  // namespace

HeadParse parse_response_head(std::string_view received) {
    if (!plausible_status_prefix(received.substr(0, std::min(received.find('\n'), received.size()))))
        return malformed("the response does not start with an HTTP/x.y status line");

    // The head ends at the first empty line: "\n\n" or "\n\r\n".
    std::size_t end = std::string_view::npos;
    std::size_t terminator = 0;
    for (std::size_t i = received.find('\n'); i != std::string_view::npos; i = received.find('\n', i + 1)) {
        if (i + 1 < received.size() && received[i + 1] == '\n') {
            end = i + 1;
            terminator = 1;
            break;
        }
        if (i + 2 < received.size() && received[i + 1] == '\r' && received[i + 2] == '\n') {
            end = i + 1;
            terminator = 2;
            break;
        }
    }
    if (end == std::string_view::npos) {
        if (received.size() > kMaxHeadBytes) return malformed("the response head is larger than 64 KiB");
        return {};
    }
    if (end + terminator > kMaxHeadBytes) return malformed("the response head is larger than 64 KiB");

    std::vector<std::string_view> lines;
    if (!split_lines(received.substr(0, end), lines)) return malformed("a carriage return inside a head line");

    HeadParse r;
    ResponseHead& head = r.head;
    std::string_view status = lines.front();
    // "HTTP/d.d SP ddd [SP reason]"
    if (status.size() < 12 || !plausible_status_prefix(status) || (status.size() > 12 && status[12] != ' '))
        return malformed("bad status line");
    head.status_line = std::string(status);
    head.version = std::string(status.substr(0, 8));
    head.status = (status[9] - '0') * 100 + (status[10] - '0') * 10 + (status[11] - '0');
    if (head.status < 100) return malformed("status code below 100");
    std::string_view reason = status.size() > 13 ? status.substr(13) : std::string_view();
    if (!std::all_of(reason.begin(), reason.end(), is_field_value_char))
        return malformed("control character in the reason phrase");
    head.reason = std::string(reason);

    for (std::size_t i = 1; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        if (line.front() == ' ' || line.front() == '\t') return malformed("obsolete line folding in a header");
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return malformed("a header line without a colon");
        std::string_view name = line.substr(0, colon);
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
            return malformed("bad header name");
        std::string_view value = trim(line.substr(colon + 1));
        if (!std::all_of(value.begin(), value.end(), is_field_value_char))
            return malformed("control character in header " + std::string(name));
        if (iequals(name, "Content-Length")) {
            auto length = parse_length(value);
            if (!length) return malformed("bad Content-Length");
            if (head.content_length && *head.content_length != *length) return malformed("conflicting Content-Length");
            head.content_length = length;
        } else if (iequals(name, "Transfer-Encoding")) {
            head.transfer_encoding = true;
        }
        head.headers.push_back({std::string(name), std::string(value)});
    }
    r.state = HeadState::complete;
    r.head_bytes = end + terminator;
    return r;
}

const std::string* ResponseHead::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (h.name.size() != name.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < name.size() && same; ++i)
            same = std::tolower(static_cast<unsigned char>(h.name[i])) == std::tolower(static_cast<unsigned char>(name[i]));
        if (same) return &h.value;
    }
    return nullptr;
}

}  // namespace fetch
