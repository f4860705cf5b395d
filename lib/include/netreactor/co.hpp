/// @file
/// @brief netreactor::co: the coroutine layer in one include.
///
/// Straight-line network code with C++20 `co_await` on the same Loop as the
/// callback API, with no allocation per awaited read or write (the awaiters
/// live in the coroutine frame). Start with co::Task and co::spawn
/// (task.hpp), then co::TcpStream and co::connect (tcp_stream.hpp),
/// co::TcpAcceptor, co::UdpSocket, co::lookup / co::query (resolve.hpp),
/// co::sleep, co::with_timeout, co::race and co::when_all. Cancellation and its rules are in stop.hpp.
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include "netreactor/co/race.hpp"
#include "netreactor/co/resolve.hpp"
#include "netreactor/co/run.hpp"
#include "netreactor/co/sleep.hpp"
#include "netreactor/co/stop.hpp"
#include "netreactor/co/task.hpp"
#include "netreactor/co/task_group.hpp"
#include "netreactor/co/tcp_acceptor.hpp"
#include "netreactor/co/tcp_stream.hpp"
#include "netreactor/co/timeout.hpp"
#include "netreactor/co/udp_socket.hpp"
