/// @file
/// @brief netreactor::co::lookup, co::query, co::reverse: Resolver lookups awaited.
///
/// ```cpp
/// AddressLookup found = co_await co::lookup(resolver, "example.test", AF_UNSPEC, 80);
/// if (found.error) { /* NXDOMAIN, TIMEOUT, NOSERVER...: found.status says which */ }
/// ```
///
/// A DNS outcome is a result, not an exception (an NXDOMAIN is an answer):
/// the awaiters give the Resolver's own AddressLookup / DnsQueryResult.
/// Cancellation throws co::Cancelled; a co::with_timeout deadline co::TimedOut
/// (or give the lookup its own deadline, which ends it with TIMEOUT).
#pragma once

#include "netreactor/export.hpp"  // first: the C++20 check

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "netreactor/co/task.hpp"
#include "netreactor/resolver.hpp"

namespace netreactor::co {

/// The awaiter of co::lookup, co::query and co::reverse (R is AddressLookup
/// or DnsQueryResult).
///
/// Cancelling it (or destroying the frame) cancels that one lookup (its
/// DnsLookup handle): the Resolver and its other lookups go on. The Resolver
/// must outlive the wait: destroying it drops its lookups without resuming
/// the tasks waiting on them (they stay suspended until their own owners
/// destroy them).
template <class R>
class ResolveAwaiter : public detail::Operation {
public:
    /// What a lookup is: an address lookup, a question, a reverse lookup.
    enum class Kind : std::uint8_t { addresses, question, reverse };

    /// Prefer co::lookup, co::query, co::reverse.
    explicit ResolveAwaiter(Resolver& resolver, Kind kind, std::string_view name, int family, std::uint16_t number,
                   std::chrono::milliseconds deadline)
        : Operation(std::type_identity<ResolveAwaiter>{}),
          resolver_(&resolver),
          kind_(kind),
          name_(name),
          family_(family),
          number_(number),
          deadline_(deadline) {}
    /// Only before it is awaited.
    ResolveAwaiter(ResolveAwaiter&& other) noexcept
        : Operation(std::move(other)),
          resolver_(other.resolver_),
          kind_(other.kind_),
          name_(std::move(other.name_)),
          family_(other.family_),
          number_(other.number_),
          deadline_(other.deadline_) {}

    bool await_ready() const noexcept { return false; }
    template <class P>
    bool await_suspend(std::coroutine_handle<P> h) {
        if (!begin(h)) return false;
        auto done = [this](R result) {
            result_ = std::move(result);
            complete();
        };
        if constexpr (std::is_same_v<R, AddressLookup>) {
            lookup_ = resolver_->lookup_addresses(name_, family_, number_, std::move(done), deadline_);
        } else if (kind_ == Kind::reverse) {
            lookup_ = resolver_->reverse(name_, std::move(done), deadline_);
        } else {
            lookup_ = resolver_->query(name_, number_, std::move(done), deadline_);
        }
        return true;
    }
    R await_resume() {
        if (cancelled_) throw Cancelled("resolve");
        return std::move(result_);
    }
    /// Cancellation: cancels the lookup (see the class comment).
    void on_cancel() noexcept {
        lookup_.cancel();
        complete_cancelled();
    }

private:
    Resolver* resolver_;
    Kind kind_;
    std::string name_;
    int family_;
    std::uint16_t number_;  // the port (addresses) or the type (question)
    std::chrono::milliseconds deadline_;
    DnsLookup lookup_;  // destroyed with the frame: cancels the lookup
    R result_;
};

/// The addresses of `name` (hosts file first if the resolver's options say
/// so; a numeric address answers without a query) for `family` (AF_INET,
/// AF_INET6, AF_UNSPEC), with `port` set. `deadline` zero: the options'.
inline ResolveAwaiter<AddressLookup> lookup(Resolver& resolver, std::string_view name, int family,
                                            std::uint16_t port,
                                            std::chrono::milliseconds deadline = std::chrono::milliseconds{0}) {
    using Awaiter = ResolveAwaiter<AddressLookup>;
    return Awaiter(resolver, Awaiter::Kind::addresses, name, family, port, deadline);
}

/// The records of `type` at exactly `name` (see Resolver::query).
inline ResolveAwaiter<DnsQueryResult> query(Resolver& resolver, std::string_view name, std::uint16_t type,
                                            std::chrono::milliseconds deadline = std::chrono::milliseconds{0}) {
    using Awaiter = ResolveAwaiter<DnsQueryResult>;
    return Awaiter(resolver, Awaiter::Kind::question, name, AF_UNSPEC, type, deadline);
}

/// The PTR records of a numeric address (see Resolver::reverse).
inline ResolveAwaiter<DnsQueryResult> reverse(Resolver& resolver, std::string_view ip,
                                              std::chrono::milliseconds deadline = std::chrono::milliseconds{0}) {
    using Awaiter = ResolveAwaiter<DnsQueryResult>;
    return Awaiter(resolver, Awaiter::Kind::reverse, ip, AF_UNSPEC, 0, deadline);
}

}  // namespace netreactor::co
