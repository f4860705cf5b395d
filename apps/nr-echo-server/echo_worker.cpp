#include "echo_worker.hpp"

namespace echo {

EchoWorker::EchoWorker(const EchoConfig& config, nrapp::JsonOutput& out)
    : config_(config), tcp_(loop_, config, totals_, out), udp_(loop_, totals_) {}

EchoWorker::~EchoWorker() { join(); }

void EchoWorker::bind(const netreactor::SocketAddress& tcp_address, const netreactor::SocketAddress& udp_address,
                      bool reuse_port) {
    if (config_.tcp && !tcp_address.empty()) tcp_.listen(tcp_address, reuse_port);
    if (config_.udp && !udp_address.empty()) udp_.bind(udp_address, reuse_port);
}

void EchoWorker::run_in_thread() {
    thread_ = std::thread([this] { loop_.run(); });
}

void EchoWorker::join() {
    if (thread_.joinable()) thread_.join();
}

void EchoWorker::request_drain() {
    loop_.post([this] {
        if (drain_started_) return;
        drain_started_ = true;
        udp_.close();
        tcp_.drain([this] { loop_.stop(); });
    });
}

}  // namespace echo
