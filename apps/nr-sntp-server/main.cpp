// nr-sntp-server: a small SNTP responder on the reactor for labs and
// hermetic tests. It serves the system clock and never sets it.
#include <csignal>
#include <cstring>
#include <string>

#include "cli.hpp"
#include "exit_status.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/signal_watcher.hpp"
#include "sntp_responder.hpp"

namespace {

constexpr const char* kTool = "nr-sntp-server";

}  // namespace

int main(int argc, char** argv) {
    netreactor::ignore_sigpipe();
    nrapp::JsonOutput out;

    CLI::App app{"Answer SNTP requests from the system clock (never setting it); for labs and hermetic tests.", kTool};
    nrapp::describe_tool(app,
                         "  nr-sntp-server --port 12300                   # 127.0.0.1:12300, stratum 1, LOCL\n"
                         "  nr-sntp-server --host ::1 --port 0 --stratum 3 --ref-id 192.0.2.1\n"
                         "  nr-sntp-server --port 12300 --stratum 0 --ref-id RATE   # a kiss-o'-death server\n");
    nrapp::Host host = *nrapp::parse_numeric_host("127.0.0.1");
    std::uint16_t port = 123;
    unsigned stratum = 1;
    unsigned leap = 0;
    std::string ref_id_text;
    bool pretty = false;
    nrapp::add_numeric_host(app, "--host", host, "Address to listen on (:: for dual stack)");
    nrapp::add_port(app, port, nrapp::PortUse::local, "UDP port; 0 picks a free one");
    nrapp::add_number(app, "--stratum", stratum, 0u, 16u, "Stratum to announce (0 sends kiss-o'-death, 16 unsynchronized)");
    CLI::Option* ref_id_option =
        nrapp::add_text(app, "--ref-id", ref_id_text,
                        "Reference id: 1-4 printable ASCII characters (no space), a dotted IPv4 address or "
                        "0x and 1-8 hex digits (default: LOCL for stratum 0-1, 127.127.1.1 above)");
    nrapp::add_number(app, "--leap", leap, 0u, 3u, "Leap indicator to announce (3: unsynchronized)");
    nrapp::add_pretty(app, pretty);
    nrapp::parse_or_exit(app, argc, argv, out);
    out.set_pretty(pretty);

    sntps::ResponderConfig config;
    config.stratum = static_cast<std::uint8_t>(stratum);
    config.leap = static_cast<std::uint8_t>(leap);
    // Only an absent --ref-id gets the default: `--ref-id ""` is an error.
    if (ref_id_option->count() == 0) ref_id_text = stratum <= 1 ? "LOCL" : "127.127.1.1";
    auto ref_id = sntp::parse_ref_id(ref_id_text);
    if (!ref_id)
        nrapp::usage_error(out, kTool,
                           "--ref-id is not 1-4 printable ASCII characters, a dotted IPv4 address or 0x and "
                           "1-8 hex digits: '" + ref_id_text + "'");
    config.ref_id = *ref_id;
    auto address = host.address(port);

    netreactor::Loop loop;
    sntps::SntpResponder responder(loop, config);
    try {
        responder.bind(*address);
    } catch (const netreactor::SystemError& e) {
        // "nr-sntp-server: 127.0.0.1:123: bind: ...": report_error names the server.
        nrapp::report_error(out, kTool, e.error(), {{"address", host.text}, {"port", port}});
        return nrapp::exit_status_for(e.error());
    }
    auto bound = responder.local_address();
    out.emit({{"event", "listening"},
              {"proto", "udp"},
              {"address", nrapp::listening_ip(bound, host)},
              {"port", bound.port()},
              {"stratum", config.stratum},
              {"ref_id", sntp::ref_id_text(config.ref_id, config.stratum)},
              {"ref_id_hex", sntp::ref_id_hex(config.ref_id)},
              {"leap", config.leap},
              {"precision", sntps::clock_precision()}});

    std::string stop_signal;
    auto on_stop = [&](int signum) {
        if (stop_signal.empty()) stop_signal = sigabbrev_np(signum) ? std::string("SIG") + sigabbrev_np(signum) : "?";
        responder.close();  // nothing else keeps the loop running
    };
    netreactor::SignalWatcher sigint(loop, SIGINT, on_stop);
    netreactor::SignalWatcher sigterm(loop, SIGTERM, on_stop);
    netreactor::SignalWatcher sighup(loop, SIGHUP, on_stop);

    std::uint64_t started_ns = netreactor::monotonic_ns();
    loop.run();
    const auto& totals = responder.totals();
    out.emit({{"event", "shutdown"},
              {"signal", stop_signal},
              {"requests", totals.requests},
              {"answered", totals.answered},
              {"ignored", totals.ignored},
              {"uptime_s", static_cast<double>(netreactor::monotonic_ns() - started_ns) / 1e9}});
    return nrapp::exit_ok;
}
