// UdpSocket's send queue: what the kernel refuses with EAGAIN/ENOBUFS is
// queued and sent, in order, once the socket is writable. On loopback the
// kernel never refuses a UDP send, so this test makes it refuse: it defines
// sendto(2) and send(2) itself (the library is linked statically into this
// executable, so its calls bind here) and forwards to the next definition
// (libc's, or a sanitizer's interceptor) unless a test scripted a failure.
// Only the socket bound to Fault::port is affected: the receiving socket and
// everything else go straight through.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "netreactor/loop.hpp"
#include "netreactor/timer.hpp"
#include "netreactor/udp_socket.hpp"

using namespace std::chrono_literals;
using namespace netreactor;

namespace {

// One sendto/send call the socket under test made, and what it was told.
struct Call {
    std::string bytes;
    int error = 0;  // 0: passed to the kernel
};

// What the next sendto/send calls of the socket under test return.
struct Fault {
    std::uint16_t port = 0;  // local port of the socket under test; 0: none
    std::deque<int> script;  // the next calls' outcomes, in order: 0 passes, else this errno
    int refuse_errno = 0;    // once the script is spent: refuse every call with it (0: pass all)
    std::vector<Call> log;   // every call of the socket under test
};
Fault fault;

std::uint16_t local_port(int fd) {
    sockaddr_storage ss{};
    socklen_t length = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &length) < 0) return 0;
    if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    return 0;
}

// The errno this call must fail with, or 0 to let it through; logs the call.
int injected_error(int fd, const void* buffer, std::size_t length) {
    if (fault.port == 0 || local_port(fd) != fault.port) return 0;
    int error = fault.refuse_errno;
    if (!fault.script.empty()) {
        error = fault.script.front();
        fault.script.pop_front();
    }
    fault.log.push_back(Call{std::string(static_cast<const char*>(buffer), length), error});
    return error;
}

template <typename F>
F next_definition(const char* name) {
    void* f = ::dlsym(RTLD_NEXT, name);
    if (f == nullptr) std::abort();
    return reinterpret_cast<F>(f);
}

}  // namespace

extern "C" ssize_t sendto(int fd, const void* buffer, std::size_t length, int flags, const sockaddr* to,
                          socklen_t to_length) {
    using Sendto = ssize_t (*)(int, const void*, std::size_t, int, const sockaddr*, socklen_t);
    static const Sendto real = next_definition<Sendto>("sendto");
    if (int error = injected_error(fd, buffer, length); error != 0) {
        errno = error;
        return -1;
    }
    return real(fd, buffer, length, flags, to, to_length);
}

extern "C" ssize_t send(int fd, const void* buffer, std::size_t length, int flags) {
    using Send = ssize_t (*)(int, const void*, std::size_t, int);
    static const Send real = next_definition<Send>("send");
    if (int error = injected_error(fd, buffer, length); error != 0) {
        errno = error;
        return -1;
    }
    return real(fd, buffer, length, flags);
}

namespace {

struct Collect : UdpHandler {
    std::vector<std::string> got;
    std::vector<std::string> errors;
    std::function<void()> after;
    int calls_inside_send = 0;
    bool inside_send = false;
    void on_datagram(UdpSocket&, std::span<const char> d, const SocketAddress&, bool) override {
        if (inside_send) calls_inside_send++;
        got.emplace_back(d.data(), d.size());
        if (after) after();
    }
    void on_error(UdpSocket&, const Error& e) override {
        if (inside_send) calls_inside_send++;
        errors.push_back(e.code());
        if (after) after();
    }
};

// Datagram i: distinct sizes and bytes, NULs included.
std::string payload(int i) {
    std::string s(static_cast<std::size_t>(1 + i * 301), '\0');
    for (std::size_t k = 0; k < s.size(); ++k) s[k] = static_cast<char>((static_cast<std::size_t>(i) * 7 + k) % 256);
    return s;
}

std::vector<std::string> payloads(std::initializer_list<int> indices) {
    std::vector<std::string> out;
    for (int i : indices) out.push_back(payload(i));
    return out;
}

// The datagrams the kernel took, in order.
std::vector<std::string> passed_calls() {
    std::vector<std::string> out;
    for (const Call& c : fault.log)
        if (c.error == 0) out.push_back(c.bytes);
    return out;
}

struct Param {
    const char* host;
    bool connected;
};

// For gtest's messages (else it prints the bytes).
void PrintTo(const Param& p, std::ostream* os) { *os << p.host << (p.connected ? " connected" : " unconnected"); }

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
    return std::string(std::string(info.param.host) == "::1" ? "IPv6" : "IPv4") +
           (info.param.connected ? "Connected" : "Unconnected");
}

