#include "netreactor/resolver.hpp"

#include <cctype>
#include <cstring>
#include <memory>

#include "dns/ares_channel.hpp"
#include "dns/hosts_file.hpp"
#include "loop_impl.hpp"

namespace netreactor {

struct Resolver::Impl {
    AresChannel* channel;
    std::vector<std::string> servers;
    bool use_hosts_file = true;
    std::unique_ptr<HostsFile> hosts;  // loaded on first use
};

namespace {

// One getaddrinfo in flight: the user's callback and what to report.
struct AddressQuery {
    AresChannel* channel;
    Resolver::AddressCallback callback;
    AddressLookup result;
    std::uint16_t port;
};

void on_addrinfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* info) {
    auto* query = static_cast<AddressQuery*>(arg);
    query->channel->pending--;
    AddressLookup& result = query->result;
    if (status == ARES_SUCCESS && info != nullptr) {
        for (auto* cname = info->cnames; cname != nullptr; cname = cname->next) {
            if (cname->alias != nullptr) result.cname_chain.emplace_back(cname->alias);
        }
        for (auto* node = info->nodes; node != nullptr; node = node->ai_next) {
            SocketAddress address(node->ai_addr);
            if (address.empty()) continue;
            address.set_port(query->port);
            bool seen = false;
            for (const auto& a : result.addresses) seen = seen || a == address;
            if (!seen) result.addresses.push_back(address);
        }
        if (result.addresses.empty()) result.error = dns_error(ARES_ENODATA);
    } else {
        result.error = dns_error(status == ARES_SUCCESS ? ARES_ENODATA : status);
    }
    if (info != nullptr) ares_freeaddrinfo(info);
    if (query->channel->deliver_callbacks) {
        auto callback = std::move(query->callback);
        auto value = std::move(query->result);
        delete query;
        callback(std::move(value));
    } else {
        delete query;
    }
}

// One query() in flight.
struct RawQuery {
    AresChannel* channel;
    Resolver::QueryCallback callback;
    DnsQueryResult result;
    std::uint64_t started_ns;
};

void set_failure(DnsQueryResult& r, std::string status, std::string code, std::string message) {
    r.status = std::move(status);
    r.error = Error(std::move(code), std::move(message), "resolve");
}

// The status of a question from c-ares' status and the decoded answer.
void classify(DnsQueryResult& r, int ares_status, const unsigned char* abuf, int alen) {
    if (abuf == nullptr || alen <= 0) {
        switch (ares_status) {
            case ARES_ETIMEOUT: return set_failure(r, "TIMEOUT", "ETIMEDOUT", "no answer from the DNS server in time");
            case ARES_ECONNREFUSED:
                return set_failure(r, "CONNREFUSED", "ECONNREFUSED", "the DNS server refused the connection");
            case ARES_EDESTRUCTION:
            case ARES_ECANCELLED: return set_failure(r, "CANCELED", "ECANCELED", "query canceled");
            case ARES_EBADNAME: return set_failure(r, "BADNAME", "BADNAME", ares_strerror(ares_status));
            default: {
                std::string code = dns_status_code(ares_status == ARES_SUCCESS ? ARES_EBADRESP : ares_status);
                return set_failure(r, code, code, ares_strerror(ares_status));
            }
        }
    }
    auto parsed = parse_dns_message({abuf, static_cast<std::size_t>(alen)});
    if (!parsed.message) return set_failure(r, "BADRESP", "BADRESP", parsed.error->message());
    r.message = std::move(parsed.message);
    const DnsMessage& m = *r.message;
    if (m.rcode != 0) {
        std::string name = dns_rcode_name(m.rcode);
        return set_failure(r, name, name, "the DNS server answered " + name);
    }
    for (const auto& record : m.answers) {
        if (record.type == r.type) {
            r.status = "NOERROR";
            return;
        }
    }
    if (follow_cnames(m.answers, r.name).loop)
        return set_failure(r, "CNAME_LOOP", "CNAME_LOOP", "the CNAME chain loops");
    set_failure(r, "NODATA", "NODATA", "no " + dns_type_name(r.type) + " record for this name");
}

void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    auto* query = static_cast<RawQuery*>(arg);
    AresChannel* channel = query->channel;
    channel->pending--;
    if (!channel->deliver_callbacks) {
        delete query;
        return;
    }
    DnsQueryResult& r = query->result;
    r.rtt_ms = static_cast<double>(monotonic_ns() - query->started_ns) / 1e6;
    if (abuf != nullptr) {
        auto source = channel->answer_source();
        r.tcp = source.tcp;
        if (!source.server.empty()) r.server = std::move(source.server);
    }
    classify(r, status, abuf, alen);
    auto callback = std::move(query->callback);
    auto value = std::move(query->result);
    delete query;
    callback(std::move(value));
}

}  // namespace

