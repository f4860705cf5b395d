/* Kernel cost of draining a UDP socket: recvfrom(2) until EAGAIN, as raw
 * epoll's server and UdpSocket read, against recvmmsg(2) of 4 into 64 KiB
 * slots (a call that returns fewer than 4 found the queue empty, so no
 * further call). Loopback, one process: a blocking socket queues QUEUE
 * datagrams of SIZE bytes on a nonblocking one, which is then drained, the
 * two ways alternating; CPU time of the drains only (the process's clock).
 *   udp-receive-cost SIZE QUEUE ROUNDS
 * Prints one JSON line: nanoseconds per datagram each way, and of one
 * recvfrom that hears EAGAIN. docs/benchmarks.md, "Per-datagram cost, UDP echo". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define SLOT (64 * 1024)
#define BATCH 4

static char buffer[BATCH * SLOT];

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long drain_recvfrom(int fd) {
    long got = 0;
    for (;;) {
        struct sockaddr_storage from;
        socklen_t length = sizeof from;
        if (recvfrom(fd, buffer, sizeof buffer, MSG_TRUNC, (struct sockaddr *)&from, &length) < 0) return got;
        got++;
    }
}

static long drain_recvmmsg(int fd) {
    static struct mmsghdr batch[BATCH];
    static struct iovec slots[BATCH];
    static struct sockaddr_storage from[BATCH];
    long got = 0;
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            slots[i] = (struct iovec){buffer + i * SLOT, SLOT};
            batch[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i],
                                               .msg_iov = &slots[i], .msg_iovlen = 1};
        }
        int n = recvmmsg(fd, batch, BATCH, MSG_TRUNC, NULL);
        if (n <= 0) return got;
        got += n;
        if (n < BATCH) return got;
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: udp-receive-cost SIZE QUEUE ROUNDS\n");
        return 2;
    }
    int size = atoi(argv[1]), queue = atoi(argv[2]), rounds = atoi(argv[3]);
    int receiver = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), sender = socket(AF_INET, SOCK_DGRAM, 0);
    int big = 64 << 20;
    setsockopt(receiver, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
    setsockopt(receiver, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(receiver, (struct sockaddr *)&address, length) < 0) return perror("bind"), 1;
    getsockname(receiver, (struct sockaddr *)&address, &length);
    char *message = calloc(1, (size_t)size);
    double seconds[2] = {0, 0};
    long datagrams[2] = {0, 0};
    for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < 2; k++) {
            int way = (round & 1) ? k : 1 - k; /* each way goes first half the time */
            for (int i = 0; i < queue; i++) sendto(sender, message, (size_t)size, 0, (struct sockaddr *)&address, length);
            double start = cpu_now();
            long got = way == 0 ? drain_recvfrom(receiver) : drain_recvmmsg(receiver);
            seconds[way] += cpu_now() - start;
            datagrams[way] += got;
        }
    }
    double start = cpu_now();
    for (int i = 0; i < 100000; i++) drain_recvfrom(receiver);
    double eagain = (cpu_now() - start) / 100000;
    if (datagrams[0] != (long)queue * rounds || datagrams[1] != (long)queue * rounds) {
        fprintf(stderr, "udp-receive-cost: datagrams lost (%ld, %ld of %ld)\n", datagrams[0], datagrams[1],
                (long)queue * rounds);
        return 1;
    }
    printf("{\"size\":%d,\"queue\":%d,\"rounds\":%d,\"recvfrom_ns\":%.0f,\"recvmmsg_ns\":%.0f,\"eagain_ns\":%.0f}\n", size,
           queue, rounds, seconds[0] * 1e9 / (double)datagrams[0], seconds[1] * 1e9 / (double)datagrams[1], eagain * 1e9);
    return 0;
}
