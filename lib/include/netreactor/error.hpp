// netreactor: one error model for the whole library.
//
// Every failure, synchronous or asynchronous, is described by an Error: the
// symbolic code name (the libuv/errno name such as "ECONNREFUSED", or a c-ares
// or protocol name such as "NXDOMAIN"), a human message, and the operation that
// failed ("connect", "bind", "read"...). Setup calls throw SystemError; async
// completions hand an Error to the callback. Nothing is reported twice.
#pragma once

#include <stdexcept>
#include <string>

namespace netreactor {

class Error {
public:
    Error() = default;
    // From a libuv status code (negative errno on Unix).
    static Error from_uv(int uv_status, std::string operation);
    // From a symbolic code chosen by the caller (protocol and DNS errors).
    Error(std::string code, std::string message, std::string operation);

    // Stable symbolic name, e.g. "ECONNREFUSED", "ETIMEDOUT", "NXDOMAIN".
    const std::string& code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }
    const std::string& operation() const noexcept { return operation_; }
    // The libuv status (negative errno) when the error came from libuv, else 0.
    int uv_status() const noexcept { return uv_status_; }

    // "connect: connection refused (ECONNREFUSED)"
    std::string describe() const;

private:
    std::string code_;
    std::string message_;
    std::string operation_;
    int uv_status_ = 0;
};

// Thrown by calls that fail synchronously (bind, listen, open...).
class SystemError : public std::runtime_error {
public:
    explicit SystemError(Error error);
    const Error& error() const noexcept { return error_; }

private:
    Error error_;
};

// Throws SystemError when uv_status is negative; returns it otherwise.
int check_uv(int uv_status, const char* operation);

// The symbolic name of a libuv status ("EADDRINUSE").
std::string uv_code_name(int uv_status);

}  // namespace netreactor
