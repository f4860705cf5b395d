// Internal: the hosts file, read once and kept as a table.
//
// c-ares reads and parses the file again for every lookup that consults it;
// a bulk run of 100,000 names would parse /etc/hosts 200,000 times. This
// table is loaded on first use and answers in constant time.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "netreactor/address.hpp"

namespace netreactor {

class HostsFile {
public:
    // Reads `path` (a missing or unreadable file is an empty table).
    explicit HostsFile(const std::string& path);
    // Addresses listed for `name` (any case, trailing dot ignored), in file
    // order, of `family` (AF_INET, AF_INET6 or AF_UNSPEC for both).
    std::vector<SocketAddress> lookup(std::string_view name, int family) const;

    // Parses one line of the format: "ADDRESS NAME [ALIAS...] [# comment]".
    void add_line(std::string_view line);

private:
    std::unordered_map<std::string, std::vector<SocketAddress>> by_name_;
};

}  // namespace netreactor
