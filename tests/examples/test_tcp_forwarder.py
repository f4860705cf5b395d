"""examples/tcp_forwarder against loopback peers: 50 MB through it to a slow
reader arrive intact (SHA-256), a reply comes back after the client's FIN
(half-close both ways), the pair is freed at the end, and the forwarder's peak
RSS stays bounded by its marks rather than by the 50 MB.

The binary is $TCP_FORWARDER if set (to check an installed or out-of-tree
build: TCP_FORWARDER=/path/to/tcp_forwarder python3 test_tcp_forwarder.py),
else build/examples/tcp_forwarder."""
import hashlib
import os
import socket
import subprocess
import threading
import time
import unittest

import nrtest

EXAMPLE = os.environ.get("TCP_FORWARDER") or os.path.join(os.environ.get("NR_BUILD_DIR", "build"), "examples",
                                                           "tcp_forwarder")
HIGH, LOW = 1 << 20, 256 << 10
TOTAL = 50 * 1000 * 1000
REPLY = 5 * 1000 * 1000
BLOCK = hashlib.shake_256(b"netreactor").digest(1 << 20)


def chunks(total):
    """Deterministic, non-repeating-looking bytes: the block rotated per chunk."""
    sent, i = 0, 0
    while sent < total:
        k = (i * 7919) % len(BLOCK)
        piece = (BLOCK[k:] + BLOCK[:k])[: min(len(BLOCK), total - sent)]
        yield piece
        sent += len(piece)
        i += 1


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


class SlowUpstream(threading.Thread):
    """Reads slowly (at most 64 KiB per millisecond, through a 64 KiB receive buffer), hashes what it got, and
    after the forwarder's FIN sends REPLY bytes back, then its own FIN."""

    def __init__(self):
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.digest, self.received, self.error = None, 0, None

    def run(self):
        try:
            conn, _ = self.listener.accept()
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 10)  # a small window: the forwarder must queue
            h = hashlib.sha256()
            while data := conn.recv(64 << 10):
                h.update(data)
                self.received += len(data)
                time.sleep(0.001)
            self.digest = h.hexdigest()
            for piece in chunks(REPLY):
                conn.sendall(piece)
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(10)
            self.tail = conn.recv(1)  # b"": the forwarder closes once both directions are done
            conn.close()
        except Exception as e:  # reported by the test
            self.error = e


class TcpForwarder(unittest.TestCase):
    def test_50_mb_to_a_slow_reader_arrive_intact_with_bounded_memory(self):
        upstream = SlowUpstream()
        upstream.start()
        proc = subprocess.Popen([EXAMPLE, "0", "127.0.0.1", str(upstream.port), str(HIGH), str(LOW)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            self.assertTrue(line.startswith("listening "), line)
            port = int(line.rsplit(":", 1)[1])
            fds_before = len(os.listdir(f"/proc/{proc.pid}/fd"))
            rss_before = status_kib(proc.pid, "VmRSS")

            client = socket.create_connection(("127.0.0.1", port), timeout=60)
            sent = hashlib.sha256()
            reply = hashlib.sha256()
            got = [0]

            def read_reply():
                while data := client.recv(1 << 16):
                    reply.update(data)
                    got[0] += len(data)

            reader = threading.Thread(target=read_reply, daemon=True)
            reader.start()
            start = time.monotonic()
            for piece in chunks(TOTAL):
                sent.update(piece)
                client.sendall(piece)
            client.shutdown(socket.SHUT_WR)  # half-close: the reply must still come back
            reader.join(60)
            upstream.join(10)
            elapsed = time.monotonic() - start
            hwm = status_kib(proc.pid, "VmHWM")
            client.close()

            self.assertIsNone(upstream.error)
            self.assertEqual(upstream.received, TOTAL)
            self.assertEqual(upstream.digest, sent.hexdigest(), "the bytes arrived changed")
            expected_reply = hashlib.sha256()
            for piece in chunks(REPLY):
                expected_reply.update(piece)
            self.assertEqual(got[0], REPLY)
            self.assertEqual(reply.hexdigest(), expected_reply.hexdigest())
            self.assertEqual(upstream.tail, b"", "the forwarder closed the upstream once both directions were done")
            # Both connections freed: the descriptor count is back where it was.
            deadline = time.monotonic() + 5
            while len(os.listdir(f"/proc/{proc.pid}/fd")) != fds_before and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertEqual(len(os.listdir(f"/proc/{proc.pid}/fd")), fds_before)
            # Memory: each direction's queue stays within about twice (vector growth)
            # HIGH plus one 256 KiB read; two queues; 2 MiB for the allocator and
            # libuv. Without backpressure the 50 MB would pile up in the forwarder.
            growth = (hwm - rss_before) * 1024
            bound = 2 * 2 * (HIGH + (256 << 10)) + (2 << 20)
            print(f"50 MB in {elapsed:.1f} s; forwarder RSS {rss_before} KiB before, peak {hwm} KiB "
                  f"(growth {growth / 1048576:.1f} MiB, bound {bound / 1048576:.1f} MiB)", flush=True)
            with open(f"/proc/{proc.pid}/maps") as f:
                sanitized = any(lib in f.read() for lib in ("libasan", "libtsan"))
            if not sanitized:  # a sanitizer's quarantine and shadow memory make RSS meaningless
                self.assertLess(growth, bound)
        finally:
            proc.kill()
            proc.wait()
            err = proc.stderr.read()
            self.assertEqual(err, "", err)


if __name__ == "__main__":
    nrtest.main()
