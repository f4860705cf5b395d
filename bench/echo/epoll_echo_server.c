/* The single-thread ceiling: a TCP and UDP echo server on raw epoll.
 *
 * Level-triggered, nonblocking. One read buffer shared by every connection;
 * a connection owns a buffer only for the bytes the kernel did not take, and
 * is not read again until they are sent (backpressure). Usage:
 *   epoll-echo-server [PORT [HOST]]    (PORT 0 picks a free one)
 * Prints the same "listening" lines as nr-echo-server, then serves forever. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUFFER_SIZE (256 * 1024)
#define MAX_EVENTS 256

struct conn {
    int fd;
    unsigned pending_len;  /* unsent bytes in `pending` */
    unsigned pending_off;
    char *pending;
};

static char read_buffer[READ_BUFFER_SIZE];
static int epfd;
static int listen_fd;
static int udp_fd;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void close_conn(struct conn *c) {
    close(c->fd); /* also removes it from the epoll set */
    free(c->pending);
    free(c);
}

static void watch(struct conn *c, uint32_t events, int op) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(epfd, op, c->fd, &ev) < 0) die("epoll_ctl");
}

/* Sends what is pending; returns 0 when it is all gone, 1 if some is left, -1 on error. */
static int flush_pending(struct conn *c) {
    while (c->pending_off < c->pending_len) {
        ssize_t n = write(c->fd, c->pending + c->pending_off, c->pending_len - c->pending_off);
        if (n < 0) return errno == EAGAIN ? 1 : -1;
        c->pending_off += (unsigned)n;
    }
    free(c->pending);
    c->pending = NULL;
    c->pending_len = c->pending_off = 0;
    return 0;
}

static void on_readable(struct conn *c) {
    for (;;) {
        ssize_t n = read(c->fd, read_buffer, sizeof read_buffer);
        if (n == 0 || (n < 0 && errno != EAGAIN)) {
            close_conn(c);
            return;
        }
        if (n < 0) return;
        ssize_t w = write(c->fd, read_buffer, (size_t)n);
        if (w < 0 && errno != EAGAIN) {
            close_conn(c);
            return;
        }
        if (w < 0) w = 0;
        if (w < n) {
            /* Keep the rest and stop reading until it is sent. */
            c->pending_len = (unsigned)(n - w);
            c->pending = malloc(c->pending_len);
            if (c->pending == NULL) die("malloc");
            memcpy(c->pending, read_buffer + w, c->pending_len);
            watch(c, EPOLLOUT, EPOLL_CTL_MOD);
            return;
        }
        if ((size_t)n < sizeof read_buffer) return; /* drained: level-triggered tells us when more comes */
    }
}

static void on_writable(struct conn *c) {
    int rc = flush_pending(c);
    if (rc < 0) {
        close_conn(c);
    } else if (rc == 0) {
        watch(c, EPOLLIN, EPOLL_CTL_MOD);
    }
}

static void on_accept(void) {
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return; /* EAGAIN, or EMFILE: a minimal server just waits */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (c == NULL) die("calloc");
        c->fd = fd;
        watch(c, EPOLLIN, EPOLL_CTL_ADD);
    }
}

static void on_datagrams(void) {
    struct sockaddr_storage from;
    for (int i = 0; i < 64; ++i) {
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(udp_fd, read_buffer, sizeof read_buffer, 0, (struct sockaddr *)&from, &len);
        if (n < 0) return;
        sendto(udp_fd, read_buffer, (size_t)n, 0, (struct sockaddr *)&from, len); /* a full buffer drops it: UDP */
    }
}

static int open_socket(int family, int type, const struct sockaddr *addr, socklen_t len) {
    int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, addr, len) < 0) die("bind");
    return fd;
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 9900;
    const char *host = argc > 2 ? argv[2] : "127.0.0.1";
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_storage ss = {0};
    socklen_t len;
    int family = strchr(host, ':') ? AF_INET6 : AF_INET;
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1) die("host");
        len = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) die("host");
        len = sizeof *a;
    }
    listen_fd = open_socket(family, SOCK_STREAM, (struct sockaddr *)&ss, len);
    if (listen(listen_fd, 511) < 0) die("listen");
    socklen_t bound_len = len;
    getsockname(listen_fd, (struct sockaddr *)&ss, &bound_len);
    udp_fd = open_socket(family, SOCK_DGRAM, (struct sockaddr *)&ss, len);
    int real_port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                            : ((struct sockaddr_in6 *)&ss)->sin6_port);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die("epoll_create1");
    /* The two servers' sockets are told apart by their data.ptr being NULL or &udp_fd. */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev);
    ev.data.ptr = &udp_fd;
    epoll_ctl(epfd, EPOLL_CTL_ADD, udp_fd, &ev);

    printf("{\"event\":\"listening\",\"proto\":\"tcp\",\"address\":\"%s\",\"port\":%d}\n", host, real_port);
    printf("{\"event\":\"listening\",\"proto\":\"udp\",\"address\":\"%s\",\"port\":%d}\n", host, real_port);
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, -1);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; ++i) {
            void *ptr = events[i].data.ptr;
            if (ptr == NULL) {
                on_accept();
            } else if (ptr == &udp_fd) {
                on_datagrams();
            } else {
                struct conn *c = ptr;
                if (c->pending != NULL) {
                    on_writable(c);
                } else {
                    on_readable(c);
                }
            }
        }
    }
}
