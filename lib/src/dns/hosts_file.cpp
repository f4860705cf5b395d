#include "hosts_file.hpp"

#include <cctype>
#include <fstream>

namespace netreactor {

namespace {

std::string key_of(std::string_view name) {
    if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);
    std::string key;
    key.reserve(name.size());
    for (char c : name) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return key;
}

}  // namespace

HostsFile::HostsFile(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) add_line(line);
}

void HostsFile::add_line(std::string_view line) {
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        std::size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        if (i > start) fields.push_back(line.substr(start, i - start));
    }
    if (fields.size() < 2) return;
    auto address = SocketAddress::parse(fields[0], 0);
    if (!address) return;
    for (std::size_t f = 1; f < fields.size(); ++f) {
        auto& list = by_name_[key_of(fields[f])];
        bool seen = false;
        for (const auto& a : list) seen = seen || a == *address;
        if (!seen) list.push_back(*address);
    }
}

std::vector<SocketAddress> HostsFile::lookup(std::string_view name, int family) const {
    auto it = by_name_.find(key_of(name));
    if (it == by_name_.end()) return {};
    std::vector<SocketAddress> out;
    for (const auto& a : it->second)
        if (family == AF_UNSPEC || a.family() == family) out.push_back(a);
    return out;
}

}  // namespace netreactor
