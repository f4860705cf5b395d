/* A minimal TCP echo load generator on raw epoll: the yardstick for
 * nr-echo-client's load mode. C connections, each keeping DEPTH messages of
 * SIZE bytes in flight; no verification, no latency, nothing but read and
 * write. Usage:
 *   epoll-echo-load PORT CONNECTIONS SIZE DEPTH SECONDS
 * Prints {"messages":N,"messages_per_s":R}. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s PORT CONNECTIONS SIZE DEPTH SECONDS\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]), conns = atoi(argv[2]);
    long size = atol(argv[3]), depth = atol(argv[4]);
    double seconds = atof(argv[5]);
    char *payload = calloc((size_t)(size * depth), 1);
    static char buf[256 * 1024];
    long *pending = calloc((size_t)conns + 1024, sizeof *pending); /* bytes of the current message, by fd */
    int ep = epoll_create1(0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    for (int i = 0; i < conns; i++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
            perror("connect");
            return 1;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        if (write(fd, payload, (size_t)(size * depth)) < 0) return 1;
    }
    long messages = 0;
    struct epoll_event events[256];
    double start = now(), elapsed = 0;
    while ((elapsed = now() - start) < seconds) {
        int n = epoll_wait(ep, events, 256, 100);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0) {
                perror("read");
                return 1;
            }
            pending[fd] += r;
            long done = pending[fd] / size;
            pending[fd] %= size;
            if (done > 0) {
                messages += done;
                if (write(fd, payload, (size_t)(size * done)) < 0) return 1;
            }
        }
    }
    printf("{\"messages\":%ld,\"messages_per_s\":%.1f}\n", messages, (double)messages / elapsed);
    return 0;
}
