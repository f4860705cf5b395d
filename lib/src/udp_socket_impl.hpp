// Internal: the state behind a UdpSocket.
//
// Where each part lives:
//   udp_socket.cpp       the socket's life: making it, bind/connect, the poll handle, receiving
//   udp_socket_send.cpp  sending: the one-sendto(2) path and the queue of what the kernel refused
#pragma once

#include <uv.h>

#include <deque>
#include <span>
#include <vector>

#include "netreactor/udp_socket.hpp"
#include "internal.hpp"

namespace netreactor {

// The socket is the library's own, watched by a uv_poll_t: libuv only says
// when it is readable or writable, and the library makes the system calls.
// A uv_udp_t costs more per wake-up than raw epoll (docs/benchmarks.md,
// "UdpSocket on its own receive path"): its recvmmsg makes an empty receive
// inside the kernel and one more call to hear EAGAIN, and hands each
// datagram over through an alloc callback and a 128-byte address.
struct NETREACTOR_INTERNAL UdpSocket::Impl {
    // Datagrams read per wake-up at most, as libuv's own receive loop: other
    // handles get their turn even while datagrams keep coming.
    static constexpr int kDatagramsPerWakeup = 32;

    struct QueuedDatagram {
        std::vector<char> bytes;
        SocketAddress to;  // empty if the socket was connected when it was sent
    };

    uv_loop_t* loop = nullptr;
    char* read_buffer = nullptr;  // the loop's shared one
    uv_poll_t poll{};             // initialized with the socket (fd >= 0)
    // Runs the next loop iteration to report failures send() found at once:
    // a report never runs inside the call that caused it.
    uv_idle_t report{};
    std::vector<Error> deferred_errors;
    std::deque<QueuedDatagram> queue;  // what the kernel would not take at once, in order
    UdpSocket* owner = nullptr;
    UdpHandler* handler = nullptr;  // null once the socket was destroyed
    int fd = -1;                    // -1 until bind(), connect(), start_receiving() or a send makes it
    int open_handles = 1;           // report, and poll once made; freed when all are closed
    int poll_events = 0;            // what the poll handle waits for (UV_READABLE, UV_WRITABLE)
    bool connected = false;
    bool receiving = false;
    bool keep_alive = true;  // keep_loop_alive()
    // The sender of the datagram being delivered: the kernel writes it in
    // place, so no address is zeroed or copied per datagram.
    SocketAddress from;
    std::uint64_t received = 0;
    std::uint64_t sent = 0;

    // Makes the socket if it does not exist yet: of `family`, bound to its
    // wildcard address and port 0 (as libuv's implicit bind). Throws SystemError.
    void ensure_socket(int family);
    // Takes `socket` (nonblocking, close-on-exec) as this one's; closes it
    // and throws SystemError if libuv cannot watch it.
    void adopt(int socket);
    // The events the poll handle waits for, and whether it keeps the loop
    // going, from what the socket does now.
    void update_poll();
    void defer_error(Error error);
    void on_poll(int status, int events);
    // Reads until EAGAIN, an error or kDatagramsPerWakeup datagrams.
    void receive_some();
    // Sends the queue's datagrams until the kernel would block again.
    void flush_queue();
    // One sendto(2): the bytes sent, or a libuv status (UV_EAGAIN when the
    // kernel would block).
    ssize_t send_now(std::span<const char> data, const SocketAddress* to) const noexcept;
    [[gnu::noinline]] ssize_t send_failed(std::span<const char> data, const SocketAddress* to) const noexcept;
    // send() when the socket does not exist yet, something is queued or the
    // address is empty. Out of line: the per-datagram path stays small.
    [[gnu::noinline]] void send_slow(std::span<const char> data, const SocketAddress& to);
    // The kernel did not take the datagram: queued on EAGAIN (status
    // UV_EAGAIN), else the failure reported from the loop.
    [[gnu::noinline]] void send_refused(std::span<const char> data, const SocketAddress& to, ssize_t status);
};

}  // namespace netreactor
