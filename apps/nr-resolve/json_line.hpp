// A compact JSON writer for the hot path: answers are written straight into
// one reused string, without building a JSON tree (nlohmann::json costs more
// than the DNS exchange itself at 100,000 answers per second). Keys are
// trusted literals; values are escaped. The caller gives only valid UTF-8
// (names and presentation data are ASCII; TXT/CAA bytes are checked first).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace resolve {

class JsonLine {
public:
    explicit JsonLine(std::string& out) : out_(out) {}

    JsonLine& begin_object() { comma(); out_ += '{'; first_ = true; return *this; }
    JsonLine& end_object() { out_ += '}'; first_ = false; return *this; }
    JsonLine& begin_array() { comma(); out_ += '['; first_ = true; return *this; }
    JsonLine& end_array() { out_ += ']'; first_ = false; return *this; }
    JsonLine& key(std::string_view k) {
        comma();
        out_ += '"';
        out_ += k;
        out_ += "\":";
        first_ = true;  // the value follows without a comma
        return *this;
    }
    JsonLine& string(std::string_view s);
    JsonLine& number(std::uint64_t v);
    JsonLine& number(double v);
    JsonLine& boolean(bool v) { comma(); out_ += v ? "true" : "false"; return *this; }
    JsonLine& null() { comma(); out_ += "null"; return *this; }

    JsonLine& field(std::string_view k, std::string_view s) { return key(k).string(s); }
    JsonLine& field(std::string_view k, const char* s) { return key(k).string(s); }
    JsonLine& field(std::string_view k, std::uint64_t v) { return key(k).number(v); }
    JsonLine& field(std::string_view k, bool v) { return key(k).boolean(v); }

private:
    void comma() {
        if (!first_) out_ += ',';
        first_ = false;
    }
    std::string& out_;
    bool first_ = true;
};

}  // namespace resolve
