#include "exit_status.hpp"

#include <string_view>

namespace nrapp {

namespace {

bool one_of(std::string_view code, std::initializer_list<std::string_view> codes) {
    for (auto c : codes)
        if (c == code) return true;
    return false;
}

}  // namespace

ExitStatus exit_status_for(const netreactor::Error& error) {
    std::string_view code = error.code();
    std::string_view op = error.operation();
    if (code == "EUSAGE") return exit_usage;
    if (one_of(code, {"ETIMEDOUT", "TIMEOUT"})) return exit_timeout;
    if (op == "resolve" || one_of(code, {"NXDOMAIN", "SERVFAIL", "REFUSED", "NODATA", "BADNAME", "ENOTFOUND",
                                         "EAI_NONAME", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA"}))
        return exit_resolve;
    if (one_of(code, {"ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH", "EHOSTDOWN", "ENETDOWN"})) return exit_connect;
    if (one_of(code, {"ECONNRESET", "EPIPE", "ECONNABORTED", "ENOTCONN"})) return exit_transfer;
    if (one_of(code, {"EADDRINUSE", "EADDRNOTAVAIL", "EACCES", "EPERM", "EMFILE", "ENFILE", "ENOMEM", "ENOBUFS",
                      "ENOSPC", "EIO", "EAFNOSUPPORT"}))
        return exit_local;
    if (op == "connect") return exit_connect;
    if (op == "bind" || op == "listen" || op == "socket" || op == "output") return exit_local;
    if (op == "read" || op == "write" || op == "send" || op == "recv" || op == "receive") return exit_transfer;
    if (op == "protocol" || op == "reply") return exit_protocol;
    return exit_failed;
}

}  // namespace nrapp
