// Where the names come from: the command line, or one per line from a file
// or stdin (read lazily; blank lines and lines starting with '#' skipped, a
// UTF-8 byte-order mark at the start of the input ignored).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "line_reader.hpp"

namespace resolve {

class NameSource {
public:
    virtual ~NameSource() = default;
    enum class Status { name, wait, end };
    // The next name. With `block`, waits for input; else may return wait
    // (the source then calls back when input arrives).
    virtual Status next(std::string& name, bool block) = 0;
    // The errno of why the input ended early (0 if it simply ended).
    virtual int error() const { return 0; }
    // Bytes of the input consumed so far (0 for names given as arguments).
    virtual std::uint64_t taken_bytes() const { return 0; }
};

class ArgumentNames : public NameSource {
public:
    explicit ArgumentNames(std::vector<std::string> names) : names_(std::move(names)) {}
    Status next(std::string& name, bool) override;

private:
    std::vector<std::string> names_;
    std::size_t next_ = 0;
};

class LineNames : public NameSource {
public:
    explicit LineNames(std::unique_ptr<LineReader> reader) : reader_(std::move(reader)) {}
    Status next(std::string& name, bool block) override;
    int error() const override { return reader_->error(); }
    std::uint64_t taken_bytes() const override { return reader_->taken_bytes(); }

private:
    std::unique_ptr<LineReader> reader_;
    bool first_line_ = true;  // may start with a UTF-8 byte-order mark
};

}  // namespace resolve
