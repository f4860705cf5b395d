// nr-resolve: DNS questions in, one JSON line per answer out; one name or
// hundreds of thousands, against the system's resolvers or the ones given.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "duration.hpp"
#include "exit_status.hpp"
#include "netreactor/loop.hpp"
#include "netreactor/resolver.hpp"
#include "netreactor/timer.hpp"
#include "progress.hpp"
#include "runner.hpp"

namespace {

constexpr const char* kTool = "nr-resolve";

// "A,MX,TYPE65,ANY": each type once, in the order first given.
std::vector<std::uint16_t> parse_types(nrapp::JsonOutput& out, const std::string& list) {
    std::vector<std::uint16_t> types;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        std::string name = list.substr(start, comma - start);
        auto type = netreactor::dns_type_from_name(name);
        if (!type || *type == 0 || *type == static_cast<std::uint16_t>(netreactor::DnsType::OPT))
            nrapp::usage_error(out, kTool, "unsupported record type '" + name +
                                               "' (A AAAA CNAME MX NS TXT SRV SOA PTR CAA ANY, or TYPE1 to TYPE65535 as in RFC 3597)");
        if (std::find(types.begin(), types.end(), *type) == types.end()) types.push_back(*type);
        start = comma + 1;
    }
    return types;
}

std::chrono::milliseconds per_try_timeout(std::chrono::milliseconds total, std::size_t servers, int tries) {
    auto rounds_weight = static_cast<long long>(servers) * ((1LL << tries) - 1);
    return std::max(std::chrono::milliseconds(1), std::chrono::milliseconds(total.count() / rounds_weight));
}

nrapp::json summary_json(const resolve::RunTotals& totals, double elapsed_s, int exit_status) {
    nrapp::json statuses = nrapp::json::object();
    for (const auto& [status, n] : totals.statuses()) statuses[status] = n;
    return {{"event", "summary"},
            {"names", totals.names},
            {"questions", totals.questions},
            {"statuses", statuses},
            {"elapsed_s", elapsed_s},
            {"queries_per_s", elapsed_s > 0 ? static_cast<double>(totals.questions) / elapsed_s : 0.0},
            {"exit_status", exit_status}};
}

}  // namespace

