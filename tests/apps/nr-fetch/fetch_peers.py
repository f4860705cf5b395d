"""Peers for the nr-fetch tests, one process per peer, on loopback only.

    fetch_peers.py http DIR        serve DIR over HTTP/1.0 (http.server)
    fetch_peers.py silent          accept, read, never answer
    fetch_peers.py reset N         send a head announcing more, then N body bytes, then RST (SO_LINGER 0)
    fetch_peers.py truncate N      announce N+10 body bytes, send N, close normally
    fetch_peers.py raw TEXT        send TEXT (Python escapes allowed) as the whole reply, then close
    fetch_peers.py backlog         a listener whose accept queue is full, so SYNs go unanswered
    fetch_peers.py dns             UDP DNS server answering NXDOMAIN to every query
    fetch_peers.py router          HTTP peer for interim responses, fragments and redirects (see route())

Each prints {"event": "listening", "proto": ..., "port": P} once ready and runs until killed.
"""
import functools
import http.server
import json
import os
import socket
import struct
import sys
import threading
import time


def announce(proto, port):
    print(json.dumps({"event": "listening", "proto": proto, "port": port}), flush=True)


def listener(backlog=16):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(backlog)
    return s


def read_request(conn):
    data = b""
    conn.settimeout(5)
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def serve_each(handler):
    s = listener()
    announce("tcp", s.getsockname()[1])
    while True:
        conn, _ = s.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def http_server(directory):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Handler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    announce("tcp", server.server_address[1])
    server.serve_forever()


def silent(conn):
    read_request(conn)
    time.sleep(3600)


def reset(count, conn):
    read_request(conn)
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % (count * 100) + b"r" * count)
    time.sleep(0.5)  # let the client read what was sent before the reset
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def truncate(count, conn):
    read_request(conn)
    conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % (count + 10) + b"t" * count)
    conn.close()


def raw(text, conn):
    read_request(conn)
    conn.sendall(text)
    conn.close()


def route(conn):
    """/echo...: 200, the body is the request line received. /continue: 100
    and 102 interim heads (in separate writes), then 200 "final". /hop/N:
    302 to the relative reference N-1, /hop/0 200 "arrived". /absolute: 301
    to an absolute http URL of /echo/abs with a fragment. /see-other: 303 to
    /echo/x?y=1 with a body of its own. /tls: 302 to https://. /loop: 307 to
    itself."""
    request = read_request(conn)
    line = request.split(b"\r\n", 1)[0]
    path = line.split(b" ")[1].decode() if len(line.split(b" ")) > 1 else "/"
    port = conn.getsockname()[1]

    def reply(status, headers=(), body=b""):
        head = f"HTTP/1.0 {status}\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers)
        conn.sendall(head.encode() + b"\r\n" + body)

    if path.startswith("/echo"):
        reply("200 OK", body=line)
    elif path == "/continue":
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        time.sleep(0.05)
        conn.sendall(b"HTTP/1.1 102 Processing\r\nX-Interim: yes\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nfinal")
    elif path.startswith("/hop/"):
        n = int(path[len("/hop/"):])
        if n == 0:
            reply("200 OK", body=b"arrived")
        else:
            reply("302 Found", [("Location", str(n - 1))], b"not this body")
    elif path == "/absolute":
        reply("301 Moved Permanently", [("Location", f"http://127.0.0.1:{port}/echo/abs#frag")])
    elif path == "/see-other":
        reply("303 See Other", [("Location", "/echo/x?y=1")], b"redirect body")
    elif path == "/tls":
        reply("302 Found", [("Location", "https://127.0.0.1/secure")])
    elif path == "/loop":
        reply("307 Temporary Redirect", [("Location", "/loop")])
    else:
        reply("404 Not Found", body=b"no route")
    conn.close()


def backlog():
    s = listener(backlog=0)
    port = s.getsockname()[1]
    # Fill the accept queue (backlog 0 holds one) and never accept.
    fillers = []
    for _ in range(2):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        fillers.append(c)
    time.sleep(0.2)
    announce("tcp", port)
    time.sleep(3600)


def dns():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    announce("udp", s.getsockname()[1])
    while True:
        query, peer = s.recvfrom(4096)
        if len(query) < 12:
            continue
        ident, flags = struct.unpack("!HH", query[:4])
        # QR=1, opcode and RD copied, RA=1, RCODE=3 (NXDOMAIN); the question echoed.
        reply_flags = 0x8000 | (flags & 0x7900) | 0x0080 | 3
        s.sendto(struct.pack("!HHHHHH", ident, reply_flags, 1, 0, 0, 0) + query[12:], peer)


def main():
    mode = sys.argv[1]
    if mode == "http":
        http_server(sys.argv[2])
    elif mode == "silent":
        serve_each(silent)
    elif mode == "reset":
        serve_each(functools.partial(reset, int(sys.argv[2])))
    elif mode == "truncate":
        serve_each(functools.partial(truncate, int(sys.argv[2])))
    elif mode == "raw":
        serve_each(functools.partial(raw, sys.argv[2].encode().decode("unicode_escape").encode("latin-1")))
    elif mode == "router":
        serve_each(route)
    elif mode == "backlog":
        backlog()
    elif mode == "dns":
        dns()
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
