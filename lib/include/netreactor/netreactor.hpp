// netreactor: the whole public API in one include.
#pragma once

#include "netreactor/address.hpp"
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
