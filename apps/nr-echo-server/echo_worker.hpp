// One loop on one thread with its own TCP and UDP echo services.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include "echo_config.hpp"
#include "json_output.hpp"
#include "netreactor/loop.hpp"
#include "tcp_echo_service.hpp"
#include "udp_echo_service.hpp"

namespace echo {

class EchoWorker {
public:
    EchoWorker(const EchoConfig& config, nrapp::JsonOutput& out);
    ~EchoWorker();

    // Binds the listeners (throws netreactor::SystemError). `address` carries
    // the port to use; reuse_port lets the other workers share it.
    // An empty address skips that protocol.
    void bind(const netreactor::SocketAddress& tcp_address, const netreactor::SocketAddress& udp_address,
              bool reuse_port);
    void bind_udp(const netreactor::SocketAddress& address, bool reuse_port) { udp_.bind(address, reuse_port); }
    netreactor::SocketAddress tcp_address() const { return tcp_.local_address(); }
    netreactor::SocketAddress udp_address() const { return udp_.local_address(); }

    netreactor::Loop& loop() noexcept { return loop_; }
    // Runs the loop on a new thread (workers 2..N); worker 1 runs on main.
    void run_in_thread();
    void run() { loop_.run(); }
    void join();

    // Thread-safe: stop accepting, drain, then let the loop end.
    void request_drain();

    const EchoTotals& totals() const noexcept { return totals_; }

private:
    const EchoConfig& config_;
    netreactor::Loop loop_;
    EchoTotals totals_;
    TcpEchoService tcp_;
    UdpEchoService udp_;
    std::thread thread_;
    bool drain_started_ = false;
};

}  // namespace echo
