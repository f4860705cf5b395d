// nr-sntp: ask SNTP servers for the time (RFC 4330) and print every field of
// each answer as JSON, checked the way the RFC asks: a random nonce as the
// transmit timestamp, only replies from the asked address that echo it,
// kiss-o'-death and unsynchronized servers reported as such, NTP eras resolved.
#include <string>
#include <vector>

#include "cli.hpp"
#include "duration.hpp"
#include "client_config.hpp"
#include "exit_status.hpp"
#include "netreactor/address.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "report.hpp"
#include "sntp_client.hpp"

namespace {

constexpr const char* kTool = "nr-sntp";
constexpr const char* kDefaultServer = "pool.ntp.org";

}  // namespace

int main(int argc, char** argv) {
    netreactor::ignore_sigpipe();
    nrapp::JsonOutput out;

    CLI::App app{"Ask SNTP servers for the time; print each answer (all header fields, the four timestamps, "
                 "offset, delay) as JSON.",
                 kTool};
    nrapp::describe_tool(app,
                         "  nr-sntp                                  # pool.ntp.org, every address it has\n"
                         "  nr-sntp 127.0.0.1:12300 --format text    # Thu Mar  5 14:02:58 2012\n"
                         "  nr-sntp --host 127.0.0.1 --port 12300     # the same server, as other tools name it\n"
                         "  nr-sntp '[::1]:12300' --count 4 --interval 0.5 | jq 'select(.type==\"summary\")'\n"
                         "  nr-sntp -6 time.example --dns-server 127.0.0.1:5353 --timeout 1\n");
    std::vector<std::string> servers;
    std::uint16_t port = 123;
    nrapp::AddressFamily family;
    double timeout = 5;
    double interval = 2;
    std::string format = "json";
    bool pretty = false;
    sntpc::ClientConfig config;
    app.add_option("servers", servers, "SERVER[:PORT] or [IPv6]:PORT (default: " + std::string(kDefaultServer) + ")")
        ->type_name("SERVER");
    std::vector<std::string> hosts;
    app.add_option("--host", hosts, "A server, as the SERVER argument (repeatable)")
        ->type_name("HOST[:PORT]")->allow_extra_args(false);
    nrapp::add_port(app, port, nrapp::PortUse::peer, "Port for servers given without one");
    nrapp::add_family(app, family, "Resolve names to IPv4 addresses only", "Resolve names to IPv6 addresses only");
    nrapp::add_timeout(app, timeout, "Wait this long for each answer (seconds; 0: no limit)");
    // --count as in nr-echo-client (and ping): exchanges with each peer, one
    // after the other. --samples, the name of the output's fields, stays.
    nrapp::add_number(app, "--count,--samples", config.samples, 1u, 1000u,
                      "Queries per address, one after the other; then a summary picks the lowest delay");
    nrapp::add_seconds(app, "--interval", interval, "Pause between the samples of one address (seconds)");
    nrapp::add_dns_servers(app, "--dns-server", config.dns_servers,
                           "DNS server IP[:PORT] instead of the system's (repeatable)");
    nrapp::add_choice(app, "--format", format, {"json", "text"},
                      "json (JSON Lines) or text (the corrected time, ctime style)");
    nrapp::add_pretty(app, pretty);
    nrapp::parse_or_exit(app, argc, argv, out);
    out.set_pretty(pretty);

    servers.insert(servers.end(), hosts.begin(), hosts.end());
    if (servers.empty()) servers.emplace_back(kDefaultServer);
    config.family = family.value();
    for (const std::string& text : servers) {
        auto server = nrapp::parse_endpoint(text, nrapp::PortUse::peer);
        if (!server) nrapp::usage_error(out, kTool, server.error());
        if (auto why = nrapp::family_mismatch(server->host, config.family); !why.empty())
            nrapp::usage_error(out, kTool, why);
        config.servers.push_back({text, server->host.text, server->port.value_or(port)});
    }
    config.timeout = nrapp::seconds_to_ms(timeout);
    config.interval = nrapp::seconds_to_ms(interval);
    config.format = format == "text" ? sntpc::OutputFormat::text : sntpc::OutputFormat::json;

    sntpc::Reporter reporter(out, config, kTool);
    {
        netreactor::Loop loop;
        sntpc::SntpClient client(loop, config, reporter);
        try {
            client.start();
        } catch (const netreactor::SystemError& e) {
            nrapp::report_error(out, kTool, e.error());
            return nrapp::exit_status_for(e.error());
        }
        loop.run();
    }
    return reporter.exit_status();
}
