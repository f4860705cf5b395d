// Where nr-echo-client connects: --host and --port made into an address.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <sys/socket.h>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"
#include "netreactor/loop.hpp"

namespace echo_client {

// `family` is AF_UNSPEC, AF_INET (-4) or AF_INET6 (-6).
//  - A numeric IPv4 or IPv6 address (brackets allowed) is used as is; one of
//    the other family than asked is a usage error (EUSAGE).
//  - "localhost" is 127.0.0.1, or ::1 with -6, without any query (RFC 6761;
//    /etc/hosts maps it so too).
//  - Any other name is looked up on `loop` (the hosts file, then DNS: the
//    system's servers or `dns_servers`); the first address found is used,
//    IPv4 first unless -6. A failure has operation "resolve".
std::variant<netreactor::SocketAddress, netreactor::Error> resolve_target(netreactor::Loop& loop,
                                                                          const std::string& host,
                                                                          std::uint16_t port, int family,
                                                                          const std::vector<std::string>& dns_servers);

}  // namespace echo_client
