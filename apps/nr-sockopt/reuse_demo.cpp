#include "reuse_demo.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "netreactor/error.hpp"
#include "socket_options.hpp"
#include "throw_errno.hpp"

namespace sockopt {

namespace {

using nrapp::json;

void set_reuseaddr(const Socket& s, bool on) {
    int value = on ? 1 : 0;
    if (::setsockopt(s.fd(), SOL_SOCKET, SO_REUSEADDR, &value, sizeof value) != 0)
        nrapp::throw_errno("setsockopt SO_REUSEADDR");
}

// TCP sockets in TIME_WAIT (state 06) whose local port is `port`, counted in
// /proc/net/tcp or tcp6: the kernel's own table, as ss(8) reads it.
int time_wait_count(int family, std::uint16_t port) {
    std::ifstream table(family == AF_INET6 ? "/proc/net/tcp6" : "/proc/net/tcp");
    std::string line;
    std::getline(table, line);  // header
    int count = 0;
    while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string slot, local, remote, state;
        fields >> slot >> local >> remote >> state;
        auto colon = local.rfind(':');
        if (colon == std::string::npos || state != "06") continue;
        if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) ++count;
    }
    return count;
}

// One bind (and listen, if the bind worked) of a fresh socket.
json attempt(const netreactor::SocketAddress& address, bool reuseaddr, bool& bound) {
    json result = {{"reuseaddr", reuseaddr}};
    Socket s(address.family(), SOCK_STREAM);
    set_reuseaddr(s, reuseaddr);
    bound = false;
    if (::bind(s.fd(), address.sockaddr_ptr(), address.length()) != 0) {
        auto error = netreactor::Error::from_errno(errno, "bind");
        result["result"] = error.code();
        result["error"] = nrapp::error_json(error);
        return result;
    }
    bound = true;
    if (::listen(s.fd(), 5) != 0) {
        auto error = netreactor::Error::from_errno(errno, "listen");
        result["result"] = error.code();
        result["error"] = nrapp::error_json(error);
        return result;
    }
    result["result"] = "ok";
    return result;
}

}  // namespace

ReuseDemoResult run_reuse_demo(const ReuseDemoOptions& options) {
    using namespace std::chrono_literals;
    netreactor::SocketAddress address = options.address;
    int family = address.family();

    // 1. A server with one accepted connection, which it closes first: the
    //    side that closes first is the one that waits in TIME_WAIT.
    int time_wait = 0;
    {
        Socket listener(family, SOCK_STREAM);
        set_reuseaddr(listener, options.old_reuseaddr);
        address = bind_socket(listener, address);
        if (::listen(listener.fd(), 5) != 0) nrapp::throw_errno("listen");
        Socket client(family, SOCK_STREAM);
        if (::connect(client.fd(), address.sockaddr_ptr(), address.length()) != 0) nrapp::throw_errno("connect");
        int accepted_fd = ::accept(listener.fd(), nullptr, nullptr);
        if (accepted_fd < 0) nrapp::throw_errno("accept");
        ::close(accepted_fd);  // the server closes first: FIN from the server side
        char byte;
        pollfd pfd{client.fd(), POLLIN, 0};
        if (::poll(&pfd, 1, 2000) == 1) (void)::recv(client.fd(), &byte, 1, 0);  // EOF
        // the client's socket closes at the end of this scope, answering the FIN
    }
    for (auto waited = 0ms; waited < 2000ms; waited += 10ms) {
        time_wait = time_wait_count(family, address.port());
        if (time_wait > 0) break;
        std::this_thread::sleep_for(10ms);
    }

    // 2. The same address again, as a restarted server would bind it.
    bool bound_without = false;
    bool bound_with = false;
    json without = attempt(address, false, bound_without);
    json with = attempt(address, true, bound_with);

    ReuseDemoResult result;
    // Linux lets a bind share a port with TIME_WAIT sockets only when both the
    // new socket and the old one had SO_REUSEADDR.
    bool with_ok = with["result"] == "ok";
    result.as_expected = time_wait > 0 && !bound_without && with_ok == options.old_reuseaddr;
    result.report = {{"demo", "reuseaddr"},
                     {"address", address.ip()},
                     {"port", address.port()},
                     {"old_reuseaddr", options.old_reuseaddr},
                     {"time_wait_sockets", time_wait},
                     {"attempts", json::array({without, with})},
                     {"as_expected", result.as_expected}};
    return result;
}

}  // namespace sockopt
