// Parsed<T>: a value read from the command line, or why it could not be read.
// The reason is a sentence in the project's own words, ready to follow
// "nr-TOOL: " in a usage error.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace nrapp {

template <typename T>
class Parsed {
public:
    Parsed(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor): reads like a return
    static Parsed failure(std::string why) { return Parsed(Refused{}, std::move(why)); }

    explicit operator bool() const noexcept { return value_.has_value(); }
    const T& operator*() const { return *value_; }
    T& operator*() { return *value_; }
    const T* operator->() const { return &*value_; }
    T* operator->() { return &*value_; }
    /// Why the text was refused; empty on success.
    const std::string& error() const noexcept { return error_; }

private:
    // The failure's own constructor: the reason is moved straight into its
    // member (assigned to a default-built Parsed, clang-tidy 14 took the
    // move for a copy: performance-unnecessary-value-param).
    struct Refused {};
    Parsed(Refused, std::string why) : error_(std::move(why)) {}
    std::optional<T> value_;
    std::string error_;
};

}  // namespace nrapp
