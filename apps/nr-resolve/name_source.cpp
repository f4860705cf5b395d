#include "name_source.hpp"

namespace resolve {

namespace {

std::string_view trimmed(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

NameSource::Status ArgumentNames::next(std::string& name, bool) {
    if (next_ >= names_.size()) return Status::end;
    name = std::move(names_[next_++]);
    return Status::name;
}

NameSource::Status LineNames::next(std::string& name, bool block) {
    for (;;) {
        switch (reader_->next(name, block)) {
            case LineReader::Status::wait: return Status::wait;
            case LineReader::Status::end: return Status::end;
            case LineReader::Status::line: break;
        }
        std::string_view t = name;
        if (first_line_ && t.starts_with("\xEF\xBB\xBF")) t.remove_prefix(3);  // a BOM: not part of a name
        first_line_ = false;
        t = trimmed(t);
        if (t.empty() || t.front() == '#') continue;
        // Most lines need no trimming: the line read becomes the name, uncopied.
        if (t.size() != name.size()) name = std::string(t);
        return Status::name;
    }
}

}  // namespace resolve
