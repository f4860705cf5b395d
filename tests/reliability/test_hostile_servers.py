"""Clients against hostile servers: every case must end in the documented
error code and exit status within the tool's timeout (+10%), with no crash
and no hang. Cases an existing test already proves are not repeated here
(docs/reliability.md cites them): nr-fetch against a silent server, a reset
and malformed heads (tests/apps/nr-fetch); nr-echo-client against a silent
server, a reset, short, corrupt and longer echoes (tests/apps/nr-echo-client);
nr-resolve against a silent server (tests/apps/nr-resolve); nr-sntp against a
silent server and bogus replies (tests/apps/nr-sntp).
"""
import json
import os
import struct
import subprocess
import threading
import time
import unittest

import nrtest
from hostile import TcpPeer, UdpPeer, dns_answer, dns_question_end

T = 2.0          # the timeout given to each tool
# A case must end within its timeout + 10%, plus 0.3 s for the process's
# start and exit (a sanitizer build on a loaded 2-core machine took 2.24 s
# for a 2 s timeout): a tool that overran its deadline by a retry or a
# second stage still fails.
LIMIT = T * 1.1 + 0.3


def run(tool, *args, timeout=30):
    """Runs a tool; returns (returncode, stdout, stderr text, elapsed seconds)."""
    start = time.monotonic()
    proc = subprocess.Popen([nrtest.tool_path(tool), *map(str, args)], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"{tool} {args} hung (> {timeout} s)")
    elapsed = time.monotonic() - start
    return proc.returncode, out, err.decode(errors="replace"), elapsed


def last_json(out):
    lines = nrtest.parse_lines(out.decode(errors="replace"))
    return lines[-1] if lines else None


class Case(unittest.TestCase):
    def assert_ends(self, rc, status, elapsed, err, at_least=None, within=LIMIT):
        self.assertEqual(rc, status, err)
        self.assertGreaterEqual(rc, 0, f"killed by signal {-rc}: {err}")
        self.assertNotIn("Sanitizer", err)
        self.assertLessEqual(elapsed, within, f"took {elapsed:.2f} s")
        if at_least is not None:
            self.assertGreaterEqual(elapsed, at_least * 0.95)


