// lookup_addresses(): the addresses c-ares' getaddrinfo finds (A and AAAA
// merged, the hosts file first), deduplicated, with the port asked.
#include "dns/dns_status.hpp"
#include "resolver_impl.hpp"

namespace netreactor {

void AddressState::fail(DnsStatus status, Error error) {
    result.addresses.clear();
    result.status = status;
    result.error = std::move(error);
}
void AddressState::deliver() {
    delivering = true;  // as QueryState::deliver()
    callback(std::move(result));
    delivering = false;
    Resolver::Impl::maybe_free(this);
}

void on_addrinfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* info) {
    auto* state = static_cast<AddressState*>(arg);
    Resolver::Impl* impl = state->impl;
    state->in_ares = false;
    impl->channel->pending--;
    if (!state->live || impl->destroyed) {
        if (info != nullptr) ares_freeaddrinfo(info);
        Resolver::Impl::maybe_free(state);
        return;
    }
    AddressLookup& result = state->result;
    if (status == ARES_SUCCESS && info != nullptr) {
        for (auto* cname = info->cnames; cname != nullptr; cname = cname->next) {
            if (cname->alias != nullptr) result.cname_chain.emplace_back(cname->alias);
        }
        for (auto* node = info->nodes; node != nullptr; node = node->ai_next) {
            SocketAddress address(node->ai_addr);
            if (address.empty()) continue;
            address.set_port(state->port);
            bool seen = false;
            for (const auto& a : result.addresses) seen = seen || a == address;
            if (!seen) result.addresses.push_back(address);
        }
    }
    if (info != nullptr) ares_freeaddrinfo(info);
    if (result.addresses.empty()) {
        int effective = status == ARES_SUCCESS ? ARES_ENODATA : status;
        DnsStatus s = status_from_ares(effective);
        std::string_view code = effective == ARES_EBADFAMILY ? "EAFNOSUPPORT" : std::string_view{};
        std::string message = s == DnsStatus::NoData ? "the name has no address of the family asked"
                                                     : ares_failure_message(s, effective);
        state->fail(s, lookup_error(s, message, code));
    }
    impl->complete(state);
}

}  // namespace netreactor
