// Makes sure a port shared by our workers (SO_REUSEPORT) is not already
// someone else's: a reuseport group would otherwise silently take in a second
// server started on the same port.
#pragma once

#include "netreactor/address.hpp"

namespace echo {

/// Binds `address` for TCP and/or UDP *without* SO_REUSEPORT, then releases it:
/// the kernel refuses such a bind while any socket holds the port, including
/// a reuseport group of another server. Returns `address` with its port fixed
/// (a free one for both protocols when it is 0). Throws netreactor::SystemError
/// (EADDRINUSE, EADDRNOTAVAIL...) like a listener would.
///
/// Limits: between the probe and the workers' own binds another process could
/// take the port; and a foreign process that sets SO_REUSEPORT itself, under
/// the same user, can still join our group after we bound (the kernel allows
/// it by design). Neither happens by accident.
netreactor::SocketAddress claim_port_alone(const netreactor::SocketAddress& address, bool tcp, bool udp);

}  // namespace echo
