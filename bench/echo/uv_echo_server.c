/* A TCP and UDP echo server on libuv's C API, the canonical way (as in the
 * libuv guide): a buffer allocated for every read, and a uv_write request
 * carrying that buffer for every echo, freed when the write completes.
 * Usage: uv-echo-server [PORT [HOST]]   (PORT 0 picks a free one)
 * Prints the same "listening" lines as nr-echo-server, then serves forever. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct {
    uv_write_t req;
    uv_buf_t buf;
} write_req_t;

typedef struct {
    uv_udp_send_t req;
    uv_buf_t buf;
} udp_send_req_t;

static uv_loop_t *loop;

static void alloc_buffer(uv_handle_t *handle, size_t suggested_size, uv_buf_t *buf) {
    (void)handle;
    buf->base = malloc(suggested_size);
    buf->len = suggested_size;
}

static void on_close(uv_handle_t *handle) { free(handle); }

static void on_write(uv_write_t *req, int status) {
    (void)status;
    write_req_t *wr = (write_req_t *)req;
    free(wr->buf.base);
    free(wr);
}

static void on_read(uv_stream_t *client, ssize_t nread, const uv_buf_t *buf) {
    if (nread > 0) {
        write_req_t *wr = malloc(sizeof *wr);
        wr->buf = uv_buf_init(buf->base, (unsigned)nread);
        uv_write(&wr->req, client, &wr->buf, 1, on_write);
        return;
    }
    if (nread < 0) uv_close((uv_handle_t *)client, on_close);
    free(buf->base);
}

static void on_new_connection(uv_stream_t *server, int status) {
    if (status < 0) return;
    uv_tcp_t *client = malloc(sizeof *client);
    uv_tcp_init(loop, client);
    if (uv_accept(server, (uv_stream_t *)client) == 0) {
        uv_tcp_nodelay(client, 1);
        uv_read_start((uv_stream_t *)client, alloc_buffer, on_read);
    } else {
        uv_close((uv_handle_t *)client, on_close);
    }
}

static void on_udp_sent(uv_udp_send_t *req, int status) {
    (void)status;
    udp_send_req_t *sr = (udp_send_req_t *)req;
    free(sr->buf.base);
    free(sr);
}

static void on_datagram(uv_udp_t *udp, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *from,
                        unsigned flags) {
    (void)flags;
    if (nread <= 0 || from == NULL) {
        free(buf->base);
        return;
    }
    udp_send_req_t *sr = malloc(sizeof *sr);
    sr->buf = uv_buf_init(buf->base, (unsigned)nread);
    uv_udp_send(&sr->req, udp, &sr->buf, 1, from, on_udp_sent);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 9900;
    const char *host = argc > 2 ? argv[2] : "127.0.0.1";
    loop = uv_default_loop();
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_storage addr;
    if (strchr(host, ':') ? uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr)
                          : uv_ip4_addr(host, port, (struct sockaddr_in *)&addr)) {
        fprintf(stderr, "bad host %s\n", host);
        return 1;
    }
    uv_tcp_t server;
    uv_tcp_init(loop, &server);
    int rc = uv_tcp_bind(&server, (const struct sockaddr *)&addr, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)&server, 511, on_new_connection);
    if (rc) {
        fprintf(stderr, "listen: %s\n", uv_strerror(rc));
        return 1;
    }
    int len = sizeof addr;
    uv_tcp_getsockname(&server, (struct sockaddr *)&addr, &len);

    uv_udp_t udp;
    uv_udp_init(loop, &udp);
    rc = uv_udp_bind(&udp, (const struct sockaddr *)&addr, UV_UDP_REUSEADDR);
    if (rc == 0) rc = uv_udp_recv_start(&udp, alloc_buffer, on_datagram);
    if (rc) {
        fprintf(stderr, "udp: %s\n", uv_strerror(rc));
        return 1;
    }
    int real_port = ntohs(((struct sockaddr_in *)&addr)->sin_port);
    printf("{\"event\":\"listening\",\"proto\":\"tcp\",\"address\":\"%s\",\"port\":%d}\n", host, real_port);
    printf("{\"event\":\"listening\",\"proto\":\"udp\",\"address\":\"%s\",\"port\":%d}\n", host, real_port);
    fflush(stdout);
    return uv_run(loop, UV_RUN_DEFAULT);
}
