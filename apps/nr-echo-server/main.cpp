// nr-echo-server: a TCP and UDP echo server on the netreactor loop.
#include <csignal>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "cli.hpp"
#include "duration.hpp"
#include "echo_worker.hpp"
#include "exit_status.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/signal_watcher.hpp"
#include "netreactor/timer.hpp"
#include "port_claim.hpp"

namespace {

constexpr const char* kTool = "nr-echo-server";

nrapp::json listening_event(const char* proto, const netreactor::SocketAddress& address, const nrapp::Host& asked,
                            unsigned workers) {
    return {{"event", "listening"}, {"proto", proto}, {"address", nrapp::listening_ip(address, asked)},
            {"port", address.port()},
            {"workers", workers}};
}

// The limits that protect the server from peers that do not read. Kept
// apart from the other options so the common option layer can move the
// rest without touching these.
struct PeerLimitOptions {
    double stall_timeout = 0;
    CLI::Option* stall_timeout_option = nullptr;
};

void add_peer_limit_options(CLI::App& app, echo::EchoConfig& config, PeerLimitOptions& limits) {
    limits.stall_timeout_option = nrapp::add_seconds(
        app, "--stall-timeout", limits.stall_timeout,
        "Close a peer whose queued echo makes no progress this long (seconds; 0: never; default: --idle-timeout)");
    nrapp::add_number(app, "--max-queued", config.max_queued, std::size_t{0}, std::size_t{1} << 40,
                      "Stop reading peers that hold unsent echo once all connections together queue this many "
                      "bytes (0: no limit)");
}

void apply_peer_limit_options(echo::EchoConfig& config, const PeerLimitOptions& limits) {
    // A peer that neither sends nor reads its echo is idle too: by default it
    // gets the same time as one that is silent.
    config.stall_timeout = limits.stall_timeout_option->count() > 0 ? nrapp::seconds_to_ms(limits.stall_timeout)
                                                                    : config.idle_timeout;
}

}  // namespace

