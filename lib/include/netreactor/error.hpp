/// @file
/// @brief netreactor::Error and netreactor::SystemError: one error model for the whole library.
///
/// Every failure, synchronous or asynchronous, is described by an Error: the
/// symbolic code name (the libuv/errno name such as "ECONNREFUSED", or a c-ares
/// or protocol name such as "NXDOMAIN"), a human message, and the operation that
/// failed ("connect", "bind", "read"...). Setup calls throw SystemError; async
/// completions hand an Error to the callback. Nothing is reported twice.
#pragma once

#include "netreactor/export.hpp"

#include <stdexcept>
#include <string>

namespace netreactor {

/// What failed and why. A value type: copy freely, use on any thread.
///
/// A handler that receives `const Error*` or `const Error&` may only read it
/// during the call; copy it to keep it.
class NETREACTOR_API Error {
public:
    /// An empty error (all strings empty, system_errno() 0).
    Error() = default;
    /// From a system call's failure: `errno_value` is the positive errno
    /// (`errno` right after the call), code() its symbolic name ("ENOENT"),
    /// message() its description. Safe from any thread.
    [[nodiscard]] static Error from_errno(int errno_value, std::string operation);
    /// From a symbolic code chosen by the caller (protocol and DNS errors).
    Error(std::string code, std::string message, std::string operation);

    /// Stable symbolic name, e.g. "ECONNREFUSED", "ETIMEDOUT", "NXDOMAIN".
    const std::string& code() const noexcept { return code_; }
    /// A human description, e.g. "connection refused".
    const std::string& message() const noexcept { return message_; }
    /// What was being done: "connect", "bind", "read", "resolve"...
    const std::string& operation() const noexcept { return operation_; }
    /// The errno value (positive, e.g. ECONNREFUSED) when the error came from
    /// the operating system, else 0 (protocol and DNS errors, end of stream).
    int system_errno() const noexcept { return system_errno_; }

    /// "connect: connection refused (ECONNREFUSED)"
    std::string describe() const;

private:
    std::string code_;
    std::string message_;
    std::string operation_;
    int system_errno_ = 0;
};

/// Thrown by calls that fail synchronously (bind, listen, open...). what() is
/// error().describe(). Thrown on the calling thread; after a member function
/// throws, the object can still be destroyed safely.
class NETREACTOR_API SystemError : public std::runtime_error {
public:
    /// Wraps `error`; what() becomes error.describe().
    explicit SystemError(Error error);
    /// The error that was thrown.
    const Error& error() const noexcept { return error_; }

private:
    Error error_;
};

}  // namespace netreactor
