"""End-to-end tests of nr-echo-server on loopback, with Python peers as the
independent oracle (and nr-echo-client's load mode for the many-connection
cases). Every JSON line the server prints is validated against
docs/json/nr-echo-server.schema.json.
"""
import hashlib
import json
import os
import resource
import signal
import socket
import struct
import subprocess
import threading
import time
import unittest

import nrtest

TOOL = "nr-echo-server"
SEED_MESSAGE = b"Test message. This will be echoed"


def raise_nofile(limit=None):
    """A preexec_fn setting RLIMIT_NOFILE (default: as high as allowed)."""
    def apply():
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        value = hard if limit is None else limit
        resource.setrlimit(resource.RLIMIT_NOFILE, (value, hard))
    return apply


def start(*args, **kw):
    """nr-echo-server on a free port; waits for its listening events."""
    wait_for = 1 if any(a in ("--proto",) for a in args) else 2
    server = nrtest.Server.tool(TOOL, "--port", "0", *map(str, args), wait_for=wait_for, **kw)
    for event in server.events:
        nrtest.validate(TOOL, event)
    return server


def stop(server, sig=signal.SIGTERM, timeout=20, signalled=False):
    """Stops the server (or, when `signalled`, waits for the exit a signal we
    sent already began: a second one could hit it on the way out); validates
    every line; returns (returncode, events, shutdown event)."""
    if signalled:
        server.proc.wait(timeout=timeout)
    code, lines, err = server.stop(sig, timeout=timeout)
    for line in server.events:
        nrtest.validate(TOOL, line)
    shutdown = [e for e in server.events if e.get("event") == "shutdown"]
    return code, server.events, shutdown[-1] if shutdown else None


