// nr-netinfo: facts about this host and about addresses, ports and integers,
// straight from the C library and the kernel. One JSON line per answer.
#include <string>
#include <string_view>
#include <vector>

#include "address_report.hpp"
#include "byteorder.hpp"
#include "cli.hpp"
#include "exit_status.hpp"
#include "host_info.hpp"
#include "netreactor/loop.hpp"
#include "service_lookup.hpp"

namespace {

constexpr const char* kTool = "nr-netinfo";

// Prints each input's entry; exit_failed when any of them is an error entry.
template <typename Report>
int print_each(nrapp::JsonOutput& out, const std::vector<std::string>& inputs, Report report) {
    int status = nrapp::exit_ok;
    for (const auto& input : inputs) {
        nrapp::json entry = report(input);
        if (netinfo::is_error_entry(entry)) status = nrapp::exit_failed;
        out.emit(entry);
    }
    return status;
}

int print_host(nrapp::JsonOutput& out, bool lookup) {
    nrapp::json report = {{"hostname", netinfo::local_host_name()}};
    netinfo::HostAddresses resolved;
    if (lookup) {
        resolved = netinfo::resolve_with_libc(report["hostname"]);
        report["canonical_name"] = resolved.canonical_name;
        report["addresses"] = resolved.addresses;
    }
    try {
        report["interfaces"] = netinfo::interfaces();
    } catch (const netreactor::SystemError& e) {
        nrapp::report_error(out, kTool, e.error(), report);
        return nrapp::exit_local;
    }
    if (resolved.error) {
        nrapp::report_error(out, kTool, *resolved.error, report);
        return nrapp::exit_resolve;
    }
    out.emit(report);
    return nrapp::exit_ok;
}

// The ADDR arguments of `ip` as the user wrote them. CLI11 reads an argument
// in brackets as a list ("[::1]" becomes "::1", "[a,b]" two values), so the
// parsed values would hide text that must be judged, and rejected, as written.
// Safe to take from argv because neither nr-netinfo nor `ip` has an option
// that takes a value: every argument after the subcommand that does not start
// with '-' (or that follows "--") is an ADDR.
std::vector<std::string> raw_ip_arguments(int argc, char** argv) {
    std::vector<std::string> raw;
    int i = 1;
    while (i < argc && std::string_view(argv[i]) != "ip") ++i;
    bool only_positionals = false;
    for (++i; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (!only_positionals && arg == "--") {
            only_positionals = true;
        } else if (only_positionals || arg.empty() || arg[0] != '-') {
            raw.emplace_back(arg);
        }
    }
    return raw;
}

}  // namespace

int main(int argc, char** argv) {
    netreactor::ignore_sigpipe();
    nrapp::JsonOutput out;

    CLI::App app{"Facts about this host, IPv4/IPv6 addresses, services and byte order, from the C library.", kTool};
    nrapp::describe_tool(app,
                         "  nr-netinfo host                          # host name, its addresses, interfaces\n"
                         "  nr-netinfo ipv4 127.1 0x7f.1 192.168.0.1 # inet_aton forms, packed hex, flags\n"
                         "  nr-netinfo ipv4 --strict 10.0.0.1        # inet_pton rules\n"
                         "  nr-netinfo ip ::1 fe80::1%lo 10.1.2.3    # IPv6 and IPv4\n"
                         "  nr-netinfo service 80/tcp 53/udp http domain/udp\n"
                         "  nr-netinfo byteorder 1234 0xffff\n");
    bool pretty = false;
    nrapp::add_pretty(app, pretty);
    app.require_subcommand(1);
    app.fallthrough();

    CLI::App* host = nrapp::add_subcommand(app, "host", "Host name, the addresses it resolves to, every interface");
    bool no_lookup = false;
    nrapp::add_flag(*host, "--no-lookup", no_lookup, "Do not resolve the host name (no NSS lookup at all)");
    host->footer("Example:\n  nr-netinfo host --pretty\n"
                 "The name is resolved with getaddrinfo(3), i.e. through NSS: /etc/hosts first on a usual\n"
                 "system. A name missing from the hosts file may cause a DNS query; --no-lookup avoids it.");

    std::vector<std::string> inputs;
    CLI::App* ipv4 = nrapp::add_subcommand(app, "ipv4", "IPv4 addresses as inet_aton reads them: packed, integer, flags");
    bool strict = false;
    ipv4->add_option("ADDR", inputs, "Addresses (127.0.0.1, 127.1, 0x7f.1, 2130706433...)")->required();
    nrapp::add_flag(*ipv4, "--strict", strict, "Accept only what inet_pton accepts: four decimal parts");
    ipv4->footer("Example:\n  nr-netinfo ipv4 127.0.0.1 192.168.0.1 127.1 0x7f.1");

    CLI::App* ip = nrapp::add_subcommand(app, "ip", "IPv6 or IPv4 addresses as inet_pton reads them");
    // Not required() here: "[]" counts as no value for CLI11 (see raw_ip_arguments).
    ip->add_option("ADDR", inputs, "Addresses (::1, fe80::1%eth0, ::ffff:10.0.0.1, 10.0.0.1...)");
    ip->footer("Example:\n  nr-netinfo ip ::1 2001:db8::1 fe80::1%lo 192.0.2.7");

    CLI::App* service = nrapp::add_subcommand(app, "service", "Port to service name and name to port, from the services database");
    service->add_option("SPEC", inputs, "PORT[/PROTO] or NAME[/PROTO]")->required();
    service->footer("Example:\n  nr-netinfo service 80/tcp 25/tcp 53/udp http domain/udp");

    CLI::App* byteorder = nrapp::add_subcommand(app, "byteorder", "htonl/ntohl/htons/ntohs of integers, and the host's endianness");
    std::string width = "both";
    byteorder->add_option("N", inputs, "Integers, decimal or 0x hex, 0..4294967295")->required();
    nrapp::add_choice(*byteorder, "--width", width, {"16", "32", "both"},
                      "Which forms: 32 (htonl/ntohl), 16 (htons/ntohs) or both");
    byteorder->footer("Example:\n  nr-netinfo byteorder 1234 80 0x0102");

    nrapp::parse_or_exit(app, argc, argv, out);
    out.set_pretty(pretty);

    if (host->parsed()) return print_host(out, !no_lookup);
    if (ipv4->parsed()) {
        auto syntax = strict ? netinfo::Ipv4Syntax::strict : netinfo::Ipv4Syntax::aton;
        return print_each(out, inputs, [&](const std::string& in) { return netinfo::ipv4_report(in, syntax); });
    }
    if (ip->parsed()) {
        inputs = raw_ip_arguments(argc, argv);
        if (inputs.empty()) nrapp::usage_error(out, kTool, "ADDR is required");
        return print_each(out, inputs, [](const std::string& in) { return netinfo::ip_report(in); });
    }
    if (service->parsed())
        return print_each(out, inputs, [](const std::string& in) { return netinfo::service_report(in); });
    auto w = width == "16" ? netinfo::Width::bits16 : width == "32" ? netinfo::Width::bits32 : netinfo::Width::both;
    return print_each(out, inputs, [&](const std::string& in) { return netinfo::byteorder_report(in, w); });
}
