#include "cli.hpp"

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "exit_status.hpp"
#include "netreactor/version.hpp"

namespace nrapp {

namespace {

std::string subcommand_list(const CLI::App& app) {
    std::string names;
    for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
        names += (names.empty() ? "" : ", ") + sub->get_name();
    return names;
}

bool has_subcommands(const CLI::App& app) { return !subcommand_list(app).empty(); }

// The first argument nothing took: an unknown option, an unknown subcommand,
// or one argument too many.
std::optional<std::string> unexpected_argument(const CLI::App& app) {
    for (const std::string& arg : app.remaining(true)) {
        if (arg == "--") continue;
        if (arg.size() > 1 && arg.front() == '-') return "unknown option " + in_quotes(arg.substr(0, arg.find('=')));
        bool subcommand_parsed = !app.get_subcommands().empty();
        if (has_subcommands(app) && !subcommand_parsed)
            return "unknown subcommand " + in_quotes(arg) + " (one of: " + subcommand_list(app) + ")";
        return "unexpected argument " + in_quotes(arg);
    }
    return std::nullopt;
}

void check_given_once(const CLI::App& app) {
    for (const auto* option : app.get_options()) {
        bool repeatable = option->get_positional() || option->get_expected_max() > 1 ||
                          option->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll;
        if (option->count() <= 1 || repeatable) continue;
        throw UsageError(option_name(*option) + " was given " + std::to_string(option->count()) +
                         " times; give it once");
    }
    for (const auto* sub : app.get_subcommands()) check_given_once(*sub);
}

// The text before the first ':' or ' ' of a CLI11 message: the option's name.
std::string leading_name(const std::string& message) {
    std::string name = message.substr(0, message.find_first_of(": "));
    if (!name.empty() && name.front() != '-') name = "--" + name;
    return name;
}

// A CLI11 exception in the project's words.
std::string in_our_words(const CLI::App& app, const CLI::ParseError& e) {
    std::string what = e.what();  // not const: the "is required" case returns it by move
    if (dynamic_cast<const CLI::ExcludesError*>(&e) != nullptr) {
        auto at = what.find(" excludes ");
        if (at != std::string::npos) return what.substr(0, at) + " and " + what.substr(at + 10) + " cannot be given together";
    }
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
        if (what.find("flag override") != std::string::npos) return leading_name(what) + " takes no value";
        return leading_name(what) + " needs a value";
    }
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
        if (what.find("ubcommand") != std::string::npos)
            return "a subcommand is required (one of: " + subcommand_list(app) + ")";
        if (what.size() > 12 && what.compare(what.size() - 12, 12, " is required") == 0) return what;
        return "a required option or argument is missing";
    }
    return "bad arguments";
}

}  // namespace

void describe_tool(CLI::App& app, const std::string& examples) {
    app.set_version_flag("--version", std::string(app.get_name()) + " " + netreactor::version());
    if (!examples.empty()) app.footer("Examples:\n" + examples);
    app.get_formatter()->column_width(32);
    app.allow_extras();  // reported by parse_or_exit, in our words
}

CLI::App* add_subcommand(CLI::App& app, const std::string& name, const std::string& description) {
    CLI::App* sub = app.add_subcommand(name, description);
    sub->allow_extras();
    return sub;
}

void parse_or_exit(CLI::App& app, int argc, char** argv, JsonOutput& out) {
    const char* tool = app.get_name().c_str();
    try {
        app.parse(argc, argv);
        if (auto extra = unexpected_argument(app)) usage_error(out, tool, *extra);
        check_given_once(app);
        for (const std::string& notice : deprecation_notices(app)) std::fprintf(stderr, "%s: %s\n", tool, notice.c_str());
    } catch (const CLI::CallForHelp& e) {
        std::exit(app.exit(e));
    } catch (const CLI::CallForAllHelp& e) {
        std::exit(app.exit(e));
    } catch (const CLI::CallForVersion& e) {
        std::exit(app.exit(e));
    } catch (const CLI::ParseError& e) {
        if (auto extra = unexpected_argument(app)) usage_error(out, tool, *extra);
        usage_error(out, tool, in_our_words(app, e));
    } catch (const UsageError& e) {
        usage_error(out, tool, e.what());
    }
}

void usage_error(JsonOutput& out, const char* tool, const std::string& message) {
    report_error(out, tool, netreactor::Error("EUSAGE", message + " (see --help)", "arguments"));
    std::exit(exit_usage);
}

}  // namespace nrapp
