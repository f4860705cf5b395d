/*
 * CPU time of one query-sized datagram sent on a connected UDP socket and
 * received on loopback, with writev() (what the resolver's socket hook used
 * before) and with send() (what it uses now, and what c-ares' own sendto()
 * amounts to), in alternating rounds: the kernel-side cost behind the hook's
 * choice (docs/benchmarks.md, DNS, third round).
 *
 *     build-bench/bench/dns/udp-send-calls [pairs per round, default 200000] [rounds, default 5]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static double cpu_seconds(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char** argv) {
    int pairs = argc > 1 ? atoi(argv[1]) : 200000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int receiver = socket(AF_INET, SOCK_DGRAM, 0);
    socklen_t length = sizeof address;
    if (receiver < 0 || bind(receiver, (struct sockaddr*)&address, sizeof address) != 0 ||
        getsockname(receiver, (struct sockaddr*)&address, &length) != 0) {
        perror("receiver");
        return 1;
    }
    int sender = socket(AF_INET, SOCK_DGRAM, 0);
    if (sender < 0 || connect(sender, (struct sockaddr*)&address, sizeof address) != 0) {
        perror("sender");
        return 1;
    }
    char query[40] = {1};  /* about the size of an A query */
    char answer[512];
    struct iovec vector = {query, sizeof query};
    for (int round = 0; round < rounds; ++round) {
        for (int use_send = 0; use_send < 2; ++use_send) {
            double start = cpu_seconds();
            for (int i = 0; i < pairs; ++i) {
                ssize_t sent = use_send ? send(sender, query, sizeof query, MSG_NOSIGNAL) : writev(sender, &vector, 1);
                if (sent != (ssize_t)sizeof query || recv(receiver, answer, sizeof answer, 0) < 0) {
                    perror("send/receive");
                    return 1;
                }
            }
            printf("round %d %-6s %.3f us per send + receive\n", round + 1, use_send ? "send" : "writev",
                   (cpu_seconds() - start) / pairs * 1e6);
        }
    }
    return 0;
}
