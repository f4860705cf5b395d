// Command-line conventions shared by every tool: CLI11 parsing, --version,
// --pretty, bad arguments reported as a JSON error with exit status 2.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "json_output.hpp"

namespace nrapp {

// Sets the description, the examples shown by --help, and the --version flag.
void describe_tool(CLI::App& app, const std::string& examples);

// Parses argv. On --help/--version prints and exits 0; on a bad argument
// prints {"error":{"code":"EUSAGE",...}} on stdout, the message on stderr, and
// exits with exit_usage.
void parse_or_exit(CLI::App& app, int argc, char** argv, JsonOutput& out);

// Reports a usage error found after parsing (a value CLI11 cannot check) and
// exits with exit_usage.
[[noreturn]] void usage_error(JsonOutput& out, const char* tool, const std::string& message);

// A validator for durations in seconds: a finite number >= 0.
const CLI::Validator& non_negative_seconds();

}  // namespace nrapp
