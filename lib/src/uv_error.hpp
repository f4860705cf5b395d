// Internal: turning libuv status codes into netreactor::Error. Never installed:
// a libuv status is an implementation detail; programs use Error::from_errno.
#pragma once

#include <string>

#include "netreactor/error.hpp"

namespace netreactor {

/// The Error for a libuv status (negative errno on Unix, or a libuv-only
/// code such as UV_EOF): code() its symbolic name, message() libuv's text.
Error uv_error(int uv_status, std::string operation);

/// Throws SystemError when uv_status is negative; returns it otherwise.
int check_uv(int uv_status, const char* operation);

/// The symbolic name of a libuv status ("EADDRINUSE"). Safe from any thread.
std::string uv_code_name(int uv_status);

}  // namespace netreactor
