// The Resolver's public calls: each starts a lookup (resolver_impl.hpp says
// where the rest of a lookup's life is).
#include "netreactor/resolver.hpp"

#include <cctype>
#include <cstring>

#include "dns/dns_status.hpp"
#include "dns/dns_wire.hpp"
#include "loop_impl.hpp"
#include "resolver_impl.hpp"

namespace netreactor {

Resolver::Resolver(Loop& loop, const ResolverOptions& options) : impl_(new Impl) {
    impl_->loop = uv_loop_of(loop);
    impl_->use_hosts_file = options.use_hosts_file;
    impl_->parse_options.additional = options.keep_additional_section;
    impl_->default_deadline = options.deadline;
    impl_->spare_messages.resize(Impl::kSpareResults);
    impl_->spare_names.reserve(Impl::kSpareResults);
    try {
        impl_->channel = new AresChannel(impl_->loop, options);
    } catch (...) {
        delete impl_;
        throw;
    }
    impl_->channel->set_observer(impl_);
    uv_timer_init(impl_->loop, &impl_->deadline_timer);
    impl_->deadline_timer.data = impl_;
    uv_idle_init(impl_->loop, &impl_->delivery);
    impl_->delivery.data = impl_;
    impl_->open_handles = 2;
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

Resolver::~Resolver() { impl_->shutdown(); }

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

DnsLookup Resolver::lookup_addresses(std::string_view name, int family, std::uint16_t port, AddressCallback callback,
                                     std::chrono::milliseconds deadline) {
    auto* state = new AddressState;
    state->callback = std::move(callback);
    state->port = port;
    state->result.name = std::string(name);
    DnsLookup handle = impl_->start(state, deadline);
    if (std::memchr(name.data(), '\0', name.size()) != nullptr) {
        // c-ares reads a C string: it would ask another name.
        state->fail(DnsStatus::BadName, lookup_error(DnsStatus::BadName, "invalid domain name: contains a NUL byte"));
        impl_->complete(state);
        return handle;
    }
    if (family == AF_INET6 && impl_->use_hosts_file && is_localhost(name)) {
        // The answer is ::1 whether the hosts file has it or c-ares makes it
        // up (RFC 6761), but c-ares 1.18.1 leaks the copy of the name when it
        // makes it up (found by LeakSanitizer in nr-fetch -6 --host localhost).
        state->result.addresses.push_back(*SocketAddress::parse("::1", port));
        impl_->complete(state);
        return handle;
    }
    ares_addrinfo_hints hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address, not one per socket type
    AresChannel* channel = impl_->channel;
    state->in_ares = true;
    channel->pending++;
    std::string node(name);
    channel->submit([&] { ares_getaddrinfo(channel->get(), node.c_str(), nullptr, &hints, on_addrinfo, state); });
    return handle;
}

DnsLookup Resolver::query(std::string_view name, std::uint16_t type, QueryCallback callback,
                          std::chrono::milliseconds deadline) {
    auto* state = new QueryState;
    state->callback = std::move(callback);
    DnsQueryResult& result = state->result;
    result.name = impl_->query_name(name);
    result.type = type;
    if (!impl_->servers.empty()) result.server = impl_->servers.front();
    DnsLookup handle = impl_->start(state, deadline);
    std::string why;
    DnsQueryBytes packet;
    if (!build_dns_query(name, type, 0, packet, why)) {
        state->fail(DnsStatus::BadName, lookup_error(DnsStatus::BadName, "invalid domain name: " + why));
        impl_->complete(state);
        return handle;
    }
    auto id = impl_->free_id();
    if (!id) {
        state->fail(DnsStatus::Failed, lookup_error(DnsStatus::Failed, "65536 queries in flight: no DNS ID left"));
        impl_->complete(state);
        return handle;
    }
    // Our own bytes through ares_send: we know each query's ID (to report an
    // undecodable answer to it at once), and the name is exactly the one
    // given, escapes read as RFC 1035 says. IDs are unique among the
    // queries in flight (c-ares 1.18's ares_send keeps the ID it is given, and
    // answers to queries sharing an ID are dropped). With NOCHECKRESP it hands
    // over every answer, whatever its rcode.
    state->id = *id;
    impl_->by_id.insert(*id, state);
    packet.bytes[0] = static_cast<std::uint8_t>(*id >> 8);
    packet.bytes[1] = static_cast<std::uint8_t>(*id & 0xff);
    AresChannel* channel = impl_->channel;
    state->in_ares = true;
    channel->pending++;
    channel->submit([&] { ares_send(channel->get(), packet.bytes.data(), static_cast<int>(packet.size), on_query_answer, state); });
    return handle;
}

DnsLookup Resolver::reverse(std::string_view ip, QueryCallback callback, std::chrono::milliseconds deadline) {
    auto name = reverse_name(ip);
    if (!name) {
        auto* state = new QueryState;
        state->callback = std::move(callback);
        state->result.name = std::string(ip);
        state->result.type = static_cast<std::uint16_t>(DnsType::PTR);
        DnsLookup handle = impl_->start(state, deadline);
        state->fail(DnsStatus::BadName,
                    lookup_error(DnsStatus::BadName, "not a numeric IPv4 or IPv6 address: " + std::string(ip)));
        impl_->complete(state);
        return handle;
    }
    return query(*name, static_cast<std::uint16_t>(DnsType::PTR), std::move(callback), deadline);
}

std::vector<SocketAddress> Resolver::hosts_file_addresses(std::string_view name, int family) {
    if (!impl_->use_hosts_file) return {};
    if (!impl_->hosts) impl_->hosts = std::make_unique<HostsFile>("/etc/hosts");
    return impl_->hosts->lookup(name, family);
}

void Resolver::cancel_all() {
    while (impl_->live_head != nullptr) {
        DnsLookupState* state = impl_->live_head;
        state->fail(DnsStatus::Canceled, lookup_error(DnsStatus::Canceled, "lookup canceled"));
        impl_->complete(state);
    }
    impl_->reap();
}

void Resolver::recycle(DnsQueryResult&& spent) noexcept {
    // The message slots exist and the names were reserved up front: nothing here allocates.
    if (spent.message && impl_->spare_message_count < Impl::kSpareResults)
        impl_->spare_messages[impl_->spare_message_count++] = std::move(*spent.message);
    spent.message.reset();
    // A name in its string's own buffer (15 bytes or fewer) is no storage to keep.
    if (spent.name.capacity() > std::string().capacity() && impl_->spare_names.size() < Impl::kSpareResults)
        impl_->spare_names.push_back(std::move(spent.name));
    spent.name.clear();
}

std::size_t Resolver::pending() const noexcept { return impl_->outstanding; }

std::vector<std::string> Resolver::servers() const { return impl_->servers; }

}  // namespace netreactor