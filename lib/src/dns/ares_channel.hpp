// Internal: a c-ares channel driven by a libuv loop.
//
// c-ares tells us which sockets it wants watched (socket-state callback); we
// keep one uv_poll_t per socket and call ares_process_fd from its callback.
// One timer, re-armed from ares_timeout() after every submission and every
// processing round, runs c-ares' retries and timeouts. No thread, no select.
#pragma once

#include <ares.h>
#include <uv.h>

#include <string>
#include <unordered_map>

#include "netreactor/error.hpp"
#include "netreactor/resolver.hpp"

namespace netreactor {

// Symbolic code of a c-ares status (ARES_ENOTFOUND -> "NXDOMAIN"...).
std::string dns_status_code(int ares_status);
Error dns_error(int ares_status, std::string operation = "resolve");

// Validates "IP", "IP:PORT", "[IPv6]:PORT" and returns c-ares' CSV form.
// Throws SystemError (EINVAL) on a malformed entry.
std::string servers_csv(const std::vector<std::string>& servers);

class AresChannel {
public:
    // Throws SystemError on failure.
    AresChannel(uv_loop_t* loop, const ResolverOptions& options);
    AresChannel(const AresChannel&) = delete;
    AresChannel& operator=(const AresChannel&) = delete;

    ares_channel get() const noexcept { return channel_; }

    // Runs a c-ares call that may complete queries synchronously (submission,
    // processing, cancel), then re-arms the timeout timer, or finishes a
    // destruction requested from inside a callback.
    template <class Call>
    void run(Call&& call) {
        ++in_ares_call_;
        call();
        --in_ares_call_;
        after_call();
    }

    // Queries submitted and not completed; the query wrappers keep it.
    std::size_t pending = 0;
    // False once the owner is gone: completions free their state silently.
    bool deliver_callbacks = true;

    // Inside a query callback: whether the answer being delivered came over
    // TCP (c-ares retries over TCP when a UDP answer is truncated) and from
    // which server ("IP:PORT"). Outside an answer (timeout, cancel): {false, ""}.
    struct AnswerSource {
        bool tcp = false;
        std::string server;
    };
    AnswerSource answer_source();

    // Destroys the channel (c-ares completes every query with
    // ARES_EDESTRUCTION first), closes the polls and the timer, and deletes
    // this object once libuv has closed them. Safe from inside a callback:
    // then it happens when the outermost c-ares call returns.
    void destroy();

private:
    ~AresChannel() = default;
    struct Poll;
    static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable);
    static int on_socket_created(ares_socket_t fd, int type, void* data);
    void process(ares_socket_t read_fd, ares_socket_t write_fd);
    void after_call();
    void rearm_timer();

    uv_loop_t* loop_;
    ares_channel channel_ = nullptr;
    uv_timer_t timer_{};
    std::unordered_map<ares_socket_t, Poll*> polls_;
    // Every socket c-ares opened: its type, and its peer once asked.
    struct SocketInfo {
        int type = 0;
        std::string peer;
    };
    std::unordered_map<ares_socket_t, SocketInfo> sockets_;
    ares_socket_t reading_fd_ = ARES_SOCKET_BAD;  // the socket being processed
    int in_ares_call_ = 0;
    bool destroy_requested_ = false;
    bool destroyed_ = false;
};

}  // namespace netreactor
