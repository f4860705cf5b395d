"""Hostile peers for the reliability tests: TCP and UDP servers on loopback,
each a thread of the test process, that misbehave in one chosen way.

TcpPeer(behaviour): accepts, waits for the client's first bytes, then
  silent   reads and discards everything, never writes
  stall    writes `first` (a prefix of a proper answer) and then nothing more
  reset    writes `first` (may be empty), then resets (SO_LINGER 0)
  garbage  writes `first` (random bytes by default) and closes
  flood    writes `first`, then `chunk` forever until the client goes away

UdpPeer(answer): answers each datagram with answer(request) -> list of
datagrams (possibly empty, possibly many).
"""
import os
import selectors
import socket
import struct
import threading
import time


class TcpPeer:
    def __init__(self, behaviour, first=b"", chunk=b"x" * 65536, host="127.0.0.1", port=0, serve=None):
        """`serve(conn, stop_event)`, if given, replaces the behaviour; `port`
        may be a UDP peer's port, to listen beside it (DNS over TCP)."""
        self.behaviour, self.first, self.chunk, self.serve = behaviour, first, chunk, serve
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, port))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.accepted = 0
        self.sent = 0
        self._stop = threading.Event()
        self._conns = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        self.listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted += 1
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        if self.serve:
            try:
                self.serve(conn, self._stop)
            except OSError:
                pass
            return
        try:
            conn.settimeout(5)
            conn.recv(65536)  # the request (or its start)
            if self.behaviour == "silent":
                conn.settimeout(0.1)
                while not self._stop.is_set():
                    try:
                        if conn.recv(65536) == b"":
                            break
                    except socket.timeout:
                        pass
                return
            if self.first:
                conn.sendall(self.first)
                self.sent += len(self.first)
            if self.behaviour == "stall":
                self._stop.wait()
            elif self.behaviour == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            elif self.behaviour == "garbage":
                conn.close()
            elif self.behaviour == "flood":
                conn.settimeout(10)
                while not self._stop.is_set():
                    conn.sendall(self.chunk)
                    self.sent += len(self.chunk)
        except OSError:
            pass

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.listener.close()
        for c in self._conns:
            try:
                c.close()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class UdpPeer:
    def __init__(self, answer, host="127.0.0.1"):
        self.answer = answer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except (socket.timeout, OSError):
                continue
            self.received += 1
            for reply in self.answer(data, self._stop):
                try:
                    self.sock.sendto(reply, peer)
                    self.sent += 1
                except OSError:
                    pass

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def dns_question_end(query):
    """Offset just past the (first) question of a DNS query."""
    pos = 12
    while query[pos] != 0:
        pos += query[pos] + 1
    return pos + 5


def dns_answer(query, records, flags=0x8180):
    """A response to `query` carrying `records` (list of (type, rdata)) for the asked name."""
    qend = dns_question_end(query)
    head = query[:2] + struct.pack(">HHHHH", flags, 1, len(records), 0, 0) + query[12:qend]
    body = b"".join(b"\xc0\x0c" + struct.pack(">HHIH", t, 1, 60, len(rd)) + rd for t, rd in records)
    return head + body


def random_bytes(n):
    return os.urandom(n)


def elapsed_run(fn):
    start = time.monotonic()
    result = fn()
    return result, time.monotonic() - start
