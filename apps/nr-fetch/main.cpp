// nr-fetch: GET one resource over HTTP/1.0 on the reactor and stream its
// body to stdout, or print a JSON summary; every failure names its stage.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "body_sink.hpp"
#include "cli.hpp"
#include "duration.hpp"
#include "exit_status.hpp"
#include "fetch_report.hpp"
#include "fetcher.hpp"
#include "http_url.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "redirect_chain.hpp"
#include "stdout_channel.hpp"

namespace {

constexpr const char* kTool = "nr-fetch";

// Where to GET from: the URL argument or --host (a URL, HOST, HOST:PORT or
// [IPv6]:PORT), with --port and --path where the text has none. A part given
// twice (a port in the URL and --port) is a usage error, not a silent choice.
// The path loses its dot segments (RFC 3986 section 5.2.4, as curl's does)
// unless --path-as-is.
void set_target(nrapp::JsonOutput& out, fetch::FetchRequest& request, const std::string& text,
                const CLI::Option* port_option, std::uint16_t port, bool path_given, const std::string& path,
                nrapp::DotSegments dots) {
    std::optional<std::uint16_t> text_port;
    std::optional<std::string> text_path;
    nrapp::Host host;
    if (nrapp::looks_like_url(text)) {
        auto url = nrapp::parse_http_url(text, dots);
        if (!url) nrapp::usage_error(out, kTool, url.error());
        host = url->host;
        text_port = url->port;
        text_path = url->target;
    } else {
        auto endpoint = nrapp::parse_endpoint(text, nrapp::PortUse::peer);
        if (!endpoint) nrapp::usage_error(out, kTool, endpoint.error());
        host = endpoint->host;
        text_port = endpoint->port;
    }
    if (text_port && port_option->count() > 0)
        nrapp::usage_error(out, kTool, "the port is given twice: in " + text + " and with --port");
    if (text_path && path_given)
        nrapp::usage_error(out, kTool, "the path is given twice: in the URL and with --path");
    if (auto why = nrapp::family_mismatch(host, request.family); !why.empty()) nrapp::usage_error(out, kTool, why);
    request.url.host = host;
    request.url.port = text_port.value_or(port);
    if (text_path) {
        request.url.target = *text_path;
    } else {
        auto target = nrapp::parse_request_target(path, dots);
        if (!target) nrapp::usage_error(out, kTool, "--path: " + target.error());
        request.url.target = *target;
    }
}

}  // namespace

