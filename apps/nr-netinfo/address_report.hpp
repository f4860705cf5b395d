// `ipv4` and `ip`: one JSON object per input address.
#pragma once

#include <string_view>

#include "entry.hpp"
#include "ipv4_parse.hpp"
#include "json_output.hpp"

namespace netinfo {

// The dotted form, packed bytes, integer values and flags of an IPv4 input,
// or {"input", "error"} when it does not parse.
nrapp::json ipv4_report(std::string_view input, Ipv4Syntax syntax);

// An IPv6 or IPv4 address as inet_pton(3) reads it, with an RFC 4007 zone on
// IPv6 ("fe80::1%eth0"): nrapp::parse_ip_literal's rules, nothing looser.
nrapp::json ip_report(std::string_view input);

}  // namespace netinfo
