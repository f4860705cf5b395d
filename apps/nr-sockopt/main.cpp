// nr-sockopt: make a real TCP or UDP socket, show its options before and
// after setting the ones asked, and optionally bind it; or demonstrate what
// SO_REUSEADDR is for. Every value is what getsockopt(2) returns.
#include <climits>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "exit_status.hpp"
#include "netreactor/loop.hpp"
#include "reuse_demo.hpp"
#include "socket_options.hpp"
#include "sockopt_request.hpp"

namespace {

constexpr const char* kTool = "nr-sockopt";

constexpr const char* kTimeoutNote =
    "SO_RCVTIMEO/SO_SNDTIMEO bound only blocking recv/send calls. On a nonblocking socket (every netreactor "
    "socket) those calls never wait: they return EAGAIN at once and the options are never consulted; netreactor "
    "measures timeouts with Timer on the loop (TcpConnection::connect's timeout, receive/idle timers) instead.";

// A --flag/--no-flag pair as an optional<bool>: unset when neither is given.
std::optional<bool> flag_pair(CLI::Option* on, CLI::Option* off) {
    if (on->count() > 0) return true;
    if (off->count() > 0) return false;
    return std::nullopt;
}

CLI::Option* add_flag_pair(CLI::App& app, const std::string& name, const std::string& what, CLI::Option*& off) {
    const std::string set = "Set " + what;
    const std::string clear = "Clear " + what;
    CLI::Option* on = app.add_flag("--" + name, set)->disable_flag_override();
    off = app.add_flag("--no-" + name, clear)->disable_flag_override();
    nrapp::exclude_each_other(on, off);
    return on;
}

nrapp::json changed_options(const nrapp::json& before, const nrapp::json& after) {
    nrapp::json changed = nrapp::json::array();
    for (auto& [name, value] : after.items())
        if (before.value(name, nrapp::json()) != value) changed.push_back(name);
    return changed;
}

int show_options(nrapp::JsonOutput& out, const sockopt::SockoptRequest& request) {
    nrapp::json report = {{"proto", request.tcp ? "tcp" : "udp"},
                          {"family", request.family == AF_INET6 ? "ipv6" : "ipv4"},
                          {"requested", sockopt::requested_options(request)}};
    std::vector<std::string> applied;
    try {
        sockopt::Socket socket(request.family, request.tcp ? SOCK_STREAM : SOCK_DGRAM);
        report["before"] = sockopt::read_options(socket, request.tcp);
        sockopt::apply_options(socket, request, applied);
        if (request.bind) {
            auto bound = sockopt::bind_socket(socket, *request.bind);
            report["bound"] = {{"address", bound.ip()}, {"port", bound.port()}};
        }
        report["after"] = sockopt::read_options(socket, request.tcp);
    } catch (const netreactor::SystemError& e) {
        report["applied"] = applied;
        nrapp::report_error(out, kTool, e.error(), report);
        return nrapp::exit_local;
    }
    report["changed"] = changed_options(report["before"], report["after"]);
    report["limits"] = sockopt::buffer_limits();
    if (request.timeout) report["timeout_note"] = kTimeoutNote;
    out.emit(report);
    return nrapp::exit_ok;
}

int reuse_demo(nrapp::JsonOutput& out, const sockopt::ReuseDemoOptions& options) {
    try {
        auto result = sockopt::run_reuse_demo(options);
        out.emit(result.report);
        return result.as_expected ? nrapp::exit_ok : nrapp::exit_failed;
    } catch (const netreactor::SystemError& e) {
        nrapp::report_error(out, kTool, e.error(), {{"demo", "reuseaddr"}, {"address", options.address.to_string()}});
        return nrapp::exit_local;
    }
}

}  // namespace

