#include "options.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace nrapp {

namespace {

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A plain decimal number: digits, an optional fraction, an optional exponent.
bool decimal_number(std::string_view text) {
    std::size_t i = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++digits;
    }
    if (digits == 0) return false;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        if (!all_digits(text.substr(i))) return false;
        i = text.size();
    }
    return i == text.size();
}

CLI::Option* add_reader(CLI::App& app, const std::string& names, const std::string& help, const std::string& type,
                        std::function<void(const std::string& label, const std::string& text)> read) {
    std::string label = option_label(names);
    auto* option = app.add_option_function<std::string>(
        names, [label, read = std::move(read)](const std::string& text) { read(label, text); }, help);
    return option->type_name(type)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

}  // namespace

std::string option_label(const std::string& names) {
    std::string first;
    std::size_t start = 0;
    while (start <= names.size()) {
        auto comma = names.find(',', start);
        if (comma == std::string::npos) comma = names.size();
        std::string name = names.substr(start, comma - start);
        if (name.rfind("--", 0) == 0) return name;
        if (first.empty()) first = name;
        start = comma + 1;
    }
    return first;
}

std::uint64_t read_number(const std::string& option, std::string_view text, std::uint64_t min, std::uint64_t max) {
    auto range = "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
    if (text.empty()) throw UsageError(option + " is empty: give " + range);
    if (!all_digits(text)) throw UsageError(option + " must be " + range + ", not " + in_quotes(text));
    errno = 0;
    std::uint64_t value = std::strtoull(std::string(text).c_str(), nullptr, 10);
    if (errno == ERANGE || value < min || value > max)
        throw UsageError(option + " must be " + range + ", not " + in_quotes(text));
    return value;
}

double read_seconds(const std::string& option, std::string_view text) {
    std::string range = "a number of seconds from 0 to " + std::to_string(static_cast<long>(kMaxSeconds));
    if (text.empty()) throw UsageError(option + " is empty: give " + range);
    if (!decimal_number(text)) throw UsageError(option + " must be " + range + ", not " + in_quotes(text));
    double value = std::strtod(std::string(text).c_str(), nullptr);
    if (!std::isfinite(value) || value > kMaxSeconds)
        throw UsageError(option + " must be " + range + ", not " + in_quotes(text));
    return value;
}

CLI::Option* add_seconds(CLI::App& app, const std::string& names, double& target, const std::string& help) {
    return add_reader(app, names, help, "SECONDS", [&target](const std::string& label, const std::string& text) {
               target = read_seconds(label, text);
           })->default_str(CLI::detail::to_string(target));
}

CLI::Option* add_timeout(CLI::App& app, double& target, const std::string& help) {
    return add_seconds(app, "--timeout", target, help);
}

CLI::Option* add_choice(CLI::App& app, const std::string& names, std::string& target,
                        const std::vector<std::string>& choices, const std::string& help) {
    std::string shown;
    for (const auto& choice : choices) shown += (shown.empty() ? "" : "|") + choice;
    std::string listed;
    for (const auto& choice : choices) listed += (listed.empty() ? "" : ", ") + choice;
    auto* option = add_reader(app, names, help, shown,
                                           [&target, choices, listed](const std::string& label, const std::string& text) {
                                               if (std::find(choices.begin(), choices.end(), text) == choices.end())
                                                   throw UsageError(label + " must be one of " + listed + ", not " +
                                                                    in_quotes(text));
                                               target = text;
                                           });
    return option->default_str(target);
}

CLI::Option* add_text(CLI::App& app, const std::string& names, std::string& target, const std::string& help) {
    auto* option = add_reader(app, names, help, "TEXT", [&target](const std::string& label, const std::string& text) {
        if (text.empty()) throw UsageError(label + " is empty");
        target = text;
    });
    return option->default_str(target);
}

CLI::Option* add_flag(CLI::App& app, const std::string& names, bool& target, const std::string& help) {
    // No "--flag=value": a flag is given or not (CLI11 would read --pretty=no as false).
    return app.add_flag(names, target, help)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->disable_flag_override();
}

