#include "netreactor/error.hpp"

#include <uv.h>

namespace netreactor {

Error Error::from_uv(int uv_status, std::string operation) {
    Error e;
    e.code_ = uv_code_name(uv_status);
    e.message_ = uv_strerror(uv_status);
    e.operation_ = std::move(operation);
    e.uv_status_ = uv_status;
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

int check_uv(int uv_status, const char* operation) {
    if (uv_status < 0) throw SystemError(Error::from_uv(uv_status, operation));
    return uv_status;
}

std::string uv_code_name(int uv_status) {
    char buf[64];
    return uv_err_name_r(uv_status, buf, sizeof buf);
}

}  // namespace netreactor
