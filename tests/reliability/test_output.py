"""Output faults for every tool: stdout closed by its reader (a pipe whose
read end is closed, as `| head -1` leaves it) ends a streaming tool at once,
quietly, with status 0; stdout on a full disk (/dev/full) is reported on
stderr with status 8 (docs/exit-status.md). nr-resolve -f | head -1 and
nr-fetch into a closed pipe are also covered in tests/apps/ (cited in
docs/reliability.md); they are repeated here only where this file checks
more (the exit status, stderr).
"""
import json
import os
import signal
import socket
import subprocess
import time
import unittest

import nrtest
from hostile import UdpPeer, TcpPeer, dns_answer


def closed_pipe():
    r, w = os.pipe()
    os.close(r)
    return w


def run_with_stdout(argv, stdout_fd, input=None, timeout=20):
    start = time.monotonic()
    proc = subprocess.Popen([str(a) for a in argv], stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                            stdout=stdout_fd, stderr=subprocess.PIPE)
    if stdout_fd not in (subprocess.DEVNULL, subprocess.PIPE) and isinstance(stdout_fd, int):
        os.close(stdout_fd)
    try:
        _, err = proc.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"{argv} did not end within {timeout} s")
    return proc.returncode, err.decode(errors="replace"), time.monotonic() - start


def dns_peer():
    return UdpPeer(lambda q, stop: [dns_answer(q, [(1, bytes([192, 0, 2, 7]))])])


def sntp_server():
    return nrtest.Server.tool("nr-sntp-server", "--port", "0")


def http_peer(size):
    def serve(conn, stop):
        conn.recv(65536)
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
        block = b"b" * 65536
        for _ in range(size // len(block)):
            conn.sendall(block)
        conn.close()
    return TcpPeer("custom", serve=serve)


NAMES = b"".join(b"n%d.nr.test\n" % i for i in range(20000))


class ClosedStdout(unittest.TestCase):
    def assert_quiet_exit(self, rc, err, elapsed, within):
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "", "a closed stdout is not worth a message")
        self.assertLess(elapsed, within)

    def test_nr_resolve_bulk(self):
        with dns_peer() as dns:
            rc, err, elapsed = run_with_stdout(
                [nrtest.tool_path("nr-resolve"), "-f", "-", "-t", "A", "-s", f"127.0.0.1:{dns.port}"],
                closed_pipe(), input=NAMES)
        self.assert_quiet_exit(rc, err, elapsed, 5)

    def test_nr_echo_server_events(self):
        # Its first event (listening) already meets the closed pipe: it stops at once.
        rc, err, elapsed = run_with_stdout([nrtest.tool_path("nr-echo-server"), "--port", 0], closed_pipe())
        self.assert_quiet_exit(rc, err, elapsed, 5)

    def test_nr_echo_server_reader_leaves_after_listening(self):
        # `nr-echo-server --log-connections | head -1`: the reader takes the
        # listening line and goes; the next event (a connection) ends the server.
        r, w = os.pipe()
        proc = subprocess.Popen([nrtest.tool_path("nr-echo-server"), "--port", "0", "--proto", "tcp",
                                 "--log-connections"], stdout=w, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        os.close(w)
        try:
            with os.fdopen(r, "rb") as reader:
                listening = json.loads(reader.readline())
            self.assertEqual(listening["event"], "listening")
            start = time.monotonic()
            with socket.create_connection(("127.0.0.1", listening["port"]), timeout=5) as s:
                s.sendall(b"hello")
                _, err = proc.communicate(timeout=5)
            self.assert_quiet_exit(proc.returncode, err.decode(errors="replace"), time.monotonic() - start, 3)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    def test_nr_sntp_samples(self):
        with sntp_server() as server:
            # Five samples a second apart would take 4 s: the closed pipe ends it at the first.
            rc, err, elapsed = run_with_stdout(
                [nrtest.tool_path("nr-sntp"), "--samples", 5, "--interval", 1, f"127.0.0.1:{server.port}"],
                closed_pipe())
        self.assert_quiet_exit(rc, err, elapsed, 2)

    def test_nr_fetch_large_body(self):
        with http_peer(64 << 20) as peer:
            rc, err, elapsed = run_with_stdout(
                [nrtest.tool_path("nr-fetch"), "--host", "127.0.0.1", "--port", peer.port], closed_pipe())
        self.assert_quiet_exit(rc, err, elapsed, 5)


class FullDisk(unittest.TestCase):
    def assert_reported(self, tool, argv, input=None, within=10):
        full = os.open("/dev/full", os.O_WRONLY)
        rc, err, elapsed = run_with_stdout(argv, full, input=input)
        self.assertEqual(rc, 8, f"{argv}: stderr {err!r}")
        self.assertIn("No space left on device", err, "a full disk must be reported on stderr")
        # nr-resolve's own batched writer does not name the tool yet (reported to its owner).
        if tool != "nr-resolve":
            self.assertIn(f"{tool}: ", err, "the message names the tool, as every diagnostic does")
        self.assertNotIn("Sanitizer", err)
        self.assertLess(elapsed, within)
        return err

    def test_every_tool(self):
        with dns_peer() as dns, sntp_server() as sntp, http_peer(1 << 20) as http, \
                nrtest.Server.tool("nr-echo-server", "--port", "0", "--proto", "tcp") as echo:
            cases = {
                "nr-resolve bulk": ([nrtest.tool_path("nr-resolve"), "-f", "-", "-t", "A", "-s",
                                     f"127.0.0.1:{dns.port}"], NAMES[:100000]),
                "nr-resolve one name": ([nrtest.tool_path("nr-resolve"), "-t", "A", "-s", f"127.0.0.1:{dns.port}",
                                         "www.nr.test"], None),
                "nr-echo-server": ([nrtest.tool_path("nr-echo-server"), "--port", 0], None),
                "nr-sntp-server": ([nrtest.tool_path("nr-sntp-server"), "--port", 0], None),
                "nr-sntp": ([nrtest.tool_path("nr-sntp"), f"127.0.0.1:{sntp.port}"], None),
                "nr-fetch body": ([nrtest.tool_path("nr-fetch"), "--host", "127.0.0.1", "--port", http.port], None),
                "nr-fetch --json": ([nrtest.tool_path("nr-fetch"), "--host", "127.0.0.1", "--port", http.port,
                                     "--json"], None),
                "nr-echo-client": ([nrtest.tool_path("nr-echo-client"), "--host", "127.0.0.1", "--port", echo.port],
                                   None),
                "nr-netinfo": ([nrtest.tool_path("nr-netinfo"), "ipv4", "127.0.0.1"], None),
                "nr-sockopt": ([nrtest.tool_path("nr-sockopt")], None),
            }
            for name, (argv, stdin) in cases.items():
                with self.subTest(tool=name):
                    self.assert_reported(name.split()[0], argv, input=stdin)


if __name__ == "__main__":
    nrtest.main()
