// `host`: this machine's name, what that name resolves to through the C
// library, and every network interface (getifaddrs).
#pragma once

#include <optional>
#include <string>

#include "json_output.hpp"
#include "netreactor/error.hpp"

namespace netinfo {

// gethostname(2).
std::string local_host_name();

struct HostAddresses {
    nrapp::json addresses = nrapp::json::array();  // [{"family","address"}], getaddrinfo order, no duplicates
    std::string canonical_name;
    std::optional<netreactor::Error> error;        // operation "getaddrinfo", code EAI_*
};

// getaddrinfo(name) for any family, as gethostbyname's modern form. It goes
// through NSS ("hosts:" in /etc/nsswitch.conf): /etc/hosts first on a usual
// system, DNS only when the files do not know the name.
HostAddresses resolve_with_libc(const std::string& name);

// [{"name","index","flags","internal","mac","addresses":[{"family","address",
// "netmask","prefix_length","broadcast"?,"scope_id"?}]}], in getifaddrs order.
// Throws SystemError when getifaddrs fails.
nrapp::json interfaces();

}  // namespace netinfo