int main(int argc, char** argv) {
    netreactor::ignore_sigpipe();
    nrapp::JsonOutput out;

    CLI::App app{"GET a resource over HTTP/1.0 on the reactor; the body goes to stdout, or --json a summary.",
                 kTool};
    nrapp::describe_tool(app,
                         "  nr-fetch http://127.0.0.1:8000/index.html > index.html\n"
                         "  nr-fetch --host 127.0.0.1 --port 8000 --path /index.html > index.html\n"
                         "  nr-fetch --host localhost:8000 --path /data.bin --json | jq .timings\n"
                         "  nr-fetch --host example.test --dns-server 127.0.0.1:5353 --json\n"
                         "  nr-fetch 'http://[::1]:8080/' --connect-timeout 0.5 --timeout 2 --fail\n"
                         "  nr-fetch -6 --host localhost --port 8080 --json   # ::1 only\n"
                         "  nr-fetch -L http://127.0.0.1:8000/old --json | jq .redirects\n");
    fetch::FetchRequest request;
    std::string url;
    std::string host;
    std::uint16_t port = 80;
    std::string path = "/";
    double connect_timeout = 10;
    double receive_timeout = 30;
    bool json_summary = false;
    bool fail_on_http_error = false;
    bool pretty = false;
    bool follow = false;
    bool path_as_is = false;
    unsigned max_redirects = 20;
    nrapp::AddressFamily family;
    auto* url_option = app.add_option("url", url, "http://HOST[:PORT][/PATH] to GET (or give --host)")->type_name("URL");
    auto* host_option = nrapp::add_text(app, "--host", host,
                                        "Server: a name, an IP address, HOST:PORT, [IPv6]:PORT or an http:// URL")
                            ->type_name("HOST");
    auto* port_option = nrapp::add_port(app, port, nrapp::PortUse::peer, "Server port, when the host has none");
    auto* path_option = nrapp::add_text(app, "--path", path, "Resource to GET (starts with /; a #fragment is not sent)");
    // --file: the seed recipe's name, kept for old scripts. Not nr-resolve's
    // -f/--file (a file of inputs): one name, one meaning in every tool.
    auto* file_option = nrapp::deprecate(nrapp::add_text(app, "--file", path, ""), path_option);
    nrapp::add_flag(app, "--path-as-is", path_as_is,
                    "Send the path as typed: keep its /./ and /../ segments (removed by default, as RFC 3986 says)");
    nrapp::add_family(app, family, "Connect over IPv4 only (a name's A records)",
                      "Connect over IPv6 only (a name's AAAA records)");
    nrapp::add_seconds(app, "--connect-timeout", connect_timeout,
                       "Limit of the whole connect phase (name lookup and every address tried), seconds (0: none)");
    nrapp::add_timeout(app, receive_timeout, "Longest silence while sending/receiving, seconds (0: no limit)");
    nrapp::add_dns_servers(app, "--dns-server", request.dns_servers,
                           "DNS server IP[:PORT] instead of the system's (repeatable)");
    nrapp::add_flag(app, "-L,--location", follow, "Follow redirects (301, 302, 303, 307, 308) to http:// URLs");
    nrapp::add_number(app, "--max-redirs", max_redirects, 0u, 1000u, "With --location: how many redirects to follow at most");
    nrapp::add_flag(app, "--json", json_summary, "Print a JSON summary instead of the body");
    nrapp::add_flag(app, "--fail", fail_on_http_error, "Exit 1 when the HTTP status is 400 or above");
    nrapp::add_pretty(app, pretty);
    nrapp::exclude_each_other(url_option, host_option);
    nrapp::parse_or_exit(app, argc, argv, out);
    out.set_pretty(pretty);

    if (url.empty() && host_option->count() == 0) nrapp::usage_error(out, kTool, "give a URL or --host");
    request.family = family.value();
    bool path_given = path_option->count() + file_option->count() > 0;
    set_target(out, request, url.empty() ? host : url, port_option, port, path_given, path,
               path_as_is ? nrapp::DotSegments::keep : nrapp::DotSegments::remove);
    request.connect_timeout = nrapp::seconds_to_ms(connect_timeout);
    request.receive_timeout = nrapp::seconds_to_ms(receive_timeout);

    fetch::StdoutSink sink;
    fetch::FetchRun run = fetch::fetch_following(request, json_summary ? nullptr : &sink, follow, max_redirects);
    const fetch::FetchResult& result = run.result;

    // stdout failed under the body: the one rule of every tool (EPIPE: exit 0
    // quietly; anything else: one line on stderr, exit 8), not a JSON report
    // that could not be written either.
    if (sink.output_errno() != 0) nrapp::exit_on_output_error(sink.output_errno());
    if (result.error) {
        nrapp::json report = fetch::failure_report(request, run);
        if (sink.bytes_written() == 0) {
            nrapp::report_error(out, kTool, *result.error, report);
        } else {
            // Body bytes are already on stdout: the error must not mix into them.
            fetch::print_error_line(stderr, *result.error, report, pretty);
            std::fprintf(stderr, "%s: %s: %s\n", kTool, nrapp::error_subject(report).c_str(),
                         result.error->describe().c_str());
        }
        return fetch::exit_status_for(*result.failed_stage, *result.error);
    }
    if (json_summary) out.emit(fetch::summary_report(request, run));
    if (fail_on_http_error && result.head->status >= 400) return nrapp::exit_failed;
    return nrapp::exit_ok;
}