int main(int argc, char** argv) {
    netreactor::ignore_sigpipe();
    nrapp::JsonOutput out;

    CLI::App app{"Echo every byte back to TCP and UDP peers, many at once.", kTool};
    nrapp::describe_tool(app,
                         "  nr-echo-server                          # 127.0.0.1:9900, TCP and UDP\n"
                         "  nr-echo-server --host :: --port 0       # dual stack, any free port\n"
                         "  nr-echo-server --proto tcp --workers 2 --log-connections | jq .\n");
    nrapp::Host host = *nrapp::parse_numeric_host("127.0.0.1");
    std::uint16_t port = 9900;
    std::string proto = "tcp,udp";
    double idle_timeout = 0;
    double drain_timeout = 5;
    bool pretty = false;
    echo::EchoConfig config;
    unsigned backlog = static_cast<unsigned>(config.backlog);
    nrapp::add_numeric_host(app, "--host", host, "Address to listen on (:: for dual stack)");
    nrapp::add_port(app, port, nrapp::PortUse::local, "Port; 0 picks a free one");
    nrapp::add_choice(app, "--proto", proto, {"tcp", "udp", "tcp,udp", "udp,tcp"}, "tcp, udp or both");
    nrapp::add_number(app, "--backlog", backlog, 1u, 65535u, "Listen backlog");
    nrapp::add_number(app, "--workers", config.workers, 1u, 256u,
                      "Loops on their own threads, sharing the port (SO_REUSEPORT)");
    nrapp::add_number(app, "--max-connections", config.max_connections, std::size_t{0}, std::size_t{100000000},
                      "Refuse connections beyond this many (0: no limit)");
    nrapp::add_seconds(app, "--idle-timeout", idle_timeout, "Close a connection silent this long (seconds; 0: never)");
    nrapp::add_seconds(app, "--drain-timeout", drain_timeout,
                       "On SIGINT/SIGTERM/SIGHUP, wait this long for echoes to drain (seconds; 0: no limit)");
    nrapp::add_number(app, "--high-water", config.high_water_mark, std::size_t{1}, std::size_t{1} << 31,
                      "Stop reading a peer whose unsent echo exceeds this (bytes)");
    PeerLimitOptions peer_limits;
    add_peer_limit_options(app, config, peer_limits);
    nrapp::add_flag(app, "--log-connections", config.log_connections, "Print accepted/closed events");
    nrapp::add_pretty(app, pretty);
    nrapp::parse_or_exit(app, argc, argv, out);
    out.set_pretty(pretty);
    config.backlog = static_cast<int>(backlog);

    config.tcp = proto.find("tcp") != std::string::npos;
    config.udp = proto.find("udp") != std::string::npos;
    config.idle_timeout = nrapp::seconds_to_ms(idle_timeout);
    config.drain_timeout = nrapp::seconds_to_ms(drain_timeout);
    apply_peer_limit_options(config, peer_limits);
    auto address = host.address(port);

    std::vector<std::unique_ptr<echo::EchoWorker>> workers;
    for (unsigned i = 0; i < config.workers; ++i) workers.push_back(std::make_unique<echo::EchoWorker>(config, out));
    // SIGHUP is treated like SIGTERM: a server that loses its terminal ends
    // cleanly with its summary instead of dying silently. Watched before the
    // "listening" events: a supervisor that signals as soon as it reads them
    // must get the drain and the summary, not the default action.
    std::string stop_signal;
    auto on_stop = [&](int signum) {
        if (stop_signal.empty()) stop_signal = sigabbrev_np(signum) ? std::string("SIG") + sigabbrev_np(signum) : "?";
        for (auto& worker : workers) worker->request_drain();
    };
    netreactor::SignalWatcher sigint(workers[0]->loop(), SIGINT, on_stop);
    netreactor::SignalWatcher sigterm(workers[0]->loop(), SIGTERM, on_stop);
    netreactor::SignalWatcher sighup(workers[0]->loop(), SIGHUP, on_stop);

    bool reuse_port = config.workers > 1;
    try {
        // The first worker fixes the port (a free one if 0 was asked); UDP
        // takes the same number as TCP, and the other workers share both.
        // SO_REUSEPORT would as well let us join another server's group on
        // that port: first make sure nobody holds it (port_claim.hpp).
        netreactor::SocketAddress base = reuse_port ? echo::claim_port_alone(*address, config.tcp, config.udp) : *address;
        netreactor::SocketAddress tcp_address = base;
        netreactor::SocketAddress udp_address = base;
        workers[0]->bind(tcp_address, config.tcp ? netreactor::SocketAddress() : udp_address, reuse_port);
        if (config.tcp) {
            tcp_address = workers[0]->tcp_address();
            udp_address.set_port(tcp_address.port());
        }
        if (config.tcp && config.udp) workers[0]->bind_udp(udp_address, reuse_port);
        if (config.udp) udp_address = workers[0]->udp_address();
        for (unsigned i = 1; i < config.workers; ++i) workers[i]->bind(tcp_address, udp_address, reuse_port);
        // Losing the reader of our events (`| head -c 10`) ends the server
        // like a signal: peers mid-echo get their whole echo. Nothing is said
        // on stderr (a reader that leaves made its choice, as with every tool
        // under `| head`); the summary is lost with stdout. Set before any
        // worker thread runs.
        out.on_reader_gone([&] {
            for (auto& worker : workers) worker->request_drain();
        });
        if (config.tcp) out.emit(listening_event("tcp", tcp_address, host, config.workers));
        if (config.udp) out.emit(listening_event("udp", udp_address, host, config.workers));
    } catch (const netreactor::SystemError& e) {
        // "nr-echo-server: 127.0.0.1:9950: bind: ...": the server it is about.
        nrapp::report_error(out, kTool, e.error(), {{"address", host.text}, {"port", port}});
        return nrapp::exit_status_for(e.error());
    }


    std::uint64_t started_ns = netreactor::monotonic_ns();
    for (unsigned i = 1; i < config.workers; ++i) workers[i]->run_in_thread();
    workers[0]->run();
    echo::EchoTotals totals;
    for (auto& worker : workers) {
        worker->join();
        totals += worker->totals();
    }
    out.emit({{"event", "shutdown"},
              {"signal", stop_signal},
              {"connections", totals.connections},
              {"rejected", totals.rejected},
              {"idle_closed", totals.idle_closed},
              {"stall_closed", totals.stall_closed},
              {"queue_limit_pauses", totals.queue_limit_pauses},
              {"errors", totals.errors},
              {"accept_errors", totals.accept_errors},
              {"forced_closed", totals.forced_closed},
              {"bytes_in", totals.bytes_in},
              {"bytes_out", totals.bytes_out},
              {"bytes_discarded", totals.bytes_discarded},
              {"bytes_dropped", totals.bytes_dropped},
              {"datagrams", totals.datagrams},
              {"datagram_bytes", totals.datagram_bytes},
              {"uptime_s", static_cast<double>(netreactor::monotonic_ns() - started_ns) / 1e9}});  // dropped if stdout is gone
    return nrapp::exit_ok;
}