// A receiving socket and a sender whose sends the Fault script decides.
class SendQueue : public ::testing::TestWithParam<Param> {
protected:
    Loop loop;
    Collect received;  // the receiver's handler
    Collect sender_events;
    UdpSocket receiver{loop, received};
    std::unique_ptr<UdpSocket> sender = std::make_unique<UdpSocket>(loop, sender_events);
    Timer watchdog{loop};
    bool timed_out = false;

    void SetUp() override {
        fault = Fault{};
        receiver.bind(*SocketAddress::parse(GetParam().host, 0));
        receiver.start_receiving();
        sender->bind(*SocketAddress::parse(GetParam().host, 0));
        if (GetParam().connected) sender->connect(receiver.local_address());
        fault.port = sender->local_address().port();
        ASSERT_NE(fault.port, 0);
        // Bounds every run; alone it does not keep the loop going.
        watchdog.keep_loop_alive(false);
        rearm_watchdog();
    }
    void TearDown() override { fault = Fault{}; }

    // Bounds the next run again (each run that timed out spent the watchdog).
    void rearm_watchdog() {
        timed_out = false;
        watchdog.start(3s, [this] {
            timed_out = true;
            loop.stop();
        });
    }

    // Where send() is told to send: nowhere on a connected socket (ignored there).
    SocketAddress destination() const { return GetParam().connected ? SocketAddress() : receiver.local_address(); }

    void send(const std::string& bytes) {
        sender_events.inside_send = true;
        sender->send(bytes, destination());
        sender_events.inside_send = false;
    }

    // Runs the loop until the receiver has `count` datagrams, then a little
    // longer so a duplicate would show.
    void run_until_received(std::size_t count) {
        Timer grace(loop);
        received.after = [&] {
            if (received.got.size() == count && !grace.active()) grace.start(10ms, [&] { loop.stop(); });
        };
        loop.run();
        received.after = nullptr;
        ASSERT_FALSE(timed_out) << "received " << received.got.size() << " of " << count;
    }
};

INSTANTIATE_TEST_SUITE_P(Loopback, SendQueue,
                         ::testing::Values(Param{"127.0.0.1", false}, Param{"127.0.0.1", true}, Param{"::1", false},
                                           Param{"::1", true}),
                         param_name);

// The kernel refuses everything for a while: all five are queued, none goes
// (though the poll handle keeps asking), then all arrive in order, once each.
TEST_P(SendQueue, RefusedDatagramsArriveInOrderOnceWritable) {
    fault.refuse_errno = EAGAIN;
    const auto sent = payloads({0, 1, 2, 3, 4});
    for (std::size_t i = 0; i < sent.size(); ++i) {
        send(sent[i]);
        EXPECT_EQ(sender->queued_datagrams(), i + 1);
    }
    EXPECT_EQ(fault.log.size(), 1u) << "only the first send reaches the kernel; the rest go behind it";
    EXPECT_EQ(sender->datagrams_sent(), 0u);

    std::size_t queued_while_refused = 0, attempts_while_refused = 0, received_while_refused = 99;
    Timer writable_again(loop);
    writable_again.start(20ms, [&] {
        queued_while_refused = sender->queued_datagrams();
        attempts_while_refused = fault.log.size();
        received_while_refused = received.got.size();
        fault.refuse_errno = 0;
    });
    run_until_received(sent.size());

    EXPECT_EQ(queued_while_refused, 5u);
    EXPECT_GT(attempts_while_refused, 1u) << "writability reported: the queue's head was tried again";
    EXPECT_EQ(received_while_refused, 0u);
    EXPECT_EQ(received.got, sent) << "in order, byte for byte, none lost or duplicated";
    EXPECT_EQ(passed_calls(), sent) << "each datagram given to the kernel exactly once";
    EXPECT_EQ(sender->queued_datagrams(), 0u);
    EXPECT_EQ(sender->datagrams_sent(), sent.size());
    EXPECT_TRUE(sender_events.errors.empty());
}

