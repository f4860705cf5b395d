#include "netreactor/error.hpp"

#include <uv.h>

#include "uv_error.hpp"

namespace netreactor {

namespace {
// libuv's codes on Unix are -errno; its own codes (UV_EOF, UV_EAI_*...) lie
// below -4000, outside the errno range.
constexpr int kLargestErrno = 4000;
}  // namespace

Error Error::from_errno(int errno_value, std::string operation) {
    Error e;
    e.code_ = uv_code_name(-errno_value);
    e.message_ = uv_strerror(-errno_value);
    e.operation_ = std::move(operation);
    e.system_errno_ = errno_value > 0 && errno_value < kLargestErrno ? errno_value : 0;
    return e;
}

Error::Error(std::string code, std::string message, std::string operation)
    : code_(std::move(code)), message_(std::move(message)), operation_(std::move(operation)) {}

std::string Error::describe() const {
    std::string out = operation_.empty() ? std::string() : operation_ + ": ";
    out += message_;
    if (!code_.empty()) out += " (" + code_ + ")";
    return out;
}

SystemError::SystemError(Error error) : std::runtime_error(error.describe()), error_(std::move(error)) {}

Error uv_error(int uv_status, std::string operation) { return Error::from_errno(-uv_status, std::move(operation)); }

int check_uv(int uv_status, const char* operation) {
    if (uv_status < 0) throw SystemError(uv_error(uv_status, operation));
    return uv_status;
}

std::string uv_code_name(int uv_status) {
    char buf[64];
    return uv_err_name_r(uv_status, buf, sizeof buf);
}

}  // namespace netreactor
