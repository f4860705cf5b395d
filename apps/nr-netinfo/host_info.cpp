#include "host_info.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netdb.h>
#include <unistd.h>

#include <array>
#include <bit>
#include <cstdio>
#include <memory>
#include <utility>

namespace netinfo {

namespace {

using nrapp::json;

std::string numeric_host(const sockaddr* sa) {
    char text[INET6_ADDRSTRLEN] = "";
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
    return text;
}

const char* family_name(int family) { return family == AF_INET ? "ipv4" : "ipv6"; }

int prefix_length(const sockaddr* mask) {
    if (mask == nullptr) return -1;
    const unsigned char* bytes = nullptr;
    std::size_t n = 0;
    if (mask->sa_family == AF_INET) {
        bytes = reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr);
        n = 4;
    } else if (mask->sa_family == AF_INET6) {
        bytes = reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr.s6_addr;
        n = 16;
    }
    int bits = 0;
    for (std::size_t i = 0; i < n; ++i) bits += std::popcount(bytes[i]);
    return bits;
}

// The flags of <net/if.h>, by the names ip(8) and ifconfig(8) use.
json flag_names(unsigned flags) {
    static constexpr std::array<std::pair<unsigned, const char*>, 16> kFlags = {{
        {IFF_UP, "up"}, {IFF_BROADCAST, "broadcast"}, {IFF_DEBUG, "debug"}, {IFF_LOOPBACK, "loopback"},
        {IFF_POINTOPOINT, "pointopoint"}, {IFF_NOTRAILERS, "notrailers"}, {IFF_RUNNING, "running"},
        {IFF_NOARP, "noarp"}, {IFF_PROMISC, "promisc"}, {IFF_ALLMULTI, "allmulti"}, {IFF_MASTER, "master"},
        {IFF_SLAVE, "slave"}, {IFF_MULTICAST, "multicast"}, {IFF_PORTSEL, "portsel"},
        {IFF_AUTOMEDIA, "automedia"}, {IFF_DYNAMIC, "dynamic"},
    }};
    json names = json::array();
    for (auto [bit, name] : kFlags)
        if (flags & bit) names.push_back(name);
    return names;
}

std::string mac_text(const sockaddr_ll* ll) {
    std::string out;
    char two[4];
    for (int i = 0; i < ll->sll_halen && i < 8; ++i) {
        std::snprintf(two, sizeof two, i ? ":%02x" : "%02x", ll->sll_addr[i]);
        out += two;
    }
    return out;
}

json& interface_entry(json& list, const ifaddrs* ifa) {
    for (auto& entry : list)
        if (entry["name"] == ifa->ifa_name) return entry;
    unsigned index = if_nametoindex(ifa->ifa_name);
    list.push_back({{"name", ifa->ifa_name},
                    {"index", index == 0 ? json(nullptr) : json(index)},
                    {"flags", flag_names(ifa->ifa_flags)},
                    {"internal", (ifa->ifa_flags & IFF_LOOPBACK) != 0},
                    {"mac", nullptr},
                    {"addresses", json::array()}});
    return list.back();
}

json address_entry(const ifaddrs* ifa) {
    const sockaddr* sa = ifa->ifa_addr;
    json entry = {{"family", family_name(sa->sa_family)}, {"address", numeric_host(sa)}};
    entry["netmask"] = ifa->ifa_netmask ? json(numeric_host(ifa->ifa_netmask)) : json(nullptr);
    int prefix = prefix_length(ifa->ifa_netmask);
    entry["prefix_length"] = prefix < 0 ? json(nullptr) : json(prefix);
    if (sa->sa_family == AF_INET && (ifa->ifa_flags & IFF_BROADCAST) && ifa->ifa_broadaddr)
        entry["broadcast"] = numeric_host(ifa->ifa_broadaddr);
    if (sa->sa_family == AF_INET6) {
        auto scope = reinterpret_cast<const sockaddr_in6*>(sa)->sin6_scope_id;
        if (scope != 0) entry["scope_id"] = scope;
    }
    return entry;
}

}  // namespace

std::string local_host_name() {
    std::array<char, 256> name{};
    if (gethostname(name.data(), name.size() - 1) != 0) return {};
    return name.data();
}

HostAddresses resolve_with_libc(const std::string& name) {
    HostAddresses result;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address instead of one per socket type
    hints.ai_flags = AI_CANONNAME;
    addrinfo* list = nullptr;
    int rc = getaddrinfo(name.c_str(), nullptr, &hints, &list);
    if (rc != 0) {
        static constexpr std::array<std::pair<int, const char*>, 9> kCodes = {{
            {EAI_NONAME, "EAI_NONAME"}, {EAI_AGAIN, "EAI_AGAIN"}, {EAI_FAIL, "EAI_FAIL"},
            {EAI_NODATA, "EAI_NODATA"}, {EAI_FAMILY, "EAI_FAMILY"}, {EAI_MEMORY, "EAI_MEMORY"},
            {EAI_SYSTEM, "EAI_SYSTEM"}, {EAI_ADDRFAMILY, "EAI_ADDRFAMILY"}, {EAI_SERVICE, "EAI_SERVICE"},
        }};
        std::string code = "EAI_" + std::to_string(rc);
        for (auto [value, text] : kCodes)
            if (value == rc) code = text;
        result.error = netreactor::Error(code, gai_strerror(rc), "getaddrinfo");
        return result;
    }
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(list, freeaddrinfo);
    if (list->ai_canonname) result.canonical_name = list->ai_canonname;
    for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        json entry = {{"family", family_name(ai->ai_family)}, {"address", numeric_host(ai->ai_addr)}};
        bool seen = false;
        for (const auto& e : result.addresses) seen = seen || e == entry;
        if (!seen) result.addresses.push_back(entry);
    }
    return result;
}

json interfaces() {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) throw netreactor::SystemError(netreactor::Error::from_errno(errno, "getifaddrs"));
    std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(list, freeifaddrs);
    json result = json::array();
    for (const ifaddrs* ifa = list; ifa; ifa = ifa->ifa_next) {
        json& entry = interface_entry(result, ifa);
        if (ifa->ifa_addr == nullptr) continue;
        int family = ifa->ifa_addr->sa_family;
        if (family == AF_PACKET) {
            auto* ll = reinterpret_cast<const sockaddr_ll*>(ifa->ifa_addr);
            if (ll->sll_halen > 0) entry["mac"] = mac_text(ll);
        } else if (family == AF_INET || family == AF_INET6) {
            entry["addresses"].push_back(address_entry(ifa));
        }
    }
    return result;
}

}  // namespace netinfo
