// Service specs as typed on a command line: "80/tcp", "53/udp", "http",
// "domain/udp", "80". Pure: bytes in, a spec or an error out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netinfo {

struct ServiceSpec {
    std::optional<std::uint16_t> port;  // set: look up by port; else by name
    std::string name;                   // the service name when no port
    std::string protocol;               // lower case; empty: any protocol
};

struct ServiceSpecParse {
    bool ok = false;
    ServiceSpec spec;
    std::string error;
};

// SPEC is NAME or PORT, optionally followed by /PROTOCOL. A port is 1-5
// decimal digits, 0-65535; a name is 1-64 of [A-Za-z0-9._+-] and not all
// digits; a protocol is 1-16 of [A-Za-z0-9-] starting with a letter.
ServiceSpecParse parse_service_spec(std::string_view text);

}  // namespace netinfo
