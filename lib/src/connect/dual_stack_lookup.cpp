#include "dual_stack_lookup.hpp"

#include "host_rules.hpp"

namespace netreactor {

using namespace connect_rules;

DualStackLookup::DualStackLookup(Loop& loop, std::string_view host, std::uint16_t port, int family,
                                 const ResolverOptions& options, Callback callback)
    : host_(host), port_(port), family_(family), callback_(std::move(callback)), kick_(loop) {
    literal_ = parse_literal(host_, port_);
    // A literal needs no resolver (and none of its set-up cost); a bad name
    // is refused before anything is asked.
    if (!literal_ && !check_host_name(host_)) resolver_ = std::make_unique<Resolver>(loop, options);
    kick_.start(std::chrono::milliseconds(0), [this] { run(); });
}

DualStackLookup::~DualStackLookup() { *alive_ = false; }

void DualStackLookup::deliver(Answer answer) {
    if (!answer.v6.empty() || !answer.v4.empty()) found_any_ = true;
    if (answer.complete && !found_any_ && !answer.error) answer.error = no_address(host_, family_, failures_);
    auto callback = callback_;  // the callback may destroy *this (and callback_ with it)
    callback(std::move(answer));
}

void DualStackLookup::answer_now(std::vector<SocketAddress> found) {
    Answer answer;
    for (const SocketAddress& a : found) {
        if (family_ != AF_UNSPEC && a.family() != family_) continue;
        (a.is_ipv6() ? answer.v6 : answer.v4).push_back(a);
    }
    answer.complete = true;
    deliver(std::move(answer));
}

void DualStackLookup::run() {
    if (literal_) {
        if (family_ != AF_UNSPEC && literal_->family() != family_) {
            deliver({{}, {}, true, wrong_family(host_, family_)});
            return;
        }
        answer_now({*literal_});
        return;
    }
    if (auto bad = check_host_name(host_)) {
        deliver({{}, {}, true, *bad});
        return;
    }
    // The hosts file first, as getaddrinfo's "files dns": a name it lists is
    // never asked of DNS, whichever families it lists.
    std::vector<SocketAddress> listed = resolver_->hosts_file_addresses(host_, AF_UNSPEC);
    for (SocketAddress& a : listed) a.set_port(port_);
    if (is_localhost(host_)) {
        // RFC 6761 section 6.3: loopback, never DNS. The hosts file's entries
        // stand; with -6 and no IPv6 entry, ::1 (as the Resolver answers).
        bool has_v4 = false, has_v6 = false;
        for (const auto& a : listed) (a.is_ipv6() ? has_v6 : has_v4) = true;
        if (!has_v4 && family_ != AF_INET6) listed.push_back(*SocketAddress::parse("127.0.0.1", port_));
        if (!has_v6 && family_ == AF_INET6) listed.push_back(*SocketAddress::parse("::1", port_));
    }
    if (!listed.empty()) {
        answer_now(std::move(listed));
        return;
    }
    // RFC 8305 section 3: AAAA and A together, AAAA first.
    std::vector<int> families;
    if (family_ != AF_INET) families.push_back(AF_INET6);
    if (family_ != AF_INET6) families.push_back(AF_INET);
    outstanding_ = static_cast<int>(families.size());
    for (int family : families) {
        // Answers come from the loop, never inside lookup_addresses; the
        // handles cancel what is still pending when this object goes.
        lookups_.push_back(resolver_->lookup_addresses(
            host_, family, port_, [this, family](AddressLookup lookup) { on_family(family, std::move(lookup)); }));
    }
}

void DualStackLookup::on_family(int family, AddressLookup lookup) {
    outstanding_--;
    Answer answer;
    for (const SocketAddress& a : lookup.addresses)
        if (a.family() == family) (family == AF_INET6 ? answer.v6 : answer.v4).push_back(a);
    if (lookup.error) failures_.push_back(*lookup.error);
    answer.complete = outstanding_ == 0;
    deliver(std::move(answer));
}

}  // namespace netreactor
