// Internal: a c-ares channel driven by a libuv loop.
//
// c-ares tells us which sockets it wants watched (socket-state callback); we
// keep one uv_poll_t per socket and call ares_process_fd from its callback,
// in rounds of a few datagrams, each round's results delivered before the
// next is read. One timer, re-armed from ares_timeout() after submissions
// and after each wake-up's last round, runs c-ares' retries and timeouts.
// No thread, no select.
#pragma once

#include <ares.h>
#include <uv.h>

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "netreactor/error.hpp"
#include "netreactor/resolver.hpp"

namespace netreactor {

// Symbolic code of a c-ares status (ARES_ENOTFOUND -> "NXDOMAIN"...).
std::string dns_status_code(int ares_status);
Error dns_error(int ares_status, std::string operation = "resolve");

// Validates "IP", "IP:PORT", "[IPv6]:PORT" and returns c-ares' CSV form.
// Throws SystemError (EINVAL) on a malformed entry, port 0, or a scoped or
// link-local IPv6 address (c-ares 1.18 drops the zone and cannot reach it).
std::string servers_csv(const std::vector<std::string>& servers);

class AresChannel {
public:
    // Told what c-ares' sockets see, from inside c-ares' own calls: it must
    // not call back into c-ares (nor run user code) from these.
    struct Observer {
        virtual ~Observer() = default;
        // Every UDP datagram read (an answer, or something posing as one).
        virtual void on_datagram(const std::uint8_t* data, std::size_t size) = 0;
        // A TCP connection to a server failed: "EOF" (closed without an
        // answer), "ECONNREFUSED", "ECONNRESET"...
        virtual void on_tcp_failure(const char* code) = 0;
        // The outermost processing round returned (outside c-ares): the time
        // to deliver completions.
        virtual void after_process() = 0;
    };

    // Throws SystemError on failure.
    AresChannel(uv_loop_t* loop, const ResolverOptions& options);
    AresChannel(const AresChannel&) = delete;
    AresChannel& operator=(const AresChannel&) = delete;

    ares_channel get() const noexcept { return channel_; }
    void set_observer(Observer* observer) noexcept { observer_ = observer; }
    // Inside a c-ares call (submission, processing, cancel).
    bool busy() const noexcept { return in_ares_call_ > 0; }

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

    // Runs a submission (ares_send, ares_getaddrinfo). A new query's first
    // try ends `timeout` from now at the earliest, so a timer already due
    // sooner need not be re-armed: c-ares 1.18's ares_timeout walks every
    // query in flight, and doing that per submission cost 3,700 instructions
    // per answer at 300 in flight (docs/benchmarks.md). The timer re-arms
    // from ares_timeout when it fires, as after every processing round.
    template <class Call>
    void submit(Call&& call) {
        ++in_ares_call_;
        call();
        --in_ares_call_;
        if (in_ares_call_ == 0 && !destroy_requested_ && !destroyed_ &&
            uv_is_active(reinterpret_cast<uv_handle_t*>(&timer_)) && uv_timer_get_due_in(&timer_) <= try_timeout_ms_)
            return;
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
    static ares_socket_t open_socket(int family, int type, int protocol, void* data);
    static int close_socket(ares_socket_t fd, void* data);
    static int connect_socket(ares_socket_t fd, const sockaddr* address, ares_socklen_t length, void* data);
    static ares_ssize_t receive(ares_socket_t fd, void* buffer, std::size_t size, int flags, sockaddr* from,
                                ares_socklen_t* from_length, void* data);
    static ares_ssize_t send_vector(ares_socket_t fd, const iovec* vector, int count, void* data);
    bool is_stream(ares_socket_t fd) const;
    // Processes read_fd and write_fd (either may be ARES_SOCKET_BAD: then
    // only timeouts), in rounds of at most kDatagramsPerRound datagrams,
    // each round's results delivered (Observer::after_process) before the
    // next is read.
    void process(ares_socket_t read_fd, ares_socket_t write_fd);
    // One ares_process_fd; true if it stopped reading at the round's cap.
    bool process_round(ares_socket_t read_fd, ares_socket_t write_fd);
    void after_call();
    void rearm_timer();

    uv_loop_t* loop_;
    ares_channel channel_ = nullptr;
    Observer* observer_ = nullptr;
    int receive_buffer_bytes_ = 0;
    std::uint64_t try_timeout_ms_ = 0;  // the first try's wait (ResolverOptions::timeout)
    uv_timer_t timer_{};
    std::unordered_map<ares_socket_t, Poll*> polls_;
    // Every socket c-ares opened: its type, and its peer once asked.
    struct SocketInfo {
        int type = 0;
        std::string peer;
    };
    std::unordered_map<ares_socket_t, SocketInfo> sockets_;
    ares_socket_t reading_fd_ = ARES_SOCKET_BAD;  // the socket being processed
    // Datagrams one processing round reads at most. With hundreds of queries
    // in flight a socket holds hundreds of answers; read in one round, each
    // answer's decoded message is allocated before the first is freed, and
    // c-ares frees hundreds of queries before the next are sent: far more
    // blocks of a size than glibc's per-thread cache keeps (7), so every one
    // went through malloc's slow path (docs/benchmarks.md).
    static constexpr std::size_t kDatagramsPerRound = 16;
    std::size_t datagrams_left_ = SIZE_MAX;  // in this round (unlimited outside one)
    bool round_capped_ = false;              // this round stopped reading at its cap
    int in_ares_call_ = 0;
    bool destroy_requested_ = false;
    bool destroyed_ = false;
};

}  // namespace netreactor