// One refusal, then the kernel would take anything: later sends still wait
// behind the queued one and make no system call of their own.
TEST_P(SendQueue, SendsWhileQueuedGoBehindTheQueue) {
    fault.script = {EAGAIN};
    const auto sent = payloads({5, 6, 7});
    send(sent[0]);
    EXPECT_EQ(sender->queued_datagrams(), 1u);
    send(sent[1]);
    send(sent[2]);
    EXPECT_EQ(sender->queued_datagrams(), 3u);
    EXPECT_EQ(fault.log.size(), 1u) << "a send behind the queue must not jump it";

    run_until_received(sent.size());
    EXPECT_EQ(received.got, sent);
    EXPECT_EQ(passed_calls(), sent);
    ASSERT_EQ(fault.log.size(), 4u);
    EXPECT_EQ(fault.log[0].bytes, sent[0]);
    EXPECT_EQ(fault.log[0].error, EAGAIN);
    EXPECT_EQ(sender->queued_datagrams(), 0u);
    EXPECT_EQ(sender->datagrams_sent(), 3u);
    EXPECT_TRUE(sender_events.errors.empty());
}

// The flush sends two, the kernel refuses the third (ENOBUFS, which counts as
// "would block") and then everything for a while: the rest stay queued, in
// order, and go once the kernel takes them again.
TEST_P(SendQueue, RefusalDuringTheFlushKeepsTheRestQueued) {
    fault.script = {EAGAIN, 0, 0, ENOBUFS};
    fault.refuse_errno = EAGAIN;
    const auto sent = payloads({8, 9, 10, 11});
    for (const auto& d : sent) send(d);
    EXPECT_EQ(sender->queued_datagrams(), 4u);

    std::size_t queued_mid_flush = 0;
    Timer writable_again(loop);
    writable_again.start(20ms, [&] {
        queued_mid_flush = sender->queued_datagrams();
        fault.refuse_errno = 0;
    });
    run_until_received(sent.size());

    EXPECT_EQ(queued_mid_flush, 2u);
    ASSERT_GE(fault.log.size(), 6u);
    EXPECT_EQ(fault.log[3].bytes, sent[2]) << "the flush stopped at the third";
    EXPECT_EQ(fault.log[3].error, ENOBUFS);
    EXPECT_EQ(fault.log.back().bytes, sent[3]);
    EXPECT_EQ(received.got, sent);
    EXPECT_EQ(passed_calls(), sent);
    EXPECT_EQ(sender->queued_datagrams(), 0u);
    EXPECT_EQ(sender->datagrams_sent(), 4u);
    EXPECT_TRUE(sender_events.errors.empty());
}

// A failure that is not "would block", found by send() itself or by the
// flush, is reported to on_error once, from the loop; the datagrams after it go.
TEST_P(SendQueue, OtherFailuresAreReportedOnceAndLaterDatagramsGo) {
    // send: A fails (EMSGSIZE), B goes; C is refused (EAGAIN) and D queued
    // behind it; the flush: C fails (ECONNREFUSED), D goes.
    fault.script = {EMSGSIZE, 0, EAGAIN, ECONNREFUSED};
    const auto sent = payloads({12, 13, 14, 15});
    for (const auto& d : sent) send(d);
    EXPECT_EQ(sender->queued_datagrams(), 2u);
    EXPECT_TRUE(sender_events.errors.empty()) << "nothing reported inside send()";

    run_until_received(2);
    EXPECT_EQ(sender_events.calls_inside_send, 0);
    auto errors = sender_events.errors;
    std::sort(errors.begin(), errors.end());
    EXPECT_EQ(errors, (std::vector<std::string>{"ECONNREFUSED", "EMSGSIZE"})) << "each once";
    EXPECT_EQ(received.got, payloads({13, 15}));
    EXPECT_EQ(passed_calls(), payloads({13, 15}));
    EXPECT_EQ(fault.log.size(), 5u) << "a failed datagram is not tried again";
    EXPECT_EQ(sender->queued_datagrams(), 0u);
    EXPECT_EQ(sender->datagrams_sent(), 2u);
}

// Destroyed with datagrams queued: they are dropped (never sent), no handler
// call follows, nothing leaks (ASan), and the loop ends on its own.
TEST_P(SendQueue, DestroyingTheSocketWithDatagramsQueuedDropsThem) {
    fault.refuse_errno = EAGAIN;
    for (int i = 0; i < 3; ++i) send(payload(20 + i));
    EXPECT_EQ(sender->queued_datagrams(), 3u);
    Timer destroy(loop);
    destroy.start(10ms, [&] {
        sender.reset();
        fault.refuse_errno = 0;  // a send now would go through: none may happen
    });
    Timer after(loop);
    after.start(40ms, [] {});
    receiver.keep_loop_alive(false);
    loop.run();  // returns once only the watchdog is left
    EXPECT_FALSE(timed_out) << "a destroyed socket kept the loop going";
    EXPECT_EQ(sender, nullptr);
    EXPECT_TRUE(passed_calls().empty());
    EXPECT_TRUE(received.got.empty());
    EXPECT_TRUE(sender_events.got.empty());
    EXPECT_TRUE(sender_events.errors.empty());
}

