// Many DNS lookups at once on one thread: every name is submitted up front
// (at most --concurrency in flight), and the answers are printed as they
// arrive, in whatever order the servers answer.
//
//   dns_lookups [--dns-server IP[:PORT]] [--concurrency 64] [--timeout 2] NAME...
//   prints "NAME ADDRESS..." or "NAME error CODE" per name; exits 1 if any failed
#include <netreactor/netreactor.hpp>

#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace nr = netreactor;

class Lookups {
public:
    Lookups(nr::Resolver& resolver, std::deque<std::string> names, std::size_t concurrency)
        : resolver_(resolver), waiting_(std::move(names)), concurrency_(concurrency) {}

    // Submits until the window is full; every completion submits the next name.
    void fill() {
        while (!waiting_.empty() && lookups_.size() < concurrency_) {
            std::string name = std::move(waiting_.front());
            waiting_.pop_front();
            // The handle keeps the lookup going; dropping it would cancel it.
            // The callback always runs later, from the loop (hosts file and
            // numeric addresses included), so done() never nests in fill().
            std::uint64_t id = next_id_++;
            lookups_.emplace(id, resolver_.lookup_addresses(name, AF_UNSPEC, 0, [this, id](const nr::AddressLookup& result) {
                lookups_.erase(id);  // the finished lookup's handle: nothing left to cancel
                done(result);
            }));
        }
    }
    int failed() const { return failed_; }

private:
    void done(const nr::AddressLookup& result) {
        std::string line = result.name;
        if (result.error) {
            ++failed_;
            line += " error " + result.error->code();
        }
        for (const nr::SocketAddress& address : result.addresses) line += " " + address.ip();
        std::printf("%s\n", line.c_str());
        fill();
    }

    nr::Resolver& resolver_;
    std::deque<std::string> waiting_;
    std::size_t concurrency_;
    std::unordered_map<std::uint64_t, nr::DnsLookup> lookups_;  // the lookups in flight
    std::uint64_t next_id_ = 0;
    int failed_ = 0;
};

int main(int argc, char** argv) {
    nr::ignore_sigpipe();
    nr::ResolverOptions options;
    std::size_t concurrency = 64;
    std::deque<std::string> names;
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        bool has_value = i + 1 < argc;
        if (flag == "--dns-server" && has_value) options.servers.emplace_back(argv[++i]);
        else if (flag == "--concurrency" && has_value) concurrency = std::strtoul(argv[++i], nullptr, 10);
        else if (flag == "--timeout" && has_value) options.timeout = std::chrono::ceil<std::chrono::milliseconds>(std::chrono::duration<double>(std::atof(argv[++i])));
        else if (flag.starts_with("--")) { std::fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
        else names.emplace_back(argv[i]);
    }
    if (names.empty() || concurrency == 0) {
        std::fprintf(stderr, "usage: dns_lookups [--dns-server IP[:PORT]] [--concurrency N] NAME...\n");
        return 2;
    }

    nr::Loop loop;
    try {
        nr::Resolver resolver(loop, options);  // throws for a malformed --dns-server
        Lookups lookups(resolver, std::move(names), concurrency);
        std::uint64_t start = nr::monotonic_ns();
        lookups.fill();
        loop.run();  // returns once no query is pending
        std::fprintf(stderr, "%d failed, %.1f ms\n", lookups.failed(), (nr::monotonic_ns() - start) / 1e6);
        return lookups.failed() ? 1 : 0;
    } catch (const nr::SystemError& e) {
        std::fprintf(stderr, "%s\n", e.error().describe().c_str());
        return 2;
    }
}
