"""Signals during load: nr-echo-server and nr-sntp-server treat SIGINT,
SIGTERM and SIGHUP alike (docs/exit-status.md): stop accepting, drain, print
the shutdown summary, exit 0. tests/apps/ proves each signal on an idle or
single-connection server; here each arrives while the server is busy.
"""
import signal
import socket
import struct
import threading
import time
import unittest

import nrtest

SIGNALS = ((signal.SIGINT, "SIGINT"), (signal.SIGTERM, "SIGTERM"), (signal.SIGHUP, "SIGHUP"))


class EchoServer(unittest.TestCase):
    def test_signal_during_load_drains_and_exits(self):
        for sig, name in SIGNALS:
            with self.subTest(signal=name):
                server = nrtest.Server.tool("nr-echo-server", "--port", "0", "--proto", "tcp", "--drain-timeout", 5)
                load = nrtest.Server([nrtest.tool_path("nr-echo-client"), "--host", "127.0.0.1", "--port",
                                      server.port, "--connections", 50, "--pipeline", 4, "--size", 4096,
                                      "--duration", 10, "--timeout", 5], wait_for=0)
                try:
                    deadline = time.monotonic() + 10
                    while server.fd_count() < 50 and time.monotonic() < deadline:
                        time.sleep(0.05)
                    time.sleep(1.0)  # in full swing: 50 connections, 4 messages in flight each
                    self.assertIsNone(server.proc.poll())
                    signalled = time.monotonic()
                    code, lines, err = server.stop(sig, timeout=10)
                    took = time.monotonic() - signalled
                    self.assertEqual(code, 0, err)
                    self.assertNotIn("Sanitizer", err)
                    for line in server.events:
                        nrtest.validate("nr-echo-server", line)
                    shutdown = [e for e in server.events if e.get("event") == "shutdown"]
                    self.assertEqual(len(shutdown), 1)
                    s = shutdown[0]
                    self.assertEqual(s["signal"], name)
                    self.assertEqual(s["connections"], 50)
                    self.assertGreater(s["bytes_in"], 1 << 20)
                    # Drained: everything read before the shutdown was echoed; what the
                    # peers sent after it is accounted for, never silently lost.
                    self.assertEqual(s["bytes_out"] + s["bytes_discarded"], s["bytes_in"])
                    self.assertLessEqual(s["bytes_discarded"], 50 * 4 * 4096 * 4)
                    self.assertEqual(s["forced_closed"], 0)
                    self.assertLess(took, 5, "drain took longer than its deadline")
                    # The listener is gone.
                    with self.assertRaises(ConnectionRefusedError):
                        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
                    # The load generator sees its connections closed and ends on its own, well
                    # before its 10 s window: no hang on either side.
                    rc, _, load_err = load.stop(signal.SIGCONT, timeout=8)
                    self.assertNotIn("Sanitizer", load_err)
                    self.assertGreaterEqual(rc, 0)
                finally:
                    server.kill()
                    load.kill()


class SntpServer(unittest.TestCase):
    def test_signal_during_a_request_flood(self):
        for sig, name in SIGNALS:
            with self.subTest(signal=name):
                server = nrtest.Server.tool("nr-sntp-server", "--port", "0")
                stop = threading.Event()
                received = [0]

                def flood():
                    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(4)]
                    request = bytes([0x23]) + bytes(39) + struct.pack(">Q", 0x0123456789abcdef)
                    for s in socks:
                        s.setblocking(False)
                    while not stop.is_set():
                        for s in socks:
                            try:
                                s.sendto(request, ("127.0.0.1", server.port))
                            except OSError:
                                pass
                            while True:
                                try:
                                    s.recv(512)
                                    received[0] += 1
                                except OSError:
                                    break
                    for s in socks:
                        s.close()

                thread = threading.Thread(target=flood, daemon=True)
                thread.start()
                try:
                    time.sleep(1.0)
                    self.assertIsNone(server.proc.poll())
                    signalled = time.monotonic()
                    code, lines, err = server.stop(sig, timeout=10)
                    took = time.monotonic() - signalled
                    stop.set()
                    thread.join(5)
                    self.assertEqual(code, 0, err)
                    self.assertLess(took, 2)
                    for line in server.events:
                        nrtest.validate("nr-sntp-server", line)
                    shutdown = [e for e in server.events if e.get("event") == "shutdown"]
                    self.assertEqual(len(shutdown), 1)
                    s = shutdown[0]
                    self.assertEqual(s["signal"], name)
                    self.assertGreater(s["answered"], 100)
                    self.assertEqual(s["requests"], s["answered"] + s["ignored"])
                    self.assertLessEqual(received[0], s["answered"])
                    self.assertGreater(received[0], 0)
                finally:
                    stop.set()
                    server.kill()


if __name__ == "__main__":
    nrtest.main()
