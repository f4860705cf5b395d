// The option layer every tool declares its command line with: one reader per
// kind of value, so that the same idea has the same name, the same rules and
// the same messages in every tool (docs/exit-status.md, "Command lines").
//
// Rules, the same for every option of every tool:
//  - Numbers are decimal digits only: no sign, no spaces, no hex; a value out
//    of the option's range is refused, never wrapped or clamped.
//  - Seconds are plain decimal numbers (1, 0.25, 1e-3) from 0 to kMaxSeconds;
//    "-0", NaN and infinities are refused. --timeout 0 means "no limit".
//  - An option that is not documented as repeatable may be given once: a
//    second time is an error naming it (flags included).
//  - Every message is in the project's words; the tool prefixes its name.
// Each reader checks its text when CLI11 hands it over, so a bad value stops
// the parse with a usage error (exit status 2, code EUSAGE).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "endpoint.hpp"
#include "host.hpp"

namespace nrapp {

/// A bad command line found while reading a value; parse_or_exit reports it.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The longest duration any option takes, in seconds (about 11.5 days): far
/// beyond any timeout, and small enough for every clock computation.
constexpr double kMaxSeconds = 1e6;

/// Reads a whole number in [min, max]; throws UsageError naming `option`.
std::uint64_t read_number(const std::string& option, std::string_view text, std::uint64_t min, std::uint64_t max);

/// Reads seconds in [0, kMaxSeconds]; throws UsageError naming `option`.
double read_seconds(const std::string& option, std::string_view text);

/// The name an option is reported by: its first long name ("--dns-server"
/// for "-s,--server,--dns-server"), else its first name.
std::string option_label(const std::string& names);

/// A whole-number option in [min, max], shown as N in --help.
template <typename T>
CLI::Option* add_number(CLI::App& app, const std::string& names, T& target, T min, T max, const std::string& help) {
    static_assert(std::is_integral_v<T> && !std::is_same_v<T, bool>);
    static_assert(std::is_unsigned_v<T>, "options take non-negative numbers");
    std::string label = option_label(names);
    auto* option = app.add_option_function<std::string>(
        names, [&target, label, min, max](const std::string& text) { target = static_cast<T>(read_number(label, text, min, max)); },
        help);
    option->type_name("N")->default_str(std::to_string(target));
    return option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

/// Seconds, 0 to kMaxSeconds. What 0 means is said by `help`.
CLI::Option* add_seconds(CLI::App& app, const std::string& names, double& target, const std::string& help);

/// --timeout: seconds, where 0 means "no limit" in every tool.
CLI::Option* add_timeout(CLI::App& app, double& target, const std::string& help);

/// One of `choices`, shown as "a|b|c" in --help.
CLI::Option* add_choice(CLI::App& app, const std::string& names, std::string& target,
                        const std::vector<std::string>& choices, const std::string& help);

/// Any text but the empty one.
CLI::Option* add_text(CLI::App& app, const std::string& names, std::string& target, const std::string& help);

/// A flag (no value). Given twice, it is refused like any option.
CLI::Option* add_flag(CLI::App& app, const std::string& names, bool& target, const std::string& help);

/// --pretty: indent JSON for humans.
CLI::Option* add_pretty(CLI::App& app, bool& target);

/// --port: 1-65535 for a peer, 0-65535 (0: the kernel picks) for a local address.
CLI::Option* add_port(CLI::App& app, std::uint16_t& target, PortUse use, const std::string& help);

/// A numeric IPv4/IPv6 address (brackets and zone allowed), such as a server's --host.
CLI::Option* add_numeric_host(CLI::App& app, const std::string& names, Host& target, const std::string& help);

/// HOST, HOST:PORT, [IPv6]:PORT; `target` set when given.
CLI::Option* add_endpoint(CLI::App& app, const std::string& names, std::optional<Endpoint>& target, PortUse use,
                          const std::string& help);

/// DNS servers, repeatable: numeric IP[:PORT] or [IPv6]:PORT (port 53 by
/// default), stored as "IP:PORT" / "[IPv6]:PORT" for ResolverOptions::servers.
CLI::Option* add_dns_servers(CLI::App& app, const std::string& names, std::vector<std::string>& servers,
                             const std::string& help);

/// -4/--ipv4 and -6/--ipv6, which exclude each other.
struct AddressFamily {
    bool ipv4 = false;
    bool ipv6 = false;
    /// AF_INET, AF_INET6 or AF_UNSPEC.
    int value() const noexcept;
};
void add_family(CLI::App& app, AddressFamily& target, const std::string& ipv4_help, const std::string& ipv6_help);

/// Marks `first` and `second` as mutually exclusive, in the project's words.
void exclude_each_other(CLI::Option* first, CLI::Option* second);

/// The name an option is reported by: its first long name, else its short
/// one; hidden options too (CLI11's get_name() is empty for them).
std::string option_name(const CLI::Option& option);

/// Makes `old_name` (declared with the same reader and target as `current`) a
/// deprecated name kept for old scripts: hidden from --help, not to be given
/// with `current` (deprecation_notices refuses that), and named in
/// deprecation_notices once used. Deprecated
/// names are listed in docs/exit-status.md; tests/contract checks them.
CLI::Option* deprecate(CLI::Option* old_name, CLI::Option* current);

/// One line per deprecated name the parsed command line used, such as
/// "--file is deprecated; use --path (same meaning)"; parse_or_exit prints
/// each on stderr, prefixed with the tool's name. Nothing on stdout changes.
/// Throws UsageError when a deprecated name and its current one are both given.
std::vector<std::string> deprecation_notices(const CLI::App& app);

}  // namespace nrapp
