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
                         "  nr-sntp '[::1]:12300' --samples 4 --interval 0.5 | jq 'select(.type==\"summary\")'\n"
                         "  nr-sntp -6 time.example --dns-server 127.0.0.1:5353 --timeout 1\n");
    std::vector<std::string> servers;
    unsigned port = 123;
    bool ipv4_only = false;
    bool ipv6_only = false;
    double timeout = 5;
    double interval = 2;
    std::string format = "json";
    bool pretty = false;
    sntpc::ClientConfig config;
    app.add_option("servers", servers, "SERVER[:PORT] or [IPv6]:PORT (default: " + std::string(kDefaultServer) + ")");
    std::vector<std::string> hosts;
    app.add_option("--host", hosts, "A server, as the SERVER argument (repeatable)");
    app.add_option("--port", port, "Port for servers given without one")->capture_default_str()
        ->check(CLI::Range(1, 65535));
    auto* v4 = app.add_flag("-4,--ipv4", ipv4_only, "Resolve names to IPv4 addresses only");
    app.add_flag("-6,--ipv6", ipv6_only, "Resolve names to IPv6 addresses only")->excludes(v4);
    app.add_option("--timeout", timeout, "Wait this long for each answer (seconds)")->capture_default_str()
        ->check(nrapp::non_negative_seconds());
    app.add_option("--samples", config.samples, "Queries per address; then a summary picks the lowest delay")
        ->capture_default_str()->check(CLI::Range(1, 1000));
    app.add_option("--interval", interval, "Pause between the samples of one address (seconds)")
        ->capture_default_str()->check(nrapp::non_negative_seconds());
    app.add_option("--dns-server", config.dns_servers, "DNS server IP[:PORT] instead of the system's (repeatable)");
    app.add_option("--format", format, "json (JSON Lines) or text (the corrected time, ctime style)")
        ->capture_default_str()->check(CLI::IsMember({"json", "text"}));
    app.add_flag("--pretty", pretty, "Indent JSON for humans");
    nrapp::parse_or_exit(app, argc, argv, out);
    out.set_pretty(pretty);

    servers.insert(servers.end(), hosts.begin(), hosts.end());
    if (servers.empty()) servers.emplace_back(kDefaultServer);
    for (const std::string& text : servers) {
        auto hp = netreactor::split_host_port(text);
        if (!hp || hp->host.empty()) nrapp::usage_error(out, kTool, "not a SERVER[:PORT]: " + text);
        if (hp->port == 0) nrapp::usage_error(out, kTool, "port 0 in " + text);
        config.servers.push_back({text, hp->host, hp->port.value_or(static_cast<std::uint16_t>(port))});
    }
    for (const auto& server : config.dns_servers) {
        auto hp = netreactor::split_host_port(server);
        if (!hp || !netreactor::SocketAddress::parse(hp->host, hp->port.value_or(53)))
            nrapp::usage_error(out, kTool, "--dns-server is not a numeric IP[:PORT]: " + server);
    }
    if (!(timeout > 0)) nrapp::usage_error(out, kTool, "--timeout must be above 0");
    config.family = ipv4_only ? AF_INET : ipv6_only ? AF_INET6 : AF_UNSPEC;
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