int main(int argc, char** argv) {
    netreactor::ignore_sigpipe();
    nrapp::JsonOutput out;

    CLI::App app{"Create a TCP or UDP socket, show its options before and after setting them, bind it.", kTool};
    nrapp::describe_tool(app,
                         "  nr-sockopt                                   # every default of a TCP socket\n"
                         "  nr-sockopt --sndbuf 4096 --rcvbuf 4096       # what the kernel really applies\n"
                         "  nr-sockopt --proto udp --bind 127.0.0.1:0    # bind, report the port picked\n"
                         "  nr-sockopt -6 --proto udp                    # an IPv6 UDP socket's defaults\n"
                         "  nr-sockopt --nodelay --timeout 100 --nonblocking --reuseaddr --keepalive\n"
                         "  nr-sockopt reuse-demo                        # SO_REUSEADDR and TIME_WAIT\n");
    sockopt::RawRequest raw;
    bool pretty = false;
    std::string family_name;
    unsigned sndbuf = 0;
    unsigned rcvbuf = 0;
    double timeout = 0;
    std::string bind;
    nrapp::add_choice(app, "--proto", raw.proto, {"tcp", "udp"}, "tcp or udp");
    auto* family = nrapp::add_choice(app, "--family", family_name, {"ipv4", "ipv6"},
                                     "ipv4 or ipv6 (default: that of --bind, else ipv4)");
    nrapp::AddressFamily family_flags;
    nrapp::add_family(app, family_flags, "Same as --family ipv4", "Same as --family ipv6");
    for (const char* flag : {"--ipv4", "--ipv6"}) nrapp::exclude_each_other(app.get_option(flag), family);
    auto* sndbuf_option = nrapp::add_number(app, "--sndbuf", sndbuf, 0u, unsigned{INT_MAX},
                                            "SO_SNDBUF to ask for, bytes (Linux applies twice that, capped)");
    auto* rcvbuf_option = nrapp::add_number(app, "--rcvbuf", rcvbuf, 0u, unsigned{INT_MAX},
                                            "SO_RCVBUF to ask for, bytes (Linux applies twice that, capped)");
    auto* timeout_option = nrapp::add_timeout(app, timeout, "SO_RCVTIMEO and SO_SNDTIMEO, seconds (0: no limit); see the docs");
    CLI::Option *no_nodelay, *no_reuseaddr, *no_keepalive;
    CLI::Option* nodelay = add_flag_pair(app, "nodelay", "TCP_NODELAY (tcp)", no_nodelay);
    CLI::Option* reuseaddr = add_flag_pair(app, "reuseaddr", "SO_REUSEADDR", no_reuseaddr);
    CLI::Option* keepalive = add_flag_pair(app, "keepalive", "SO_KEEPALIVE (tcp)", no_keepalive);
    const std::string set_nonblocking = "Set O_NONBLOCK";
    const std::string clear_nonblocking = "Clear O_NONBLOCK";
    CLI::Option* nonblocking = app.add_flag("--nonblocking", set_nonblocking)->disable_flag_override();
    CLI::Option* blocking = app.add_flag("--blocking", clear_nonblocking)->disable_flag_override();
    nrapp::exclude_each_other(nonblocking, blocking);
    auto* bind_option = nrapp::add_text(app, "--bind", bind, "Bind to ADDR:PORT, [IPv6]:PORT or ADDR (port 0 picks one)")
                            ->type_name("ADDR[:PORT]");
    nrapp::add_pretty(app, pretty);
    app.fallthrough();

    CLI::App* demo = nrapp::add_subcommand(app, "reuse-demo", "Show what SO_REUSEADDR is for, with a port in TIME_WAIT");
    nrapp::Host demo_host = *nrapp::parse_numeric_host("127.0.0.1");
    std::uint16_t demo_port = 0;
    bool no_old_reuseaddr = false;
    nrapp::add_numeric_host(*demo, "--host", demo_host, "Local address for the demo listener");
    nrapp::add_port(*demo, demo_port, nrapp::PortUse::local, "Port (0 picks a free one)");
    nrapp::add_flag(*demo, "--no-old-reuseaddr", no_old_reuseaddr,
                    "First listener without SO_REUSEADDR (then Linux refuses both binds)");
    demo->footer("Example:\n  nr-sockopt reuse-demo --port 8282 --pretty");

    nrapp::parse_or_exit(app, argc, argv, out);
    out.set_pretty(pretty);

    if (demo->parsed()) {
        for (const auto* name : {"--sndbuf", "--rcvbuf", "--timeout", "--bind", "--nodelay", "--no-nodelay",
                                 "--reuseaddr", "--no-reuseaddr", "--keepalive", "--no-keepalive", "--nonblocking",
                                 "--blocking", "--family", "--ipv4", "--ipv6"})
            if (app.count(name) > 0) nrapp::usage_error(out, kTool, std::string(name) + " does not apply to reuse-demo");
        return reuse_demo(out, {*demo_host.address(demo_port), !no_old_reuseaddr});
    }

    raw.family = family_flags.ipv4 ? "ipv4" : family_flags.ipv6 ? "ipv6" : family_name;
    if (sndbuf_option->count() > 0) raw.sndbuf = sndbuf;
    if (rcvbuf_option->count() > 0) raw.rcvbuf = rcvbuf;
    if (timeout_option->count() > 0) raw.timeout = timeout;
    if (bind_option->count() > 0) raw.bind = bind;
    raw.nodelay = flag_pair(nodelay, no_nodelay);
    raw.reuseaddr = flag_pair(reuseaddr, no_reuseaddr);
    raw.keepalive = flag_pair(keepalive, no_keepalive);
    raw.nonblocking = flag_pair(nonblocking, blocking);
    auto checked = sockopt::check_request(raw);
    if (!checked.request) nrapp::usage_error(out, kTool, checked.error);
    return show_options(out, *checked.request);
}