CLI::Option* add_pretty(CLI::App& app, bool& target) { return add_flag(app, "--pretty", target, "Indent JSON for humans"); }

CLI::Option* add_port(CLI::App& app, std::uint16_t& target, PortUse use, const std::string& help) {
    auto* option = add_reader(app, "--port", help, "PORT", [&target, use](const std::string& label, const std::string& text) {
        auto port = parse_port(text, use);
        if (!port) throw UsageError(label + ": " + port.error());
        target = *port;
    });
    return option->default_str(std::to_string(target));
}

CLI::Option* add_numeric_host(CLI::App& app, const std::string& names, Host& target, const std::string& help) {
    auto* option = add_reader(app, names, help, "ADDRESS", [&target](const std::string& label, const std::string& text) {
        auto host = parse_numeric_host(text);
        if (!host) throw UsageError(label + ": " + host.error());
        target = *host;
    });
    return option->default_str(target.text);
}

CLI::Option* add_endpoint(CLI::App& app, const std::string& names, std::optional<Endpoint>& target, PortUse use,
                          const std::string& help) {
    return add_reader(app, names, help, "HOST[:PORT]", [&target, use](const std::string& label, const std::string& text) {
        auto endpoint = parse_endpoint(text, use);
        if (!endpoint) throw UsageError(label + ": " + endpoint.error());
        target = *endpoint;
    });
}

CLI::Option* add_dns_servers(CLI::App& app, const std::string& names, std::vector<std::string>& servers,
                             const std::string& help) {
    std::string label = option_label(names);
    auto* option = app.add_option_function<std::vector<std::string>>(
        names,
        [&servers, label](const std::vector<std::string>& texts) {
            for (const auto& text : texts) {
                auto server = parse_dns_server(text);
                if (!server) throw UsageError(label + ": " + server.error());
                servers.push_back(*server);
            }
        },
        help);
    return option->type_name("IP[:PORT]")->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

int AddressFamily::value() const noexcept { return ipv4 ? AF_INET : ipv6 ? AF_INET6 : AF_UNSPEC; }

void add_family(CLI::App& app, AddressFamily& target, const std::string& ipv4_help, const std::string& ipv6_help) {
    auto* v4 = add_flag(app, "-4,--ipv4", target.ipv4, ipv4_help);
    auto* v6 = add_flag(app, "-6,--ipv6", target.ipv6, ipv6_help);
    exclude_each_other(v4, v6);
}

void exclude_each_other(CLI::Option* first, CLI::Option* second) { first->excludes(second); }

namespace {
// A hidden option whose description starts with this is a deprecated name;
// the current name follows, then a space.
constexpr std::string_view kDeprecated = "deprecated; use ";
}  // namespace

std::string option_name(const CLI::Option& option) {
    if (!option.get_lnames().empty()) return "--" + option.get_lnames().front();
    if (!option.get_snames().empty()) return "-" + option.get_snames().front();
    return option.get_name(true);
}

CLI::Option* deprecate(CLI::Option* old_name, CLI::Option* current) {
    // Not CLI11's excludes(): --help would list a hidden name under "Excludes:".
    old_name->description(std::string(kDeprecated) + option_name(*current) + " (same meaning)");
    return old_name->group("");  // CLI11 leaves options of the empty group out of --help
}

std::vector<std::string> deprecation_notices(const CLI::App& app) {
    std::vector<std::string> notices;
    for (const auto* option : app.get_options()) {
        const std::string& description = option->get_description();
        if (!option->get_group().empty() || option->count() == 0 || description.rfind(kDeprecated, 0) != 0) continue;
        std::string current = description.substr(kDeprecated.size(), description.find(' ', kDeprecated.size()) - kDeprecated.size());
        const auto* current_option = app.get_option_no_throw(current);
        if (current_option != nullptr && current_option->count() > 0)
            throw UsageError(current + " and " + option_name(*option) + " cannot be given together");
        notices.push_back(option_name(*option) + " is " + description);
    }
    for (const auto* sub : app.get_subcommands()) {
        auto more = deprecation_notices(*sub);
        notices.insert(notices.end(), more.begin(), more.end());
    }
    return notices;
}

}  // namespace nrapp