class Fetch(Case):
    def fetch(self, peer, *extra):
        return run("nr-fetch", "--host", "127.0.0.1", "--port", peer.port, "--timeout", T, "--json", *extra)

    def test_head_half_sent_then_stall_times_out_at_receive(self):
        with TcpPeer("stall", first=b"HTTP/1.0 200 OK\r\nContent-Le") as peer:
            rc, out, err, elapsed = self.fetch(peer)
        self.assert_ends(rc, 5, elapsed, err, at_least=T)
        report = last_json(out)
        self.assertEqual((report["stage"], report["error"]["code"]), ("receive", "ETIMEDOUT"))

    def test_body_half_sent_then_stall_times_out(self):
        with TcpPeer("stall", first=b"HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"b" * 500) as peer:
            rc, out, err, elapsed = self.fetch(peer)
        self.assert_ends(rc, 5, elapsed, err, at_least=T)
        report = last_json(out)
        self.assertEqual((report["stage"], report["error"]["code"], report["body_bytes"]), ("receive", "ETIMEDOUT", 500))

    def test_random_garbage_is_a_protocol_error(self):
        for seed in range(3):
            garbage = bytes((i * 7919 + seed * 104729) % 251 for i in range(4096)).replace(b"\r\n\r\n", b"....")
            with self.subTest(seed=seed), TcpPeer("garbage", first=garbage) as peer:
                rc, out, err, elapsed = self.fetch(peer)
                self.assert_ends(rc, 6, elapsed, err)
                report = last_json(out)
                self.assertEqual((report["stage"], report["error"]["code"]), ("receive", "EPROTO"))

    def test_endless_head_is_refused_at_64_kib(self):
        with TcpPeer("flood", first=b"HTTP/1.0 200 OK\r\n", chunk=b"X-Filler: " + b"f" * 1000 + b"\r\n") as peer:
            rc, out, err, elapsed = self.fetch(peer)
            sent = peer.sent
        self.assert_ends(rc, 6, elapsed, err)
        report = last_json(out)
        self.assertEqual((report["stage"], report["error"]["code"]), ("receive", "EPROTO"))
        self.assertGreater(sent, 64 * 1024)  # it really had to give up on a head that never ends

    def test_very_large_body_streams_in_bounded_memory(self):
        def peak_rss_kib(size):
            head = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % size

            def serve(conn, stop):
                conn.recv(65536)
                conn.sendall(head)
                block = b"z" * min(size, 1 << 20)
                for _ in range(size // len(block)):
                    conn.sendall(block)
                conn.close()

            with TcpPeer("custom", serve=serve) as peer:
                proc = subprocess.Popen([nrtest.tool_path("nr-fetch"), "--host", "127.0.0.1", "--port",
                                         str(peer.port), "--timeout", str(T)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                watchdog = threading.Timer(60, proc.kill)
                watchdog.start()
                _, status, usage = os.wait4(proc.pid, 0)
                watchdog.cancel()
                proc.returncode = os.waitstatus_to_exitcode(status)
            self.assertEqual(proc.returncode, 0, f"{size}-byte body")
            return usage.ru_maxrss

        small = peak_rss_kib(1024)
        large = peak_rss_kib(256 * 1024 * 1024)
        # A 256 MiB body streams through: the peak grows by far less than the body.
        self.assertLess(large - small, 32 * 1024, f"peak RSS {small} KiB for 1 KiB, {large} KiB for 256 MiB")


class EchoClient(Case):
    def echo(self, peer, *extra):
        return run("nr-echo-client", "--host", "127.0.0.1", "--port", peer.port, "--timeout", T, *extra)

    def test_half_echo_then_stall_times_out(self):
        message = "x" * 100
        with TcpPeer("stall", first=b"x" * 50) as peer:
            rc, out, err, elapsed = self.echo(peer, "--message", message)
        self.assert_ends(rc, 5, elapsed, err, at_least=T)
        report = last_json(out)
        self.assertEqual(report["error"]["code"], "ETIMEDOUT")
        self.assertEqual(report["bytes_received"], 50)

    def test_endless_flood_is_a_mismatch_not_a_buffer(self):
        with TcpPeer("flood", first=b"", chunk=b"y" * 65536) as peer:
            rc, out, err, elapsed = self.echo(peer, "--message", "hello")
        self.assert_ends(rc, 1, elapsed, err)
        self.assertEqual(last_json(out)["error"]["code"], "EMISMATCH")

    def test_flood_in_load_mode_ends_at_its_duration(self):
        with TcpPeer("flood", first=b"", chunk=b"y" * 65536) as peer:
            rc, out, err, elapsed = self.echo(peer, "--connections", 4, "--duration", "1")
        self.assertIn(rc, (1, 6, 7), err)
        self.assertNotIn("Sanitizer", err)
        self.assertLess(elapsed, 1 + LIMIT)
        summary = last_json(out)
        self.assertGreater(summary.get("mismatches", 0) + summary.get("errors", 0), 0, summary)


class Resolve(Case):
    def resolve(self, peer, *extra):
        return run("nr-resolve", "-s", f"127.0.0.1:{peer.port}", "--timeout", T, "--tries", 1, "-t", "A", *extra,
                   "www.nr.test")

    def test_random_garbage_datagrams_are_ignored_until_the_timeout(self):
        with UdpPeer(lambda q, stop: [os.urandom(n) for n in (1, 11, 12, 100, 512)]) as peer:
            rc, out, err, elapsed = self.resolve(peer)
        self.assert_ends(rc, 5, elapsed, err, at_least=T * 0.9)
        answer = last_json(out)
        self.assertEqual((answer["status"], answer["error"]["code"]), ("TIMEOUT", "ETIMEDOUT"))

    def test_answer_with_our_id_and_question_but_broken_records_is_badresp(self):
        def broken(q, stop):
            good = dns_answer(q, [(1, bytes([192, 0, 2, 1]))])
            return [good[:-3]]  # the A record's RDATA cut short
        with UdpPeer(broken) as peer:
            rc, out, err, elapsed = self.resolve(peer)
        self.assert_ends(rc, 3, elapsed, err)
        answer = last_json(out)
        self.assertEqual((answer["status"], answer["error"]["code"]), ("BADRESP", "BADRESP"), answer)

    def test_very_large_answer_over_tcp_is_decoded_whole(self):
        count = 3000  # 3000 A records: 48 KiB, only TCP can carry it
        records = [(1, bytes([10, (i >> 8) & 0xff, i & 0xff, 1])) for i in range(count)]

        def truncated(q, stop):  # UDP: TC set, nothing else
            return [dns_answer(q, [], flags=0x8380)]

        def serve(conn, stop):
            conn.settimeout(5)
            data = b""
            while len(data) < 2 or len(data) < 2 + struct.unpack(">H", data[:2])[0]:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            reply = dns_answer(data[2:], records)
            conn.sendall(struct.pack(">H", len(reply)) + reply)
            conn.recv(1)

        with UdpPeer(truncated) as udp, TcpPeer("custom", port=udp.port, serve=serve):
            rc, out, err, elapsed = self.resolve(udp)
        self.assert_ends(rc, 0, elapsed, err)
        answer = last_json(out)
        self.assertEqual((answer["status"], answer["proto"]), ("NOERROR", "tcp"))
        got = [a["address"] for a in answer["answers"]]
        self.assertEqual(got, [f"10.{(i >> 8) & 0xff}.{i & 0xff}.1" for i in range(count)])

    def test_tc_then_tcp_server_that_stalls_or_resets(self):
        # stall: half a length prefix and one byte of the message, then nothing;
        # reset: the TCP retry of a truncated answer meets a reset, and the status
        # says so (TRUNCATED over tcp, the code what TCP met), not CONNREFUSED over udp.
        for behaviour, first, status, codes, rc_expected in (
                ("stall", b"\x01\x00\x12", "TIMEOUT", ("ETIMEDOUT",), 5),
                ("reset", b"", "TRUNCATED", ("ECONNRESET", "EOF"), 3),
                ("silent", b"", "TIMEOUT", ("ETIMEDOUT",), 5)):
            with self.subTest(behaviour=behaviour), UdpPeer(lambda q, stop: [dns_answer(q, [], flags=0x8380)]) as udp:
                with TcpPeer(behaviour, first=first, port=udp.port):
                    rc, out, err, elapsed = self.resolve(udp)
                answer = last_json(out)
                self.assertEqual(answer["status"], status, answer)
                self.assertIn(answer["error"]["code"], codes, answer)
                if behaviour == "reset":
                    self.assertEqual(answer["proto"], "tcp", answer)
                self.assert_ends(rc, rc_expected, elapsed, err, at_least=T if rc_expected == 5 else None)


class Sntp(Case):
    def sntp(self, peer, *extra):
        return run("nr-sntp", "--timeout", T, *extra, f"127.0.0.1:{peer.port}")

    def test_flood_of_garbage_does_not_extend_the_timeout(self):
        def flood(q, stop):  # 200 bogus datagrams now and more for the whole timeout
            end = time.monotonic() + T + 0.5
            while time.monotonic() < end and not stop.is_set():
                yield os.urandom(48 + (int(time.monotonic() * 1000) % 100))
                time.sleep(0.002)
        with UdpPeer(flood) as peer:
            rc, out, err, elapsed = self.sntp(peer)
        # Counted once the peer's thread has stopped: it counts a datagram after
        # sendto returns, by which time nr-sntp may have read it and exited.
        sent = peer.sent
        # Each bogus datagram is dropped and the wait goes on, but not longer than
        # --timeout; the end is BOGUS_REPLY (exit 6), counting what was dropped.
        self.assert_ends(rc, 6, elapsed, err, at_least=T)
        report = last_json(out)
        self.assertEqual((report["error"]["code"], report["error"]["operation"]), ("BOGUS_REPLY", "reply"))
        self.assertGreater(report["bogus_replies"], 100)
        self.assertLessEqual(report["bogus_replies"], sent)

    def test_largest_datagram_with_a_valid_header_is_used(self):
        def huge(q, stop):
            now = int((time.time() + 2208988800) * (1 << 32))
            header = bytes([0x24, 2, 6, 0xec]) + struct.pack(">II", 0, 0) + b"\x7f\x00\x00\x01" + \
                struct.pack(">QQQQ", now, q[40:48] and struct.unpack(">Q", q[40:48])[0], now, now)
            return [header + b"\xee" * (65507 - 48)]
        with UdpPeer(huge) as peer:
            rc, out, err, elapsed = self.sntp(peer)
        self.assert_ends(rc, 0, elapsed, err)
        sample = last_json(out)
        self.assertEqual((sample["stratum"], sample["bogus_replies"]), (2, 0))
        self.assertLess(abs(sample["offset"]), 1.0)


if __name__ == "__main__":
    nrtest.main()
