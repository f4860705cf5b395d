// Internal: the errors lookups end with (the public half, DnsStatus and its
// names, is in netreactor/resolver.hpp).
#pragma once

#include <string>
#include <string_view>

#include "netreactor/error.hpp"
#include "netreactor/resolver.hpp"

namespace netreactor {

// The Error of a lookup that ended with `status` (operation "resolve"); its
// code is error_code(status) unless `code` says otherwise.
Error lookup_error(DnsStatus status, std::string message, std::string_view code = {});

// The status of a c-ares failure (no answer to decode).
DnsStatus status_from_ares(int ares_status);

// What a c-ares failure means, in words.
std::string ares_failure_message(DnsStatus status, int ares_status);

}  // namespace netreactor
