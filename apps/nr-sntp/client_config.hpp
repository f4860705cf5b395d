// What nr-sntp was asked to do.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace sntpc {

// One SERVER[:PORT] argument: a name or a numeric address.
struct ServerSpec {
    std::string text;  // as given, for the output's "server"
    std::string host;  // brackets removed
    std::uint16_t port = 123;
};

enum class OutputFormat { json, text };

struct ClientConfig {
    std::vector<ServerSpec> servers;
    int family = AF_UNSPEC;                       // -4: AF_INET, -6: AF_INET6
    std::chrono::milliseconds timeout{5000};      // per sample
    unsigned samples = 1;
    std::chrono::milliseconds interval{2000};     // between samples to one address
    std::vector<std::string> dns_servers;         // empty: the system's configuration
    OutputFormat format = OutputFormat::json;
};

}  // namespace sntpc