// The handler destroys the socket when the flush reports a failure: the flush
// stops there (the datagram behind is dropped) and nothing else is called.
TEST_P(SendQueue, DestroyingTheSocketInsideOnErrorDuringTheFlush) {
    fault.script = {EAGAIN, EMSGSIZE};
    send(payload(30));
    send(payload(31));
    EXPECT_EQ(sender->queued_datagrams(), 2u);
    sender_events.after = [&] { sender.reset(); };
    receiver.keep_loop_alive(false);
    loop.run();
    EXPECT_FALSE(timed_out);
    EXPECT_EQ(sender, nullptr);
    EXPECT_EQ(sender_events.errors, std::vector<std::string>{"EMSGSIZE"});
    EXPECT_EQ(fault.log.size(), 2u) << "nothing sent after the socket was destroyed";
    EXPECT_TRUE(received.got.empty());
}

// Queued datagrams keep Loop::run() going even after keep_loop_alive(false),
// and only until they are sent (header: "Datagrams still queued for sending
// ... keep the loop going either way").
TEST_P(SendQueue, QueuedDatagramsKeepTheLoopRunningUntilSent) {
    receiver.keep_loop_alive(false);
    sender->start_receiving();
    sender->keep_loop_alive(false);
    fault.script = {EAGAIN, EAGAIN, EAGAIN};  // the send and two writable wake-ups
    send(payload(40));
    EXPECT_EQ(sender->queued_datagrams(), 1u);
    loop.run();  // nothing but the queued datagram keeps it going
    EXPECT_FALSE(timed_out);
    EXPECT_EQ(sender->queued_datagrams(), 0u) << "run() returned with a datagram still queued";
    EXPECT_EQ(sender->datagrams_sent(), 1u);
    EXPECT_EQ(fault.log.size(), 4u);

    // A socket that does not receive (keep_loop_alive left true) keeps the
    // loop going while something is queued, and no longer.
    sender->stop_receiving();
    sender->keep_loop_alive(true);
    fault.script = {EAGAIN, EAGAIN};
    send(payload(41));
    EXPECT_EQ(sender->queued_datagrams(), 1u);
    rearm_watchdog();
    loop.run();
    EXPECT_FALSE(timed_out) << "the socket kept the loop going with nothing queued";
    EXPECT_EQ(sender->queued_datagrams(), 0u);
    EXPECT_EQ(sender->datagrams_sent(), 2u);
    EXPECT_EQ(passed_calls(), payloads({40, 41}));
}

// A datagram queued while the socket was unconnected keeps its address when
// connect() fixes another peer before the flush (as libuv's queued sends
// did): only sends made after connect() go to the peer.
TEST(SendQueueConnect, QueuedDatagramKeepsItsAddressAcrossConnect) {
    fault = Fault{};
    Loop loop;
    Collect first_events, peer_events, sender_events;
    UdpSocket first(loop, first_events), peer(loop, peer_events), sender(loop, sender_events);
    for (UdpSocket* s : {&first, &peer, &sender}) s->bind(*SocketAddress::parse("127.0.0.1", 0));
    first.start_receiving();
    peer.start_receiving();
    fault.port = sender.local_address().port();
    fault.script = {EAGAIN};
    sender.send(payload(50), first.local_address());
    EXPECT_EQ(sender.queued_datagrams(), 1u);
    sender.connect(peer.local_address());
    sender.send(payload(51), SocketAddress());
    EXPECT_EQ(sender.queued_datagrams(), 2u);
    Timer watchdog(loop);
    watchdog.start(3s, [&] { loop.stop(); });
    auto done = [&] {
        if (first_events.got.size() + peer_events.got.size() == 2) loop.stop();
    };
    first_events.after = done;
    peer_events.after = done;
    loop.run();
    EXPECT_EQ(first_events.got, payloads({50})) << "sent where send() was told";
    EXPECT_EQ(peer_events.got, payloads({51}));
    EXPECT_TRUE(sender_events.errors.empty());
    fault = Fault{};
}

}  // namespace
