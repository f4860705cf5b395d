#include "netreactor/resolver.hpp"

#include <cstring>

#include "dns/ares_channel.hpp"
#include "loop_impl.hpp"

namespace netreactor {

struct Resolver::Impl {
    AresChannel* channel;
    std::vector<std::string> servers;
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

}  // namespace

Resolver::Resolver(Loop& loop, const ResolverOptions& options) : impl_(new Impl{nullptr, {}}) {
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

void Resolver::lookup_addresses(std::string_view name, int family, std::uint16_t port, AddressCallback callback) {
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

void Resolver::cancel_all() {
    AresChannel* channel = impl_->channel;
    channel->run([&] { ares_cancel(channel->get()); });
}

std::size_t Resolver::pending() const noexcept { return impl_->channel->pending; }

std::vector<std::string> Resolver::servers() const { return impl_->servers; }

}  // namespace netreactor
