// The seed's recipe 1.7 ("handling socket errors gracefully") written with
// coroutines: resolve, connect, send an HTTP/1.0 GET, print what comes back
// until the server closes. Each stage has its own try, and a failure is
// reported with its stage, as the recipe does.
//
//   co_http_get --host HOST --port PORT --path PATH [--dns-server IP:PORT]
//   (--file PATH, the recipe's name, is read as --path)
#include <netreactor/co.hpp>
#include <netreactor/netreactor.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace nr = netreactor;
namespace co = netreactor::co;
using namespace std::chrono_literals;

int report(const char* stage, const nr::Error& error) {
    std::fprintf(stderr, "%s: %s\n", stage, error.describe().c_str());
    return 1;
}

co::Task<int> get(nr::Loop& loop, nr::Resolver& resolver, std::string host, std::uint16_t port, std::string file) {
    nr::AddressLookup found = co_await co::lookup(resolver, host, AF_UNSPEC, port, 5s);
    if (found.error) co_return report("Address-related error connecting to server", *found.error);

    co::TcpStream s;
    try {
        s = co_await co::connect(loop, found.addresses.front(), 5s);
    } catch (const nr::SystemError& e) {
        co_return report("Connection error", e.error());
    }

    try {
        co_await s.write("GET " + file + " HTTP/1.0\r\n\r\n");
    } catch (const nr::SystemError& e) {
        co_return report("Error sending data", e.error());
    }

    for (;;) {
        std::span<const char> data;
        try {
            data = co_await co::with_timeout(loop, 10s, s.read_view());
        } catch (const nr::SystemError& e) {
            co_return report("Error receiving data", e.error());
        }
        if (data.empty()) co_return 0;  // the server closed: done
        std::fwrite(data.data(), 1, data.size(), stdout);
    }
}

int main(int argc, char** argv) {
    std::string host, file = "/";
    std::uint16_t port = 80;
    nr::ResolverOptions options;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view flag = argv[i];
        if (flag == "--host") host = argv[i + 1];
        else if (flag == "--port") port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
        else if (flag == "--path" || flag == "--file") file = argv[i + 1];
        else if (flag == "--dns-server") options.servers = {argv[i + 1]};
    }
    if (host.empty()) {
        std::fprintf(stderr, "usage: co_http_get --host HOST [--port PORT] [--path PATH] [--dns-server IP:PORT]\n");
        return 2;
    }
    nr::ignore_sigpipe();
    nr::Loop loop;
    nr::Resolver resolver(loop, options);
    return co::run(loop, get(loop, resolver, host, port, file));
}
