#include "service_lookup.hpp"

#include <netdb.h>
#include <netinet/in.h>

#include <vector>

#include "entry.hpp"
#include "service_spec.hpp"

namespace netinfo {

namespace {

using nrapp::json;

}  // namespace

json service_report(std::string_view input) {
    ServiceSpecParse parsed = parse_service_spec(input);
    if (!parsed.ok) return error_entry(input, "EINVAL", "not a service spec (NAME[/PROTO] or PORT[/PROTO]): " + parsed.error,
                                       "parse");
    const ServiceSpec& spec = parsed.spec;
    const char* protocol = spec.protocol.empty() ? nullptr : spec.protocol.c_str();

    servent entry{};
    servent* found = nullptr;
    std::vector<char> buffer(4096);
    const char* operation = spec.port ? "getservbyport" : "getservbyname";
    for (;;) {
        int rc = spec.port ? getservbyport_r(htons(*spec.port), protocol, &entry, buffer.data(), buffer.size(), &found)
                           : getservbyname_r(spec.name.c_str(), protocol, &entry, buffer.data(), buffer.size(), &found);
        if (rc == ERANGE && buffer.size() < (1u << 20)) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        break;
    }
    if (found == nullptr) {
        std::string what = spec.port ? "port " + std::to_string(*spec.port) : "service '" + spec.name + "'";
        std::string proto = spec.protocol.empty() ? "any protocol" : "protocol " + spec.protocol;
        return error_entry(input, "ENOENT", "no " + what + " for " + proto + " in the services database", operation);
    }
    json aliases = json::array();
    for (char** alias = found->s_aliases; alias && *alias; ++alias) aliases.push_back(*alias);
    return {{"input", input},
            {"query", spec.port ? "port" : "name"},
            {"name", found->s_name},
            {"port", ntohs(static_cast<std::uint16_t>(found->s_port))},
            {"protocol", found->s_proto},
            {"aliases", aliases}};
}

}  // namespace netinfo
