// Command-line conventions shared by every tool: CLI11 parsing, --version,
// --pretty, bad arguments reported as a JSON error with exit status 2.
// Options are declared with the readers of options.hpp.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "json_output.hpp"
#include "options.hpp"

namespace nrapp {

// Sets the description, the examples shown by --help, and the --version flag.
// Unknown options and arguments are reported by parse_or_exit in the project's
// words (not CLI11's), and every option may be given once unless repeatable.
void describe_tool(CLI::App& app, const std::string& examples);

// Adds a subcommand that follows the same conventions as the tool.
CLI::App* add_subcommand(CLI::App& app, const std::string& name, const std::string& description);

// Parses argv. On --help/--version prints and exits 0; on a bad argument
// prints {"error":{"code":"EUSAGE",...}} on stdout, the message on stderr, and
// exits with exit_usage. Checks, after CLI11: unknown options, unexpected
// arguments and unknown subcommands; options given more than once. A command
// line that uses a deprecated name (options.hpp, deprecate) parses, and gets
// one notice per such name on stderr.
void parse_or_exit(CLI::App& app, int argc, char** argv, JsonOutput& out);

// Reports a usage error found after parsing (a value CLI11 cannot check) and
// exits with exit_usage.
[[noreturn]] void usage_error(JsonOutput& out, const char* tool, const std::string& message);

}  // namespace nrapp
