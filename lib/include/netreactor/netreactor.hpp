/// @file
/// @brief The whole callback API of netreactor in one include (the coroutine
/// layer is separate: netreactor/co/*.hpp).
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include "netreactor/address.hpp"
#include "netreactor/dns_record.hpp"
#include "netreactor/error.hpp"
#include "netreactor/host_lookup.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/resolver.hpp"
#include "netreactor/signal_watcher.hpp"
#include "netreactor/tcp_connection.hpp"
#include "netreactor/tcp_connector.hpp"
#include "netreactor/tcp_listener.hpp"
#include "netreactor/timer.hpp"
#include "netreactor/udp_socket.hpp"
#include "netreactor/version.hpp"