def connect(port, host="127.0.0.1", timeout=10, rcvbuf=None):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def recv_exactly(s, n):
    chunks = []
    while n > 0:
        chunk = s.recv(min(n, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv_all(s):
    chunks = []
    while True:
        chunk = s.recv(1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def echo_ok(port, payload=SEED_MESSAGE, host="127.0.0.1"):
    with connect(port, host) as s:
        s.sendall(payload)
        return recv_exactly(s, len(payload)) == payload


def ipv6_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class Echo(unittest.TestCase):
    def test_listening_events_share_one_port(self):
        with start() as server:
            tcp, udp = server.listening("tcp"), server.listening("udp")
            self.assertEqual(tcp["port"], udp["port"])
            self.assertEqual((tcp["address"], tcp["workers"]), ("127.0.0.1", 1))
            code, _, shutdown = stop(server)
            self.assertEqual(code, 0)
            self.assertEqual(shutdown["signal"], "SIGTERM")

    def test_default_exchange(self):
        with start() as server:
            # The seed's client: send the message, read it back 16 bytes at a time.
            with connect(server.port) as s:
                s.sendall(SEED_MESSAGE)
                got = b""
                while len(got) < len(SEED_MESSAGE):
                    got += s.recv(16)
            self.assertEqual(got, SEED_MESSAGE)
            r = nrtest.run_tool("nr-echo-client", "--port", server.port)
            self.assertEqual(r.returncode, 0, r)
            self.assertIs(r.json["match"], True)

    def test_16_mib_byte_exact(self):
        payload = os.urandom(16 * 1024 * 1024)
        with start() as server, connect(server.port, timeout=30) as s:
            sender = threading.Thread(target=s.sendall, args=(payload,))
            sender.start()
            got = recv_exactly(s, len(payload))
            sender.join()
            self.assertEqual(len(got), len(payload))
            self.assertEqual(hashlib.sha256(got).digest(), hashlib.sha256(payload).digest())
            s.close()
            _, _, shutdown = stop(server)
            self.assertEqual(shutdown["bytes_in"], len(payload))
            self.assertEqual(shutdown["bytes_out"], len(payload))
            self.assertEqual((shutdown["bytes_discarded"], shutdown["bytes_dropped"]), (0, 0))

    def test_1000_concurrent_connections(self):
        with start(preexec_fn=raise_nofile()) as server:
            r = nrtest.run_tool("nr-echo-client", "--port", server.port, "--connections", 1000, "--duration", 2,
                                "--size", 256, "--timeout", 10, timeout=90, preexec_fn=raise_nofile())
            self.assertEqual(r.returncode, 0, r)
            out = r.json
            self.assertEqual(out["connected"], 1000)
            self.assertEqual((out["errors"], out["mismatches"]), (0, 0))
            self.assertGreater(out["messages"], 1000)
            code, _, shutdown = stop(server)
            self.assertEqual(code, 0)
            self.assertEqual(shutdown["connections"], 1000)
            self.assertEqual(shutdown["errors"], 0)

    def test_udp(self):
        with start() as server:
            port = server.listening("udp")["port"]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(5)
                for payload in (SEED_MESSAGE, b"\0" * 1, os.urandom(1400), os.urandom(65507)):
                    s.sendto(payload, ("127.0.0.1", port))
                    data, peer = s.recvfrom(65536)
                    self.assertEqual(data, payload)
                    self.assertEqual(peer[1], port)
            _, _, shutdown = stop(server)
            self.assertEqual(shutdown["datagrams"], 4)
            self.assertEqual(shutdown["datagram_bytes"], len(SEED_MESSAGE) + 1 + 1400 + 65507)

    @unittest.skipUnless(ipv6_available(), "no IPv6 loopback")
    def test_ipv6_loopback(self):
        with start("--host", "::1") as server:
            self.assertEqual(server.listening("tcp")["address"], "::1")
            self.assertTrue(echo_ok(server.port, host="::1"))
            with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
                s.settimeout(5)
                s.sendto(SEED_MESSAGE, ("::1", server.port))
                self.assertEqual(s.recvfrom(100)[0], SEED_MESSAGE)

    @unittest.skipUnless(ipv6_available(), "no IPv6 loopback")
    def test_dual_stack(self):
        with start("--host", "::") as server:
            self.assertTrue(echo_ok(server.port, host="::1"))
            self.assertTrue(echo_ok(server.port, host="127.0.0.1"))

    def test_half_close_gets_everything_back(self):
        payload = os.urandom(3 * 1024 * 1024)
        with start() as server, connect(server.port, timeout=30) as s:
            # Send everything, then shut down our write side while most of the
            # echo is still on its way back.
            sender = threading.Thread(target=lambda: (s.sendall(payload), s.shutdown(socket.SHUT_WR)))
            sender.start()
            got = recv_all(s)  # ends at the server's FIN, after the whole echo
            sender.join()
            self.assertEqual(len(got), len(payload))
            self.assertEqual(got, payload)


class Shutdown(unittest.TestCase):
    def test_sigterm_drains_queued_echo(self):
        size = 16 * 1024 * 1024
        payload = os.urandom(size)
        # A high mark above the payload: the server reads it all and queues
        # the echo that our small receive buffer and the kernel cannot take yet.
        with start("--high-water", 4 * size, "--drain-timeout", 20) as server:
            rss_before = server.rss_kib()
            s = connect(server.port, rcvbuf=16384, timeout=30)
            s.sendall(payload)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not self.server_has_read_all(s):
                time.sleep(0.1)
            time.sleep(0.5)
            # The premise: megabytes of echo wait in the server's own queue.
            self.assertGreater(server.rss_kib() - rss_before, 4096)
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            got = recv_all(s)  # the whole echo, then the server's FIN
            s.close()
            self.assertEqual(len(got), size)
            self.assertEqual(got, payload)
            code, _, shutdown = stop(server, signalled=True)
            self.assertEqual(code, 0)
            self.assertEqual(shutdown["signal"], "SIGTERM")
            self.assertEqual(shutdown["connections"], 1)
            self.assertEqual((shutdown["bytes_in"], shutdown["bytes_out"]), (size, size))
            self.assertEqual((shutdown["forced_closed"], shutdown["errors"]), (0, 0))

    def test_sigterm_while_the_peer_keeps_sending(self):
        # Closing a socket with unread input would make the kernel reset the
        # connection and drop the echo still in flight: every byte the server
        # reports as echoed must reach us, before a clean FIN.
        with start("--proto", "tcp", "--drain-timeout", 20) as server:
            s = connect(server.port, rcvbuf=65536, timeout=30)
            sending = threading.Event()
            sending.set()

            def sender():
                chunk = b"\x5a" * 65536
                try:
                    while sending.is_set():
                        s.send(chunk)
                except OSError:
                    pass
            thread = threading.Thread(target=sender)
            thread.start()
            time.sleep(0.5)  # the echo piles up: we do not read yet
            server.proc.send_signal(signal.SIGTERM)
            received = 0
            while True:
                data = s.recv(1 << 20)  # a reset would raise here
                if not data:
                    break
                self.assertEqual(data, b"\x5a" * len(data))
                received += len(data)
            sending.clear()
            thread.join()
            s.close()  # the server's cue that we are done
            code, _, shutdown = stop(server, signalled=True)
            self.assertEqual(code, 0)
            self.assertEqual(shutdown["forced_closed"], 0)
            self.assertGreater(received, 0)
            self.assertEqual(received, shutdown["bytes_out"])
            assert_every_byte_accounted(self, shutdown)

    @staticmethod
    def server_has_read_all(s):
        # Our send queue is empty once the server's kernel has acknowledged it;
        # SIOCOUTQ (TIOCOUTQ) tells how much of it is unsent or unacknowledged.
        import fcntl
        import struct
        import termios
        unsent = struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
        return unsent == 0

    def test_sigint_and_sighup_end_cleanly(self):
        for sig, name in ((signal.SIGINT, "SIGINT"), (signal.SIGHUP, "SIGHUP")):
            with start() as server:
                self.assertTrue(echo_ok(server.port))
                code, _, shutdown = stop(server, sig)
                self.assertEqual(code, 0)
                self.assertEqual(shutdown["signal"], name)
                self.assertEqual(shutdown["connections"], 1)
                self.assertEqual(shutdown["bytes_out"], len(SEED_MESSAGE))

    def test_drain_timeout_forces_stuck_connections_closed(self):
        with start("--high-water", 1024, "--drain-timeout", "0.5") as server:
            s = connect(server.port, rcvbuf=4096)
            fill_until_stuck(s)  # the server stopped reading us: its echo is stuck
            started = time.monotonic()
            code, _, shutdown = stop(server)
            self.assertLess(time.monotonic() - started, 10)
            self.assertEqual(code, 0)
            self.assertEqual(shutdown["forced_closed"], 1)
            s.close()


class Backpressure(unittest.TestCase):
    def test_peer_that_never_reads_keeps_memory_bounded(self):
        peers, per_peer = 4, 64 * 1024 * 1024  # 256 MiB offered in all
        chunk = b"\xa5" * (1 << 20)
        with start() as server:
            time.sleep(0.2)
            rss_before = server.rss_kib()
            socks = [connect(server.port, rcvbuf=16384) for _ in range(peers)]
            sent = [0] * peers
            for s in socks:
                s.setblocking(False)
            last_progress = time.monotonic()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and time.monotonic() - last_progress < 1.5:
                for i, s in enumerate(socks):
                    try:
                        while sent[i] < per_peer:
                            sent[i] += s.send(chunk)
                            last_progress = time.monotonic()
                    except BlockingIOError:
                        pass
                time.sleep(0.01)
            growth_mib = (server.rss_kib() - rss_before) / 1024
            # Backpressure: the server stopped reading each peer long before 64 MiB...
            for total in sent:
                self.assertLess(total, per_peer // 2, sent)
            # ...so its memory stayed bounded while 256 MiB were offered.
            self.assertLess(growth_mib, 64, f"RSS grew by {growth_mib:.1f} MiB; sent {sent}")
            # It keeps serving others meanwhile.
            self.assertTrue(echo_ok(server.port))
            for s in socks:
                s.close()
            code, _, shutdown = stop(server)
            self.assertEqual(code, 0)


def assert_every_byte_accounted(test, shutdown):
    """bytes_in == bytes_out + bytes_discarded + bytes_dropped, in every case."""
    test.assertEqual(shutdown["bytes_in"],
                     shutdown["bytes_out"] + shutdown["bytes_discarded"] + shutdown["bytes_dropped"], shutdown)


def fill_all_until_stuck(socks, chunk=b"\xa5" * 65536, quiet=1.0, limit=30):
    """Sends on every socket (never reading) until none takes more for `quiet` s."""
    for s in socks:
        s.setblocking(False)
    sent = [0] * len(socks)
    last_progress, deadline = time.monotonic(), time.monotonic() + limit
    while time.monotonic() - last_progress < quiet and time.monotonic() < deadline:
        for i, s in enumerate(socks):
            try:
                while True:
                    sent[i] += s.send(chunk)
                    last_progress = time.monotonic()
            except BlockingIOError:
                pass
        time.sleep(0.01)
    return sent


def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def closed_by_server(s, timeout=5):
    """True when the server closes `s` (EOF or reset) within `timeout` s;
    whatever echo arrives first is read and ignored."""
    s.setblocking(True)
    s.settimeout(timeout)
    try:
        while s.recv(1 << 20):
            pass
        return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class StalledPeers(unittest.TestCase):
    def check_stalled_peer_is_closed(self, *options):
        with start("--proto", "tcp", *options) as server:
            s = connect(server.port, rcvbuf=4096)
            peer = "%s:%d" % s.getsockname()
            fill_until_stuck(s)  # its echo is queued in the server, unread
            started = time.monotonic()
            event = server.read_line(6)
            self.assertIsNotNone(event, "no stalled event")
            nrtest.validate(TOOL, event)
            self.assertEqual(event["event"], "stalled")
            self.assertEqual(event["peer"], peer)
            self.assertGreater(event["queued_bytes"], 0)
            self.assertGreaterEqual(event["stalled_ms"], 1000)
            self.assertTrue(closed_by_server(s))
            self.assertLess(time.monotonic() - started, 6)
            s.close()
            _, _, shutdown = stop(server)
            self.assertEqual(shutdown["stall_closed"], 1)
            self.assertGreater(shutdown["bytes_dropped"], 0)
            assert_every_byte_accounted(self, shutdown)

    def test_stall_timeout_closes_a_peer_that_stopped_reading(self):
        self.check_stalled_peer_is_closed("--stall-timeout", "1")

    def test_idle_timeout_also_closes_a_stalled_peer(self):
        # A peer that stops reading with its echo queued is not silent-and-done,
        # but it is idle: by default --stall-timeout is --idle-timeout (issue 11:
        # such a peer was alive 5.9 s after a 1 s idle timeout).
        self.check_stalled_peer_is_closed("--idle-timeout", "1")

    def test_a_peer_that_stalls_after_the_queues_emptied_is_still_closed(self):
        # Without --idle-timeout the sweep runs only while echo is queued: it
        # stops once every queue is empty, and must start again for the next.
        with start("--proto", "tcp", "--stall-timeout", "2") as server:
            first = connect(server.port, rcvbuf=4096)
            sent = fill_until_stuck(first, quiet=0.3)  # echo queued in the server...
            first.setblocking(True)
            self.assertEqual(len(recv_exactly(first, sent)), sent)  # ...then all read: no queue left
            time.sleep(0.6)  # a few sweep periods (0.25 s): the sweep has stopped
            second = connect(server.port, rcvbuf=4096)
            peer = "%s:%d" % second.getsockname()
            fill_until_stuck(second, quiet=0.3)
            event = server.read_line(8)
            self.assertIsNotNone(event, "no stalled event")
            self.assertEqual(event["event"], "stalled")
            self.assertEqual(event["peer"], peer)
            self.assertTrue(closed_by_server(second))
            self.assertTrue(echo_ok_on(first))  # the first, which read its echo, is served on
            first.close()
            second.close()
            _, _, shutdown = stop(server)
            self.assertEqual(shutdown["stall_closed"], 1)
            assert_every_byte_accounted(self, shutdown)

    def test_a_slow_reader_is_not_stalled(self):
        # Reading slowly is progress, even while a large write is partly done.
        size = 3 * 1024 * 1024
        payload = os.urandom(size)
        with start("--proto", "tcp", "--stall-timeout", "0.5", "--high-water", 8 * 1024 * 1024) as server:
            s = connect(server.port, rcvbuf=16384, timeout=30)
            s.sendall(payload)
            got = bytearray()
            slow_until = time.monotonic() + 2.5
            while time.monotonic() < slow_until:  # about 160 KB/s
                got += s.recv(16384)
                time.sleep(0.1)
            while len(got) < size:
                chunk = s.recv(1 << 20)
                self.assertTrue(chunk, "closed as if stalled")
                got += chunk
            self.assertEqual(bytes(got), payload)
            s.close()
            _, events, shutdown = stop(server)
            self.assertEqual(shutdown["stall_closed"], 0)
            self.assertFalse([e for e in server.events if e.get("event") == "stalled"])


class QueueLimit(unittest.TestCase):
    def test_many_never_reading_peers_keep_rss_bounded(self):
        peers, high_water, max_queued = 40, 4 * 1024 * 1024, 8 * 1024 * 1024
        # Without --max-queued each peer could hold its 4 MiB: 160 MiB in all.
        with start("--proto", "tcp", "--high-water", high_water, "--max-queued", max_queued) as server:
            time.sleep(0.2)
            rss_before = server.rss_kib()
            socks = [connect(server.port, rcvbuf=4096) for _ in range(peers)]
            fill_all_until_stuck(socks)
            growth_mib = (server.rss_kib() - rss_before) / 1024
            self.assertLess(growth_mib, 48, f"RSS grew by {growth_mib:.1f} MiB")
            event = server.read_line(5)
            nrtest.validate(TOOL, event)
            self.assertEqual(event["event"], "queue_limit")
            self.assertEqual(event["max_queued"], max_queued)
            self.assertGreater(event["queued_bytes"], max_queued)
            self.assertIn(event["peer"], ["%s:%d" % s.getsockname() for s in socks])
            # A peer whose echo flows is still served.
            self.assertTrue(echo_ok(server.port))
            for s in socks:
                reset(s)
            time.sleep(0.5)
            _, _, shutdown = stop(server)
            self.assertGreater(shutdown["queue_limit_pauses"], 0)
            self.assertEqual(shutdown["errors"], peers)
            assert_every_byte_accounted(self, shutdown)

    def test_reset_peers_with_queued_echo_are_accounted(self):
        # Issue 11: 50 never-reading peers that reset left 59 MB unaccounted.
        peers = 20
        with start("--proto", "tcp") as server:
            socks = [connect(server.port, rcvbuf=4096) for _ in range(peers)]
            fill_all_until_stuck(socks, quiet=0.5)
            for s in socks:
                reset(s)
            time.sleep(0.5)
            _, _, shutdown = stop(server)
            self.assertEqual(shutdown["errors"], peers)
            self.assertGreater(shutdown["bytes_dropped"], peers * 64 * 1024, "the premise: echo was queued")
            assert_every_byte_accounted(self, shutdown)

    def test_bad_limits(self):
        for args in (["--max-queued", "-1"], ["--max-queued", "abc"], ["--stall-timeout", "-1"],
                     ["--stall-timeout", "nan"]):
            r = nrtest.run_tool(TOOL, *args)
            self.assertEqual(r.returncode, 2, (args, r))
            self.assertEqual(r.json["error"]["code"], "EUSAGE", args)


class LostReader(unittest.TestCase):
    def test_losing_the_event_reader_drains_like_a_signal(self):
        # `nr-echo-server --log-connections | head -c 10`: once the reader is
        # gone the server drains and exits as on SIGTERM; a client mid-echo
        # gets its whole echo, then a FIN, never a reset.
        size = 8 * 1024 * 1024
        payload = os.urandom(size)
        proc = subprocess.Popen([nrtest.tool_path(TOOL), "--port", "0", "--proto", "tcp", "--log-connections",
                                 "--high-water", str(4 * size)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            port = json.loads(proc.stdout.readline())["port"]
            a = connect(port, rcvbuf=16384, timeout=30)
            a.sendall(payload)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not Shutdown.server_has_read_all(a):
                time.sleep(0.05)
            time.sleep(0.3)  # the echo waits in the server's queue
            proc.stdout.close()  # the reader goes away
            b = connect(port)  # its "accepted" event meets EPIPE
            got = recv_all(a)  # a reset would raise here
            self.assertEqual(len(got), size)
            self.assertEqual(got, payload)
            a.close()
            self.assertEqual(b.recv(10), b"")  # drained: FIN
            started = time.monotonic()
            self.assertEqual(proc.wait(timeout=5), 0)
            # b, quiet and kept open, is closed by the drain in half a second,
            # not at --drain-timeout (5 s).
            self.assertLess(time.monotonic() - started, 2)
            b.close()
            err = proc.stderr.read().decode()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        # Quiet, as every tool under `| head`: the summary went with stdout.
        self.assertEqual(err, "")


class Limits(unittest.TestCase):
    def test_descriptor_exhaustion_then_recovery(self):
        with start("--proto", "tcp", preexec_fn=raise_nofile(64)) as server:
            first = [connect(server.port) for _ in range(20)]
            for s in first:
                s.sendall(b"early")
                self.assertEqual(recv_exactly(s, 5), b"early")
            # 200 more: most cannot get a descriptor in the server.
            crowd = []
            for _ in range(200):
                s = socket.socket()
                s.setblocking(False)
                try:
                    s.connect(("127.0.0.1", server.port))
                except BlockingIOError:
                    pass
                crowd.append(s)
            time.sleep(0.5)
            cpu_before = server.cpu_seconds()
            time.sleep(3)
            cpu_used = server.cpu_seconds() - cpu_before
            self.assertLess(cpu_used, 0.5, "the server spins while descriptors are exhausted")
            # Those beyond the limit were refused by closing them (libuv's
            # reserve-descriptor trick), not left waiting.
            refused = 0
            for s in crowd:
                try:
                    if s.recv(1) == b"":
                        refused += 1
                except ConnectionResetError:
                    refused += 1
                except BlockingIOError:
                    pass
            self.assertGreater(refused, 100)
            # Existing connections are still served.
            for s in first:
                s.sendall(b"still here")
                self.assertEqual(recv_exactly(s, 10), b"still here")
            for s in crowd + first:
                s.close()
            # Descriptors are free again: it accepts.
            deadline = time.monotonic() + 10
            while True:
                try:
                    if echo_ok(server.port):
                        break
                except OSError:
                    pass
                self.assertLess(time.monotonic(), deadline, "no longer accepts after descriptors were freed")
                time.sleep(0.2)
            code, _, shutdown = stop(server)
            self.assertEqual(code, 0)
            self.assertEqual(shutdown["errors"], 0)

    def test_max_connections(self):
        with start("--max-connections", 2, "--proto", "tcp") as server:
            a, b = connect(server.port), connect(server.port)
            self.assertTrue(echo_ok_on(a) and echo_ok_on(b))
            c = connect(server.port)
            self.assertEqual(c.recv(10), b"", "the third connection should be closed at once")
            c.close()
            a.close()
            time.sleep(0.3)
            self.assertTrue(echo_ok(server.port))  # a slot is free again
            b.close()
            _, _, shutdown = stop(server)
            self.assertEqual(shutdown["rejected"], 1)
            self.assertEqual(shutdown["connections"], 3)

    def test_idle_timeout(self):
        with start("--idle-timeout", "0.5", "--proto", "tcp") as server:
            idle = connect(server.port)
            busy = connect(server.port)
            started = time.monotonic()
            for _ in range(8):  # keeps talking for about 1.6 s
                self.assertTrue(echo_ok_on(busy))
                time.sleep(0.2)
            idle.settimeout(5)
            self.assertEqual(idle.recv(10), b"", "the idle connection should have been closed")
            self.assertGreater(time.monotonic() - started, 0.45)
            self.assertTrue(echo_ok_on(busy))
            idle.close()
            busy.close()
            _, _, shutdown = stop(server)
            self.assertEqual(shutdown["idle_closed"], 1)

    def test_port_in_use(self):
        with start() as server:
            r = nrtest.run_tool(TOOL, "--port", server.port)
            self.assertEqual(r.returncode, 8, r)
            nrtest.validate(TOOL, r.json)
            self.assertEqual(r.json["error"]["code"], "EADDRINUSE")
            self.assertEqual(r.json["port"], server.port)
            self.assertIn("EADDRINUSE", r.stderr)
        # Only the UDP port taken: still EADDRINUSE.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            r = nrtest.run_tool(TOOL, "--proto", "udp", "--port", u.getsockname()[1])
            self.assertEqual(r.returncode, 8, r)
            self.assertEqual(r.json["error"]["code"], "EADDRINUSE")

    def test_port_in_use_whatever_the_workers(self):
        # SO_REUSEPORT must never let a second server join the first one's
        # port: every combination of --workers gets EADDRINUSE (issue 11).
        for first, second in ((2, 2), (2, 1), (1, 2), (3, 4)):
            with start("--workers", first) as server:
                for proto in ("tcp,udp", "tcp", "udp"):
                    r = nrtest.run_tool(TOOL, "--port", server.port, "--workers", second, "--proto", proto)
                    self.assertEqual(r.returncode, 8, (first, second, proto, r))
                    nrtest.validate(TOOL, r.json)
                    self.assertEqual(r.json["error"]["code"], "EADDRINUSE", (first, second, proto))
                    # stderr names the server it is about.
                    self.assertTrue(r.stderr.startswith(f"nr-echo-server: 127.0.0.1:{server.port}: bind: "), r.stderr)
                self.assertTrue(echo_ok(server.port))
                _, _, shutdown = stop(server)
                self.assertEqual(shutdown["connections"], 1, "the second server took connections")
        # Only the UDP port taken by a plain socket: still refused with workers.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            r = nrtest.run_tool(TOOL, "--proto", "udp", "--workers", 2, "--port", u.getsockname()[1])
            self.assertEqual(r.returncode, 8, r)
            self.assertEqual(r.json["error"]["code"], "EADDRINUSE")

    def test_restarts_at_once_on_the_same_port(self):
        # SO_REUSEADDR: a connection left in TIME_WAIT does not block a restart.
        with start("--proto", "tcp") as server:
            port = server.port
            self.assertTrue(echo_ok(port))
            stop(server)
        with nrtest.Server.tool(TOOL, "--port", port, "--proto", "tcp", wait_for=1) as again:
            self.assertTrue(echo_ok(again.port))


def fill_until_stuck(s, quiet=0.5, limit=20):
    """Sends on `s` (never reading) until nothing more is taken for `quiet` seconds."""
    s.setblocking(False)
    chunk = b"x" * 65536
    sent, last_progress, deadline = 0, time.monotonic(), time.monotonic() + limit
    while time.monotonic() - last_progress < quiet and time.monotonic() < deadline:
        try:
            sent += s.send(chunk)
            last_progress = time.monotonic()
        except BlockingIOError:
            time.sleep(0.02)
    return sent


def echo_ok_on(s, payload=SEED_MESSAGE):
    s.sendall(payload)
    return recv_exactly(s, len(payload)) == payload


class Workers(unittest.TestCase):
    def test_two_workers_share_the_port(self):
        with start("--workers", 2) as server:
            self.assertEqual(server.listening("tcp")["workers"], 2)
            # The workers' threads start right after the listening events.
            deadline = time.monotonic() + 5
            while len(os.listdir(f"/proc/{server.pid}/task")) < 2 and time.monotonic() < deadline:
                time.sleep(0.01)
            threads = len(os.listdir(f"/proc/{server.pid}/task"))
            self.assertGreaterEqual(threads, 2)
            r = nrtest.run_tool("nr-echo-client", "--port", server.port, "--connections", 50, "--duration", 1,
                                "--size", 128, timeout=60)
            self.assertEqual(r.returncode, 0, r)
            self.assertEqual((r.json["errors"], r.json["mismatches"]), (0, 0))
            r = nrtest.run_tool("nr-echo-client", "--port", server.port, "--udp", "--count", 5)
            self.assertEqual(r.returncode, 0, r)
            code, _, shutdown = stop(server)
            self.assertEqual(code, 0)
            self.assertEqual(shutdown["connections"], 50)
            self.assertEqual(shutdown["datagrams"], 5)


class Logging(unittest.TestCase):
    def test_log_connections(self):
        with start("--log-connections", "--proto", "tcp") as server:
            with connect(server.port) as s:
                local = s.getsockname()
                s.sendall(SEED_MESSAGE)
                self.assertEqual(recv_exactly(s, len(SEED_MESSAGE)), SEED_MESSAGE)
            accepted = server.read_line(5)
            closed = server.read_line(5)
            peer = f"{local[0]}:{local[1]}"
            self.assertEqual(accepted, {"schema_version": 1, "event": "accepted", "peer": peer})
            self.assertEqual(closed["event"], "closed")
            self.assertEqual(closed["peer"], peer)
            self.assertEqual((closed["bytes_in"], closed["bytes_out"]), (len(SEED_MESSAGE), len(SEED_MESSAGE)))
            self.assertNotIn("error", closed)
            code, _, _ = stop(server)
            self.assertEqual(code, 0)

    def test_reset_is_logged_with_its_error(self):
        import struct
        with start("--log-connections", "--proto", "tcp") as server:
            s = connect(server.port)
            s.sendall(b"abc")
            self.assertEqual(recv_exactly(s, 3), b"abc")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            server.read_line(5)  # accepted
            closed = server.read_line(5)
            self.assertEqual(closed["event"], "closed")
            self.assertEqual(closed["error"]["code"], "ECONNRESET")
            _, _, shutdown = stop(server)
            self.assertEqual(shutdown["errors"], 1)


class Arguments(unittest.TestCase):
    def test_bad_arguments(self):
        for args in (["--port", "70000"], ["--proto", "sctp"], ["--host", "not-an-ip"], ["--workers", "0"],
                     ["--idle-timeout", "-1"], ["--backlog", "0"], ["--no-such-option"]):
            r = nrtest.run_tool(TOOL, *args)
            self.assertEqual(r.returncode, 2, (args, r))
            nrtest.validate(TOOL, r.json)
            self.assertEqual(r.json["error"]["code"], "EUSAGE", args)
            self.assertTrue(r.stderr)

    def test_address_not_available(self):
        r = nrtest.run_tool(TOOL, "--host", "192.0.2.1", "--port", "0")
        self.assertEqual(r.returncode, 8, r)
        nrtest.validate(TOOL, r.json)
        self.assertEqual(r.json["error"]["code"], "EADDRNOTAVAIL")

    def test_help_and_version(self):
        r = subprocess.run([nrtest.tool_path(TOOL), "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0)
        for option in ("--host", "--port", "--proto", "--backlog", "--workers", "--max-connections",
                       "--idle-timeout", "--drain-timeout", "--log-connections", "Examples"):
            self.assertIn(option, r.stdout)
        r = subprocess.run([nrtest.tool_path(TOOL), "--version"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^nr-echo-server \d+\.\d+\.\d+")


if __name__ == "__main__":
    nrtest.main()
