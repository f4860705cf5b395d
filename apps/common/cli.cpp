#include "cli.hpp"

#include <cmath>
#include <cstdlib>

#include "exit_status.hpp"
#include "netreactor/version.hpp"

namespace nrapp {

void describe_tool(CLI::App& app, const std::string& examples) {
    app.set_version_flag("--version", std::string(app.get_name()) + " " + netreactor::version());
    if (!examples.empty()) app.footer("Examples:\n" + examples);
    app.get_formatter()->column_width(32);
}

void parse_or_exit(CLI::App& app, int argc, char** argv, JsonOutput& out) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        std::exit(app.exit(e));
    } catch (const CLI::CallForAllHelp& e) {
        std::exit(app.exit(e));
    } catch (const CLI::CallForVersion& e) {
        std::exit(app.exit(e));
    } catch (const CLI::ParseError& e) {
        usage_error(out, app.get_name().c_str(), e.what());
    }
}

void usage_error(JsonOutput& out, const char* tool, const std::string& message) {
    report_error(out, tool, netreactor::Error("EUSAGE", message + " (see --help)", "arguments"));
    std::exit(exit_usage);
}

const CLI::Validator& non_negative_seconds() {
    static const CLI::Validator validator(
        [](const std::string& text) -> std::string {
            char* end = nullptr;
            double value = std::strtod(text.c_str(), &end);
            if (end == text.c_str() || *end != '\0' || !std::isfinite(value) || value < 0)
                return "not a duration in seconds (a number >= 0): " + text;
            return {};
        },
        "SECONDS");
    return validator;
}

}  // namespace nrapp
