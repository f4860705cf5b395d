/* The ceiling for nr-resolve's bulk mode: the least a program can do on
 * c-ares 1.18 to resolve a file of names. One channel, one server, at most
 * CONCURRENCY queries in flight (ares_query, like nr-resolve), poll() on
 * c-ares' sockets, no JSON: each answer is only counted (and its first A
 * address checked against the expected one when the names file says it).
 *
 *   ares-bulk-reference SERVER_IP PORT NAMES_FILE [CONCURRENCY [TIMEOUT_MS]]
 *
 * NAMES_FILE: one name per line, optionally followed by a space and the
 * address the name must resolve to. Prints one JSON object:
 *   {"names":N,"answered":N,"noerror":N,"mismatched":N,"failed":N,"elapsed_s":S,"names_per_s":R}
 */
#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct query {
    char expected[64];
};

static long answered, noerror, mismatched, failed, in_flight;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen) {
    struct query *q = arg;
    (void)timeouts;
    in_flight--;
    if (status == ARES_EDESTRUCTION) { free(q); return; }
    answered++;
    if (status != ARES_SUCCESS) {
        failed++;
    } else {
        struct hostent *host = NULL;
        struct ares_addrttl ttls[8];
        int n = 8;
        noerror++;
        if (q->expected[0] && ares_parse_a_reply(abuf, alen, &host, ttls, &n) == ARES_SUCCESS) {
            char text[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &ttls[0].ipaddr, text, sizeof text);
            if (n < 1 || strcmp(text, q->expected) != 0) mismatched++;
        } else if (q->expected[0]) {
            mismatched++;
        }
        if (host) ares_free_hostent(host);
    }
    free(q);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s SERVER_IP PORT NAMES_FILE [CONCURRENCY [TIMEOUT_MS]]\n", argv[0]);
        return 2;
    }
    long concurrency = argc > 4 ? atol(argv[4]) : 300;
    int timeout_ms = argc > 5 ? atoi(argv[5]) : 2000;
    FILE *names = fopen(argv[3], "r");
    if (!names) { perror(argv[3]); return 2; }

    ares_library_init(ARES_LIB_INIT_ALL);
    ares_channel channel;
    struct ares_options opts;
    memset(&opts, 0, sizeof opts);
    opts.flags = ARES_FLAG_NOCHECKRESP;
    opts.timeout = timeout_ms;
    opts.tries = 1;
    opts.socket_receive_buffer_size = 4 << 20;
    opts.lookups = "b";
    if (ares_init_options(&channel, &opts, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_RCVBUF |
                                               ARES_OPT_LOOKUPS) != ARES_SUCCESS) return 1;
    char csv[128];
    snprintf(csv, sizeof csv, "%s:%s", argv[1], argv[2]);
    if (ares_set_servers_ports_csv(channel, csv) != ARES_SUCCESS) { fprintf(stderr, "bad server %s\n", csv); return 2; }

    long total = 0;
    int input_done = 0;
    char line[512];
    double start = now_s();
    for (;;) {
        while (!input_done && in_flight < concurrency) {
            if (!fgets(line, sizeof line, names)) { input_done = 1; break; }
            line[strcspn(line, "\r\n")] = 0;
            if (!line[0]) continue;
            struct query *q = calloc(1, sizeof *q);
            char *space = strchr(line, ' ');
            if (space) {
                *space = 0;
                snprintf(q->expected, sizeof q->expected, "%s", space + 1);
            }
            total++;
            in_flight++;
            ares_query(channel, line, ns_c_in, ns_t_a, on_answer, q);
        }
        if (input_done && in_flight == 0) break;
        ares_socket_t socks[ARES_GETSOCK_MAXNUM];
        int bits = ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
        struct pollfd fds[ARES_GETSOCK_MAXNUM];
        int nfds = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
            short ev = (short)((ARES_GETSOCK_READABLE(bits, i) ? POLLIN : 0) | (ARES_GETSOCK_WRITABLE(bits, i) ? POLLOUT : 0));
            if (!ev) continue;
            fds[nfds].fd = socks[i];
            fds[nfds].events = ev;
            fds[nfds].revents = 0;
            nfds++;
        }
        struct timeval tv, *tvp = ares_timeout(channel, NULL, &tv);
        int wait_ms = tvp ? (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000) : 1000;
        int ready = poll(fds, (nfds_t)nfds, wait_ms);
        if (ready <= 0) {
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
            continue;
        }
        for (int i = 0; i < nfds; i++) {
            if (!fds[i].revents) continue;
            ares_process_fd(channel, (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD,
                            (fds[i].revents & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD);
        }
    }
    double elapsed = now_s() - start;
    printf("{\"names\":%ld,\"answered\":%ld,\"noerror\":%ld,\"mismatched\":%ld,\"failed\":%ld,\"elapsed_s\":%.6f,"
           "\"names_per_s\":%.1f}\n",
           total, answered, noerror, mismatched, failed, elapsed, elapsed > 0 ? (double)total / elapsed : 0.0);
    ares_destroy(channel);
    ares_library_cleanup();
    fclose(names);
    return failed || mismatched ? 1 : 0;
}
