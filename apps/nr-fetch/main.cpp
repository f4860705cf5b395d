// nr-fetch: GET one resource over HTTP/1.0 on the reactor and stream its
// body to stdout, or print a JSON summary; every failure names its stage.
#include <cstdio>
#include <string>
#include <vector>

#include "body_sink.hpp"
#include "cli.hpp"
#include "duration.hpp"
#include "exit_status.hpp"
#include "fetch_report.hpp"
#include "fetcher.hpp"
#include "redirect_chain.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"

namespace {

constexpr const char* kTool = "nr-fetch";

// A request target we are willing to put on the wire: starts with '/', only
// visible ASCII (no spaces or control characters that could split the line).
bool valid_path(const std::string& path) {
    if (path.empty() || path.front() != '/') return false;
    for (unsigned char c : path)
        if (c <= 0x20 || c >= 0x7f) return false;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    netreactor::ignore_sigpipe();
    nrapp::JsonOutput out;

    CLI::App app{"GET a resource over HTTP/1.0 on the reactor; the body goes to stdout, or --json a summary.",
                 kTool};
    nrapp::describe_tool(app,
                         "  nr-fetch --host 127.0.0.1 --port 8000 --path /index.html > index.html\n"
                         "  nr-fetch --host localhost --port 8000 --file /data.bin --json | jq .timings\n"
                         "  nr-fetch --host example.test --dns-server 127.0.0.1:5353 --json\n"
                         "  nr-fetch --host ::1 --port 8080 --connect-timeout 0.5 --timeout 2 --fail\n"
                         "  nr-fetch -6 --host localhost --port 8080 --json   # ::1 only\n"
                         "  nr-fetch -L --host 127.0.0.1 --port 8000 --path /old --json | jq .redirects\n");
    fetch::FetchRequest request;
    std::string host;
    unsigned port = 80;
    double connect_timeout = 10;
    double receive_timeout = 30;
    bool json_summary = false;
    bool fail_on_http_error = false;
    bool pretty = false;
    bool follow = false;
    unsigned max_redirects = 20;
    app.add_option("--host", host, "Server name or numeric address")->required();
    app.add_option("--port", port, "Server port")->capture_default_str()->check(CLI::Range(1, 65535));
    app.add_option("--path,--file", request.path, "Resource to GET (starts with /)")->capture_default_str();
    bool ipv4_only = false;
    bool ipv6_only = false;
    auto* v4 = app.add_flag("-4,--ipv4", ipv4_only, "Connect over IPv4 only (a name's A records)");
    app.add_flag("-6,--ipv6", ipv6_only, "Connect over IPv6 only (a name's AAAA records)")->excludes(v4);
    app.add_option("--connect-timeout", connect_timeout, "Per-address connect limit, seconds (0: the kernel's)")
        ->capture_default_str()->check(nrapp::non_negative_seconds());
    app.add_option("--timeout", receive_timeout, "Longest silence while sending/receiving, seconds (0: none)")
        ->capture_default_str()->check(nrapp::non_negative_seconds());
    app.add_option("--dns-server", request.dns_servers, "DNS server IP[:PORT] instead of the system's (repeatable)");
    app.add_flag("-L,--location", follow, "Follow redirects (301, 302, 303, 307, 308) to http:// URLs");
    app.add_option("--max-redirs", max_redirects, "With --location: how many redirects to follow at most")
        ->capture_default_str()->check(CLI::Range(0, 1000));
    app.add_flag("--json", json_summary, "Print a JSON summary instead of the body");
    app.add_flag("--fail", fail_on_http_error, "Exit 1 when the HTTP status is 400 or above");
    app.add_flag("--pretty", pretty, "Indent JSON for humans");
    nrapp::parse_or_exit(app, argc, argv, out);
    out.set_pretty(pretty);

    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) nrapp::usage_error(out, kTool, "--host is empty");
    if (!valid_path(request.path))
        nrapp::usage_error(out, kTool, "--path must start with / and hold only visible ASCII: " + request.path);
    for (const auto& server : request.dns_servers) {
        auto hp = netreactor::split_host_port(server);
        if (!hp || !netreactor::SocketAddress::parse(hp->host, hp->port.value_or(53)))
            nrapp::usage_error(out, kTool, "--dns-server is not a numeric IP[:PORT]: " + server);
    }
    request.family = ipv4_only ? AF_INET : ipv6_only ? AF_INET6 : AF_UNSPEC;
    if (auto numeric = netreactor::SocketAddress::parse(host, 80);
        numeric && request.family != AF_UNSPEC && numeric->family() != request.family)
        nrapp::usage_error(out, kTool, std::string(request.family == AF_INET ? "-4" : "-6") +
                                           " with an address of the other family: " + host);
    request.host = host;
    request.port = static_cast<std::uint16_t>(port);
    request.connect_timeout = nrapp::seconds_to_ms(connect_timeout);
    request.receive_timeout = nrapp::seconds_to_ms(receive_timeout);

    fetch::StdoutSink sink;
    fetch::FetchRun run = fetch::fetch_following(request, json_summary ? nullptr : &sink, follow, max_redirects);
    const fetch::FetchResult& result = run.result;

    if (sink.reader_gone()) return nrapp::exit_ok;
    if (result.error) {
        nrapp::json report = fetch::failure_report(request, run);
        if (sink.bytes_written() == 0) {
            nrapp::report_error(out, kTool, *result.error, report);
        } else {
            // Body bytes are already on stdout: the error must not mix into them.
            fetch::print_error_line(stderr, *result.error, report, pretty);
            std::fprintf(stderr, "%s: %s\n", kTool, result.error->describe().c_str());
        }
        return fetch::exit_status_for(*result.failed_stage, *result.error);
    }
    if (json_summary) out.emit(fetch::summary_report(request, run));
    if (fail_on_http_error && result.head->status >= 400) return nrapp::exit_failed;
    return nrapp::exit_ok;
}
