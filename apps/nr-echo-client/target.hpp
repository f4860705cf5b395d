// Where nr-echo-client connects: --host and --port made into an address by
// the library's connect-by-name rules (netreactor::HostLookup and
// TcpConnector: literals with or without brackets and zones, the hosts file
// before DNS, "localhost" never asked of DNS, the same errors).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <sys/socket.h>

#include "netreactor/address.hpp"
#include "netreactor/error.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/tcp_connector.hpp"

namespace echo_client {

// A numeric --host of the other family than -4/-6 asked: a usage error
// (EUSAGE), found before anything is started. Nullopt when it fits.
std::optional<netreactor::Error> family_mismatch(const std::string& host, int family);

// The options of a TCP exchange's connect race: `family` (AF_UNSPEC, AF_INET
// for -4, AF_INET6 for -6), DNS servers, and --timeout as one deadline over
// the whole race, name lookup and every attempt included (nr-fetch's
// --connect-timeout means the same), not a limit per attempt: attempts
// overlap, so N silent addresses would otherwise cost about N x 250 ms more.
netreactor::ConnectOptions connect_options(int family, std::chrono::milliseconds timeout,
                                           const std::vector<std::string>& dns_servers);

// One address for UDP and load mode, which cannot race: the host's addresses
// (HostLookup, run on `loop`), then the first IPv4 one unless -6 (the echo
// server listens on 127.0.0.1 by default), else the first. The lookup is the
// start of the connect phase, so --timeout (`timeout`, 0: none) bounds it too.
// A failure has operation "resolve" (EUSAGE "arguments" for a malformed
// --dns-server; ETIMEDOUT "no address for HOST within --timeout S").
std::variant<netreactor::SocketAddress, netreactor::Error> resolve_target(netreactor::Loop& loop,
                                                                          const std::string& host,
                                                                          std::uint16_t port, int family,
                                                                          std::chrono::milliseconds timeout,
                                                                          const std::vector<std::string>& dns_servers);

}  // namespace echo_client