int main(int argc, char** argv) {
    netreactor::ignore_sigpipe();
    nrapp::JsonOutput out;

    CLI::App app{"Resolve names (or addresses, -x) with c-ares; one JSON line per question, in bulk too.", kTool};
    nrapp::describe_tool(app,
                         "  nr-resolve www.python.org                  # its addresses (A and AAAA)\n"
                         "  nr-resolve -t MX,TXT example.org -s 9.9.9.9\n"
                         "  nr-resolve -x 192.0.2.1 -s 127.0.0.1:5353   # reverse (PTR)\n"
                         "  nr-resolve -f names.txt -t A -c 1000 -s 127.0.0.1:5353 | jq -c 'select(.status!=\"NOERROR\")'\n");
    std::vector<std::string> names;
    std::string file;
    std::string types;
    bool reverse = false;
    resolve::RunOptions run;
    netreactor::ResolverOptions resolver_options;
    std::vector<std::string> servers;
    double timeout = 2.0;
    std::string hosts_file = "on";
    bool pretty = false;
    nrapp::AddressFamily family;
    unsigned tries = static_cast<unsigned>(resolver_options.tries);
    app.add_option("names", names, "Names to resolve (addresses with -x)")->type_name("NAME");
    nrapp::add_text(app, "-f,--file", file, "Read names one per line from FILE ('-': stdin); prints a summary line at the end");
    nrapp::add_text(app, "-t,--type", types, "Record types, comma-separated, each asked once: A AAAA CNAME MX NS TXT SRV "
                                              "SOA PTR CAA ANY or TYPEnnn (default: the address lookup, A and AAAA merged)");
    nrapp::add_family(app, family, "The address lookup asks A records only (same as -t A)",
                      "The address lookup asks AAAA records only (same as -t AAAA)");
    nrapp::add_flag(app, "-x,--reverse", reverse, "The inputs are IPv4/IPv6 addresses: look up their PTR names");
    nrapp::add_dns_servers(app, "-s,--dns-server,--server", servers,
                           "DNS server IP[:PORT] or [IPv6]:PORT, repeatable (default: the system's, from /etc/resolv.conf)");
    nrapp::add_timeout(app, timeout, "Longest wait for one question, all tries and servers included "
                                     "(seconds; 0: no limit but the tries')");
    nrapp::add_number(app, "--tries", tries, 1u, 20u,
                      "Rounds over the servers (each server asked once per round), all within --timeout");
    nrapp::add_number(app, "-c,--concurrency", run.concurrency, std::size_t{1}, std::size_t{100000},
                      "Questions in flight at most");
    nrapp::add_choice(app, "--hosts-file", hosts_file, {"on", "off"}, "Answer address lookups from /etc/hosts first");
    nrapp::add_flag(app, "--ordered", run.ordered, "Print answers in input order (default: as they complete)");
    nrapp::add_pretty(app, pretty);
    // Sharding (docs/tools/nr-resolve.md, "Past one machine").
    nrapp::add_number(app, "--id-offset", run.id_offset, std::uint64_t{0}, std::uint64_t{1} << 50,
                      "Add N to every id: a shard given lines N+1... of a larger input numbers its names as the "
                      "whole input does");
    nrapp::parse_or_exit(app, argc, argv, out);
    out.set_pretty(pretty);

    if (names.empty() == file.empty())
        nrapp::usage_error(out, kTool, names.empty() ? "give names to resolve, or -f FILE" : "give names or -f FILE, not both");
    if (reverse && !types.empty()) nrapp::usage_error(out, kTool, "-x asks PTR records: -t does not apply");
    if (family.value() != AF_UNSPEC) {
        const char* flag = family.ipv4 ? "-4" : "-6";
        if (reverse) nrapp::usage_error(out, kTool, std::string("-x asks PTR records: ") + flag + " does not apply");
        if (!types.empty()) nrapp::usage_error(out, kTool, std::string(flag) + " and -t cannot be given together");
        types = family.ipv4 ? "A" : "AAAA";
    }
    run.kind = reverse ? resolve::QuestionKind::reverse
                       : (types.empty() ? resolve::QuestionKind::address : resolve::QuestionKind::record);
    if (!types.empty()) run.types = parse_types(out, types);
    resolver_options.servers = servers;
    resolver_options.tries = static_cast<int>(tries);
    resolver_options.use_hosts_file = hosts_file == "on";
    // The answer line has the answer and authority sections only.
    resolver_options.keep_additional_section = false;

    netreactor::Loop loop;
    std::unique_ptr<netreactor::Resolver> resolver;
    try {
        // c-ares waits T per server in the first round, 2T in the second, 4T...:
        // T is chosen so that the whole schedule fits in --timeout.
        std::size_t server_count = servers.size();
        if (server_count == 0) server_count = std::max<std::size_t>(1, netreactor::Resolver(loop, resolver_options).servers().size());
        // --timeout 0: no total limit; each try waits the library's default and --tries still bounds the rounds.
        if (timeout > 0) {
            auto total = nrapp::seconds_to_ms(timeout);
            resolver_options.timeout = per_try_timeout(total, server_count, resolver_options.tries);
            // The library holds --timeout whatever the tries (c-ares' doubling
            // schedule of 20 tries would take minutes).
            resolver_options.deadline = total;
        }
        resolver = std::make_unique<netreactor::Resolver>(loop, resolver_options);
    } catch (const netreactor::SystemError& e) {
        if (e.error().code() == "EINVAL") nrapp::usage_error(out, kTool, e.error().message());
        nrapp::report_error(out, kTool, e.error());
        return nrapp::exit_status_for(e.error());
    }

    std::unique_ptr<resolve::Runner> runner;
    std::unique_ptr<resolve::NameSource> source;
    int input_fd = -1;
    if (!file.empty()) {
        input_fd = file == "-" ? STDIN_FILENO : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (input_fd < 0) {
            nrapp::report_error(out, kTool, netreactor::Error::from_errno(errno, "open"), {{"file", file}});
            return nrapp::exit_local;
        }
        struct stat st {};
        if (::fstat(input_fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            nrapp::report_error(out, kTool, netreactor::Error::from_errno(EISDIR, "open"), {{"file", file}});
            return nrapp::exit_local;
        }
        auto reader = std::make_unique<resolve::LineReader>(input_fd, loop, [&runner] { runner->fill(); });
        source = std::make_unique<resolve::LineNames>(std::move(reader));
    } else {
        source = std::make_unique<resolve::ArgumentNames>(names);
    }
    resolve::AnswerSink sink(loop, out, pretty);
    runner = std::make_unique<resolve::Runner>(*resolver, *source, run, sink);

    std::uint64_t started_ns = netreactor::monotonic_ns();
    std::optional<resolve::Progress> progress;  // bulk runs only; shows nothing unless stderr is a terminal
    if (!file.empty()) {
        struct stat st{};
        std::uint64_t input_size = ::fstat(input_fd, &st) == 0 && S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0;
        progress.emplace(loop, [&] {
            return resolve::Progress::Counts{runner->totals().questions, source->taken_bytes(), runner->in_flight()};
        }, input_size);
    }
    runner->fill();
    loop.run();
    sink.flush();
    double elapsed_s = static_cast<double>(netreactor::monotonic_ns() - started_ns) / 1e9;
    if (progress) progress->finish();

    const auto& totals = runner->totals();
    int status = totals.exit_status;
    if (int err = source->error(); err != 0) {
        auto error = netreactor::Error::from_errno(err, "read");
        nrapp::report_error(out, kTool, netreactor::Error(error.code(), "reading names: " + error.message(), "read"),
                            {{"file", file}});
        status = nrapp::exit_local;
    }
    if (!file.empty()) out.emit(summary_json(totals, elapsed_s, status));
    if (status != 0 && totals.questions == 1 && file.empty()) {
        // The seed's behaviour: an unknown name is also said on stderr.
        std::fprintf(stderr, "%s: %s: %s\n", kTool, names.front().c_str(), totals.statuses().begin()->first.c_str());
    }
    return status;
}
