"""End-to-end tests of nr-sntp-server on 127.0.0.1 and ::1: asked by nr-sntp
and by an independent client written here (ntp_wire, from RFC 5905), it
answers from the system clock, copies the client's transmit into origin,
ignores malformed requests, and ends with a summary on SIGINT/SIGTERM.
"""
import os
import signal
import socket
import sys
import time
import unittest

import nrtest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nr-sntp"))
import ntp_wire  # noqa: E402

TOOL = "nr-sntp-server"


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def server(*args):
    s = nrtest.Server.tool(TOOL, "--port", 0, *args)
    nrtest.validate(TOOL, s.events[0])
    return s


class Serving(unittest.TestCase):
    def check_answers(self, host):
        with server("--host", host) as s:
            listening = s.listening("udp")
            self.assertEqual((listening["address"], listening["stratum"], listening["ref_id"]), (host, 1, "LOCL"))
            port = s.port
            # nr-sntp, the client of this project.
            r = nrtest.run_tool("nr-sntp", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
            self.assertEqual(r.returncode, 0, r)
            line = r.json
            nrtest.validate("nr-sntp", line)
            self.assertEqual((line["stratum"], line["ref_id"], line["mode"], line["leap"]), (1, "LOCL", 4, 0))
            # It serves this very clock: the measured offset lies within half the round trip.
            self.assertLessEqual(abs(line["offset_ns"]), line["delay_ns"] // 2 + 1_000_000)
            self.assertEqual(line["precision"], listening["precision"])
            # An independent client: origin is our transmit, stamps are the real time.
            for version in (4, 3, 1):
                reply = ntp_wire.query(host, port, version=version)
                self.assertIsNotNone(reply)
                self.assertEqual(reply["origin"], reply["nonce"])
                self.assertEqual((reply["mode"], reply["version"]), (4, version))
                self.assertLessEqual(reply["t1"] - 1_000_000, reply["t2"])
                self.assertLessEqual(reply["t2"], reply["t3"])
                self.assertLessEqual(reply["t3"], reply["t4"] + 1_000_000)
                self.assertLessEqual(abs(reply["offset"]), reply["delay"] // 2 + 1_000_000)
            rc, lines, _ = s.stop(signal.SIGTERM)
        self.assertEqual(rc, 0)
        shutdown = lines[-1]
        nrtest.validate(TOOL, shutdown)
        self.assertEqual((shutdown["event"], shutdown["signal"]), ("shutdown", "SIGTERM"))
        self.assertEqual((shutdown["requests"], shutdown["answered"], shutdown["ignored"]), (4, 4, 0))

    def test_ipv4(self):
        self.check_answers("127.0.0.1")

    @unittest.skipUnless(ipv6_loopback(), "no IPv6 loopback")
    def test_ipv6(self):
        self.check_answers("::1")

    def test_malformed_requests_are_ignored(self):
        good = ntp_wire.pack(mode=3, transmit=12345)
        bad = [good[:47], ntp_wire.pack(mode=4, transmit=1), ntp_wire.pack(mode=3, version=7, transmit=1),
               ntp_wire.pack(mode=3, version=0, transmit=1), b"", 48 * b"\0"]
        with server() as s:
            for data in bad:
                self.assertIsNone(ntp_wire.query("127.0.0.1", s.port, timeout=0.2, raw=data), data[:8])
            # The seed's request (version 3, transmit 0) is a client request: answered.
            seed = ntp_wire.query("127.0.0.1", s.port, raw=b"\x1b" + 47 * b"\0")
            self.assertIsNotNone(seed)
            self.assertEqual((seed["version"], seed["origin"]), (3, 0))
            rc, lines, _ = s.stop(signal.SIGINT)
        self.assertEqual(rc, 0)
        self.assertEqual(lines[-1]["signal"], "SIGINT")
        self.assertEqual((lines[-1]["requests"], lines[-1]["answered"], lines[-1]["ignored"]), (len(bad) + 1, 1, len(bad)))

    def test_stratum_ref_id_and_leap(self):
        with server("--stratum", 3, "--ref-id", "192.0.2.1") as s:
            self.assertEqual(s.events[0]["ref_id"], "192.0.2.1")
            reply = ntp_wire.query("127.0.0.1", s.port)
            self.assertEqual((reply["stratum"], reply["ref_id"]), (3, 0xC0000201))
            r = nrtest.run_tool("nr-sntp", f"127.0.0.1:{s.port}")
            self.assertEqual((r.json["stratum"], r.json["ref_id"]), (3, "192.0.2.1"))

    def test_kiss_of_death_lab_server(self):
        with server("--stratum", 0, "--ref-id", "RATE") as s:
            r = nrtest.run_tool("nr-sntp", f"127.0.0.1:{s.port}")
        self.assertEqual(r.returncode, 6, r)
        self.assertEqual((r.json["error"]["code"], r.json["kiss_code"]), ("KOD", "RATE"))

    def test_unsynchronized_lab_server(self):
        with server("--leap", 3) as s:
            r = nrtest.run_tool("nr-sntp", f"127.0.0.1:{s.port}")
        self.assertEqual(r.returncode, 6, r)
        self.assertEqual(r.json["error"]["code"], "UNSYNCHRONIZED")

    def test_bind_errors_and_usage(self):
        with server() as s:
            r = nrtest.run_tool(TOOL, "--port", s.port)
            self.assertEqual(r.returncode, 8, r)
            nrtest.validate(TOOL, r.json)
            self.assertEqual(r.json["error"]["code"], "EADDRINUSE")
            # stderr names the server it is about.
            self.assertTrue(r.stderr.startswith(f"nr-sntp-server: 127.0.0.1:{s.port}: bind: "), r.stderr)
        for args in (["--stratum", 17], ["--ref-id", "TOOLONG"], ["--host", "localhost"], ["--leap", 4],
                     ["--ref-id", ""], ["--ref-id", " "], ["--ref-id", "GP S"], ["--ref-id", "\u00e9"],
                     ["--ref-id", "01.2.3.4"], ["--ref-id", "0x"], ["--stratum", 2, "--ref-id", ""]):
            with self.subTest(args=args):
                r = nrtest.run_tool(TOOL, *args)
                self.assertEqual(r.returncode, 2, r)
                self.assertEqual(r.json["error"]["code"], "EUSAGE")
                self.assertTrue(r.stderr.startswith("nr-sntp-server: "), r.stderr)

    def test_valid_ref_ids(self):
        # 1-4 printable ASCII characters, a dotted IPv4 address, 0x + 1-8 hex digits.
        for ref_id, stratum, shown in (("A", 1, "A"), ("~!#$", 1, "~!#$"), ("0x1", 2, "0.0.0.1"),
                                       ("10.0.0.1", 2, "10.0.0.1")):
            with self.subTest(ref_id=ref_id):
                with server("--stratum", stratum, "--ref-id", ref_id) as s:
                    self.assertEqual(s.events[0]["ref_id"], shown)


if __name__ == "__main__":
    nrtest.main()
