// nr-echo-client: sends a message to an echo server and checks every byte of
// the echo; with --connections/--duration/--pipeline, a load generator.
#include <sys/resource.h>

#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "cli.hpp"
#include "duration.hpp"
#include "exchange.hpp"
#include "exit_status.hpp"
#include "load.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "report.hpp"
#include "target.hpp"

namespace {

constexpr const char* kTool = "nr-echo-client";

// Load mode needs a descriptor per connection: raise the soft limit as far as
// the hard one allows.
void raise_descriptor_limit(std::size_t wanted) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
    limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min<rlim_t>(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace

int main(int argc, char** argv) {
    netreactor::ignore_sigpipe();
    nrapp::JsonOutput out;
    echo_client::ClientOptions options;

    CLI::App app{"Send a message to an echo server and check every byte that comes back; "
                 "with --connections, --duration, --pipeline or --warmup, drive it as a load generator.",
                 kTool};
    nrapp::describe_tool(app,
                         "  nr-echo-client                               # the seed's message to localhost:9900\n"
                         "  nr-echo-client --size 16777216 --port 9901   # 16 MiB of random bytes\n"
                         "  nr-echo-client --proto udp --host ::1 --count 3\n"
                         "  nr-echo-client --connections 100 --duration 2 --size 64 --pipeline 16 | jq .\n"
                         "  nr-echo-client --connections 100 --warmup 1 --duration 5   # 1 s of load not counted\n");
    std::optional<nrapp::Endpoint> server;
    std::uint16_t port = 9900;
    nrapp::AddressFamily address_family;
    bool udp = false;
    bool pretty = false;
    double timeout = 5;
    std::vector<std::string> dns_servers;
    double duration = 5;
    double warmup = 0;
    nrapp::add_endpoint(app, "--host", server, nrapp::PortUse::peer,
                        "Server: a name, a numeric IPv4/IPv6 address, HOST:PORT or [IPv6]:PORT")
        ->default_str(options.host);
    auto* port_option = nrapp::add_port(app, port, nrapp::PortUse::peer, "Server port, when --host has none");
    nrapp::add_family(app, address_family, "Use IPv4 (localhost is 127.0.0.1, the default)", "Use IPv6 (localhost is ::1)");
    nrapp::add_dns_servers(app, "--dns-server", dns_servers,
                           "DNS server IP[:PORT] for --host names, instead of the system's "
                           "(repeatable; localhost never asks DNS)");
    std::string proto = "tcp";
    auto* proto_option = nrapp::add_choice(app, "--proto", proto, {"tcp", "udp"},
                                           "tcp or udp (one datagram per message), as nr-echo-server's --proto");
    auto* udp_option = nrapp::add_flag(app, "--udp", udp, "Same as --proto udp");
    nrapp::exclude_each_other(proto_option, udp_option);
    auto* message = nrapp::add_text(app, "--message", options.message, "The text to send");
    auto* size = nrapp::add_number(app, "--size", options.size, std::size_t{1}, std::size_t{1} << 30,
                                   "Send N random bytes instead of the message");
    nrapp::exclude_each_other(message, size);
    nrapp::add_number(app, "--seed", options.seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max(),
                      "Seed of the random payload (0, the default: a random seed)");
    auto* count = nrapp::add_number(app, "--count", options.count, std::uint64_t{1}, std::uint64_t{1} << 62,
                                    "Round trips, one after the other (load mode: messages per connection)");
    nrapp::add_timeout(app, timeout,
                       "Limit of the whole connect phase (name lookup and every address tried) and of "
                       "each echo, seconds (0: no limit)");
    auto* connections = nrapp::add_number(app, "--connections", options.connections, std::size_t{1},
                                          std::size_t{1000000}, "Load mode: connections (UDP: sockets)");
    auto* duration_option = nrapp::add_seconds(app, "--duration", duration, "Load mode: seconds to run");
    auto* pipeline = nrapp::add_number(app, "--pipeline", options.pipeline, std::size_t{1}, std::size_t{4096},
                                       "Load mode: messages in flight per connection");
    auto* warmup_option = nrapp::add_seconds(app, "--warmup", warmup,
                                             "Load mode: seconds of load before --duration, not counted "
                                             "(as iperf3's --omit)");
    nrapp::add_pretty(app, pretty);
    nrapp::parse_or_exit(app, argc, argv, out);
    out.set_pretty(pretty);

    if (server) {
        if (server->port && port_option->count() > 0)
            nrapp::usage_error(out, kTool, "the port is given twice: in --host and with --port");
        if (auto why = nrapp::family_mismatch(server->host, address_family.value()); !why.empty())
            nrapp::usage_error(out, kTool, why);
        options.host = server->host.text;
        port = server->port.value_or(port);
    }
    udp = udp || proto == "udp";
    options.proto = udp ? echo_client::Proto::udp : echo_client::Proto::tcp;
    options.timeout = nrapp::seconds_to_ms(timeout);
    options.load = connections->count() + duration_option->count() + pipeline->count() + warmup_option->count() > 0;
    options.duration = nrapp::seconds_to_ms(duration);
    options.warmup = nrapp::seconds_to_ms(warmup);
    if (options.load && count->count() == 0) options.count = 0;  // no per-connection limit
    if (options.load && options.duration.count() == 0 && options.count == 0)
        nrapp::usage_error(out, kTool, "load mode needs --duration > 0 or --count");
    options.random_payload = options.size > 0;
    if (options.random_payload && options.seed == 0) options.seed = std::random_device{}() | 1u;
    std::string text = options.random_payload ? echo_client::Payload::random_message(options.size, options.seed)
                                              : options.message;
    options.size = text.size();
    if (udp && text.size() > echo_client::kMaxDatagram)
        nrapp::usage_error(out, kTool, "a UDP message holds at most " + std::to_string(echo_client::kMaxDatagram) + " bytes");
    if (options.load && text.size() * (options.pipeline + 1) > (std::size_t{1} << 30))
        nrapp::usage_error(out, kTool, "--size x --pipeline must stay under 1 GiB");

    netreactor::Loop loop;
    const int family = address_family.value();
    if (auto mismatch = echo_client::family_mismatch(options.host, family)) {
        nrapp::report_error(out, kTool, *mismatch, {{"host", options.host}});
        return nrapp::exit_status_for(*mismatch);
    }
    if (!options.load && !udp) {
        // One TCP exchange: the host's addresses race (RFC 8305); the winner is the server.
        // Only the port matters until the race names the server.
        options.server = *netreactor::SocketAddress::parse("0.0.0.0", port);
        echo_client::Payload payload(text, 1, false);
        auto result = echo_client::run_exchange(loop, options, payload, !options.random_payload,
                                                echo_client::connect_options(family, options.timeout, dns_servers));
        if (result.resolve_failed) {
            nrapp::report_error(out, kTool, *result.error, {{"host", options.host}});
            return nrapp::exit_status_for(*result.error);
        }
        options.server = result.server;
        return echo_client::report_exchange(out, options, result);
    }
    options.connect_started_ns = netreactor::monotonic_ns();
    auto target = echo_client::resolve_target(loop, options.host, port, family, options.timeout, dns_servers);
    if (auto* error = std::get_if<netreactor::Error>(&target)) {
        nrapp::report_error(out, kTool, *error, {{"host", options.host}});
        return nrapp::exit_status_for(*error);
    }
    options.server = std::get<netreactor::SocketAddress>(target);

    if (!options.load) {
        echo_client::Payload payload(text, 1, false);
        auto result = echo_client::run_exchange(loop, options, payload, !options.random_payload);
        return echo_client::report_exchange(out, options, result);
    }
    raise_descriptor_limit(options.connections + 64);
    echo_client::Payload payload(text, options.pipeline, true);
    auto result = std::make_unique<echo_client::LoadResult>();
    echo_client::run_load(loop, options, payload, *result);
    return echo_client::report_load(out, options, *result);
}