Resolver::Resolver(Loop& loop, const ResolverOptions& options) : impl_(new Impl{nullptr, {}, options.use_hosts_file, {}}) {
    try {
        impl_->channel = new AresChannel(uv_loop_of(loop), options);
    } catch (...) {
        delete impl_;
        throw;
    }
    ares_addr_port_node* list = nullptr;
    if (ares_get_servers_ports(impl_->channel->get(), &list) == ARES_SUCCESS) {
        for (auto* node = list; node != nullptr; node = node->next) {
            sockaddr_storage ss{};
            if (node->family == AF_INET) {
                auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
                sin->sin_family = AF_INET;
                std::memcpy(&sin->sin_addr, &node->addr.addr4, sizeof sin->sin_addr);
                sin->sin_port = htons(static_cast<std::uint16_t>(node->udp_port ? node->udp_port : 53));
            } else if (node->family == AF_INET6) {
                auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
                sin6->sin6_family = AF_INET6;
                std::memcpy(&sin6->sin6_addr, &node->addr.addr6, sizeof sin6->sin6_addr);
                sin6->sin6_port = htons(static_cast<std::uint16_t>(node->udp_port ? node->udp_port : 53));
            }
            impl_->servers.push_back(SocketAddress(reinterpret_cast<sockaddr*>(&ss)).to_string());
        }
        ares_free_data(list);
    }
}

Resolver::~Resolver() {
    impl_->channel->destroy();
    delete impl_;
}

namespace {

bool is_localhost(std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    constexpr std::string_view kLocalhost = "localhost";
    if (name.size() != kLocalhost.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(name[i])) != kLocalhost[i]) return false;
    }
    return true;
}

}  // namespace

void Resolver::lookup_addresses(std::string_view name, int family, std::uint16_t port, AddressCallback callback) {
    if (family == AF_INET6 && impl_->use_hosts_file && is_localhost(name)) {
        // The answer is ::1 whether the hosts file has it or c-ares makes it
        // up (RFC 6761), but c-ares 1.18.1 leaks the copy of the name when it
        // makes it up (found by LeakSanitizer in nr-fetch -6 --host localhost).
        AddressLookup result;
        result.name = std::string(name);
        result.addresses.push_back(*SocketAddress::parse("::1", port));
        callback(std::move(result));
        return;
    }
    auto* query = new AddressQuery{impl_->channel, std::move(callback), {}, port};
    query->result.name = std::string(name);
    ares_addrinfo_hints hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
    AresChannel* channel = impl_->channel;
    channel->pending++;
    std::string node(name);
    channel->run([&] { ares_getaddrinfo(channel->get(), node.c_str(), nullptr, &hints, on_addrinfo, query); });
}

void Resolver::query(std::string_view name, std::uint16_t type, QueryCallback callback) {
    DnsQueryResult result;
    result.name = std::string(name);
    result.type = type;
    if (!impl_->servers.empty()) result.server = impl_->servers.front();
    if (auto bad = validate_dns_name(name)) {
        result.status = "BADNAME";
        result.error = *bad;
        callback(std::move(result));
        return;
    }
    // ares_query, not ares_send: it gives each query a random ID unique among
    // those in flight (c-ares 1.18's ares_send keeps the ID of the buffer it
    // is given, and answers to queries sharing an ID are dropped). With
    // NOCHECKRESP it hands over every answer, whatever its rcode; RD is set.
    AresChannel* channel = impl_->channel;
    auto* query = new RawQuery{channel, std::move(callback), std::move(result), monotonic_ns()};
    channel->pending++;
    channel->run([&] { ares_query(channel->get(), query->result.name.c_str(), 1 /* IN */, type, on_answer, query); });
}

void Resolver::reverse(std::string_view ip, QueryCallback callback) {
    auto name = reverse_name(ip);
    if (!name) {
        DnsQueryResult result;
        result.name = std::string(ip);
        result.type = static_cast<std::uint16_t>(DnsType::PTR);
        result.status = "BADNAME";
        result.error = Error("BADNAME", "not a numeric IPv4 or IPv6 address: " + std::string(ip), "resolve");
        callback(std::move(result));
        return;
    }
    query(*name, static_cast<std::uint16_t>(DnsType::PTR), std::move(callback));
}

std::vector<SocketAddress> Resolver::hosts_file_addresses(std::string_view name, int family) {
    if (!impl_->use_hosts_file) return {};
    if (!impl_->hosts) impl_->hosts = std::make_unique<HostsFile>("/etc/hosts");
    return impl_->hosts->lookup(name, family);
}

void Resolver::cancel_all() {
    AresChannel* channel = impl_->channel;
    channel->run([&] { ares_cancel(channel->get()); });
}

std::size_t Resolver::pending() const noexcept { return impl_->channel->pending; }

std::vector<std::string> Resolver::servers() const { return impl_->servers; }

}  // namespace netreactor
