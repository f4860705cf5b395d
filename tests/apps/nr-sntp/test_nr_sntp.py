"""End-to-end tests of nr-sntp against real peers on loopback: chronyd from
Debian (started here, never touching the clock), nr-sntp-server, and a
misbehaving server written here for every way a reply can be wrong. Only
numeric addresses and `localhost` (from /etc/hosts) are used: no test asks
the system's nameserver, and none contacts pool.ntp.org.
"""
import calendar
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest

import nrtest
import ntp_wire

TOOL = "nr-sntp"


def check(value, definition=None):
    """Validates against docs/json/nr-sntp.schema.json, and one of its $defs if named."""
    nrtest.validate(TOOL, value, definition)


def sntp(*args, timeout=20):
    result = nrtest.run_tool(TOOL, *args, timeout=timeout)
    for line in result.lines:
        check(line)
    return result


def run_raw(*args, env=None):
    """Runs nr-sntp whose stdout is not JSON (--format text, --help)."""
    return subprocess.run([nrtest.tool_path(TOOL), *map(str, args)], capture_output=True, text=True, timeout=20,
                          stdin=subprocess.DEVNULL, env=env)


def hosts_file_knows(name, address):
    with open("/etc/hosts") as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if len(fields) > 1 and fields[0] == address and name in fields[1:]:
                return True
    return False


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class Chrony:
    """chronyd on loopback ports, never touching the clock (-x), in the
    foreground (-d: no daemon fork), with every file in a temp dir; stopped by
    pid. As root it must be told to stay root (-u root): it would otherwise
    drop to _chrony and fail to write its files in our temp dir."""

    def __init__(self, port):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="nr-sntp-chrony-")
        conf = os.path.join(self.dir, "chrony.conf")
        lines = [f"port {port}", "bindaddress 127.0.0.1", "local stratum 8", "allow 127.0.0.1",
                 "cmdport 0", "bindcmdaddress /", f"pidfile {self.dir}/chronyd.pid",
                 f"driftfile {self.dir}/drift", f"dumpdir {self.dir}"]
        if ipv6_loopback():
            lines[2:2] = ["bindaddress ::1"]
            lines.append("allow ::1")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        argv = [shutil.which("chronyd") or "/usr/sbin/chronyd", "-d", "-x", "-f", conf]
        if os.geteuid() == 0:
            argv += ["-u", "root"]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"chronyd exited: {self.proc.stdout.read()!r}")
            if ntp_wire.query("127.0.0.1", port, timeout=0.05):
                return
        self.stop()
        raise AssertionError("chronyd did not answer within 5 s")

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@unittest.skipUnless(shutil.which("chronyd") or os.path.exists("/usr/sbin/chronyd"), "needs chrony (apt install chrony)")
class AgainstChrony(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = nrtest.free_port("udp")
        cls.chrony = Chrony(cls.port)

    @classmethod
    def tearDownClass(cls):
        cls.chrony.stop()

    def assert_agrees_with_chrony(self, line, host):
        # chrony's own view of the same exchange, asked by an independent client.
        view = ntp_wire.query(host, self.port)
        self.assertIsNotNone(view)
        self.assertEqual(line["stratum"], view["stratum"])
        self.assertEqual(line["stratum"], 8)  # local stratum 8 in its configuration
        self.assertEqual(int(line["ref_id_hex"], 16), view["ref_id"])
        self.assertEqual(line["ref_id"], "127.127.1.1")  # chrony's local reference
        self.assertEqual(line["precision"], view["precision"])
        self.assertEqual(line["leap"], view["leap"])
        self.assertEqual(line["mode"], 4)
        # chronyd serves this very clock, so the true offset is 0 and the
        # measured one must lie within half the round trip (plus clock-read slack).
        self.assertGreaterEqual(line["delay"], 0)
        self.assertLessEqual(abs(line["offset_ns"]), line["delay_ns"] // 2 + 1_000_000)
        self.assertLessEqual(abs(line["offset_ns"] - view["offset"]),
                             5_000_000 + (line["delay_ns"] + view["delay"]) // 2)
        # The corrected time is the real time, to a few ms.
        corrected = ntp_wire.rfc3339_to_ns(line["time"])
        self.assertEqual(corrected, line["time_unix_ns"])
        self.assertLess(abs(corrected - time.time_ns()), 2 * 10**9)
        # T1 <= T4 and T2 <= T3, in the raw forms too.
        t = {k: ntp_wire.rfc3339_to_ns(line[f"{k}_time"]) for k in ("origin", "receive", "transmit", "destination")}
        self.assertLessEqual(t["origin"], t["destination"])
        self.assertLessEqual(t["receive"], t["transmit"])
        self.assertEqual(ntp_wire.from_ntp(int(line["transmit_raw"].replace(".", ""), 16), time.time_ns()),
                         t["transmit"])
        # Our transmit timestamp is a random nonce, not our clock.
        origin_raw = int(line["origin_raw"].replace(".", ""), 16)
        self.assertGreater(abs(ntp_wire.from_ntp(origin_raw, time.time_ns()) - t["origin"]), 10**9)

    def assert_small_offset(self, host):
        # The bound, |offset| < 10 ms, on the lowest-delay of a few
        # samples: one sample on a loaded 2-core machine can wait 20 ms.
        r = sntp(f"[{host}]:{self.port}", "--count", 4, "--interval", 0.01)
        self.assertEqual(r.returncode, 0, r)
        self.assertLess(abs(r.lines[-1]["offset"]), 0.010, r.lines[-1])

    def test_ipv4(self):
        self.assert_small_offset("127.0.0.1")
        r = sntp(f"127.0.0.1:{self.port}")
        self.assertEqual(r.returncode, 0, r)
        line = r.json
        check(line, "sample")
        self.assertEqual((line["server"], line["address"], line["port"]), (f"127.0.0.1:{self.port}", "127.0.0.1", self.port))
        self.assertEqual(line["version"], 4)
        self.assert_agrees_with_chrony(line, "127.0.0.1")

    @unittest.skipUnless(ipv6_loopback(), "no IPv6 loopback")
    def test_ipv6_bracketed(self):
        self.assert_small_offset("::1")
        r = sntp(f"[::1]:{self.port}")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.json["address"], "::1")
        self.assert_agrees_with_chrony(r.json, "::1")

    def test_port_option_and_localhost_from_hosts_file(self):
        if not hosts_file_knows("localhost", "127.0.0.1"):
            self.skipTest("/etc/hosts has no 127.0.0.1 localhost")
        r = sntp("-4", "localhost", "--port", self.port)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual([(l["server"], l["address"]) for l in r.lines], [("localhost", "127.0.0.1")])

    def test_samples_and_summary(self):
        r = sntp(f"127.0.0.1:{self.port}", "--count", 3, "--interval", 0.05)
        self.assertEqual(r.returncode, 0, r)
        samples = [l for l in r.lines if l["type"] == "sample"]
        summary = r.lines[-1]
        check(summary, "summary")
        self.assertEqual([s["sample"] for s in samples], [1, 2, 3])
        self.assertEqual(len({s["origin_raw"] for s in samples}), 3, "a fresh nonce per sample")
        best = min(samples, key=lambda s: s["delay_ns"])
        self.assertEqual(summary["best_sample"], best["sample"])
        self.assertEqual(summary["offset"], best["offset"])
        self.assertEqual(summary["valid"], 3)
        jitter = (sum((s["offset"] - best["offset"]) ** 2 for s in samples) / 2) ** 0.5
        self.assertAlmostEqual(summary["jitter"], jitter, delta=1e-9)
        # Spaced by --interval: three samples take at least two intervals.
        starts = [ntp_wire.rfc3339_to_ns(s["origin_time"]) for s in samples]
        self.assertGreaterEqual(starts[2] - starts[0], 2 * 50_000_000)

    def test_samples_is_an_alias_of_count(self):
        # --count is the name nr-echo-client gives the number of exchanges with a peer; --samples stays.
        r = sntp(f"127.0.0.1:{self.port}", "--samples", 2, "--interval", 0)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual([(l["event"], l.get("samples")) for l in r.lines], [("sample", 2), ("sample", 2), ("summary", 2)])
        self.assertEqual(r.stderr, "")
        r = sntp(f"127.0.0.1:{self.port}", "--samples", 2, "--count", 2)
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("--count was given 2 times", r.stderr)

    def test_text_format_is_the_seed_line(self):
        before = time.time()
        r = run_raw(f"127.0.0.1:{self.port}", "--format", "text", env=dict(os.environ, TZ="UTC"))
        self.assertEqual(r.returncode, 0, r)
        line = r.stdout.rstrip("\n")
        self.assertNotIn("\n", line)
        # time.ctime's own format: "Thu Mar  5 14:02:58 2012".
        shown = calendar.timegm(time.strptime(line, "%a %b %d %H:%M:%S %Y"))
        self.assertLessEqual(abs(shown - before), 2)
        self.assertRegex(line, r"^\w{3} \w{3} [ 1-3]\d \d\d:\d\d:\d\d \d{4}$")


class Misbehaving:
    """A UDP server on 127.0.0.1 run by a thread of this test. `answer(request,
    t2_ns)` returns a list of (bytes, use_other_socket) replies to send."""

    def __init__(self, answer):
        self.answer = answer
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.other.bind(("127.0.0.1", 0))
        self.sent = 0
        self.requests = []
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        self.sock.settimeout(0.05)
        while not self.stopping:
            try:
                data, peer = self.sock.recvfrom(1024)
            except socket.timeout:
                continue
            except OSError:
                return
            t2 = time.time_ns()
            request = ntp_wire.unpack(data)
            self.requests.append(request)
            for reply, from_other in self.answer(request, t2):
                (self.other if from_other else self.sock).sendto(reply, peer)
                self.sent += 1

    def close(self):
        self.stopping = True
        self.thread.join(timeout=2)
        self.sock.close()
        self.other.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def reply(request, t2, shift_ns=0, **fields):
    """A correct reply (a server `shift_ns` ahead), with `fields` overridden."""
    values = dict(stratum=2, ref_id=0xC0000201, reference=ntp_wire.to_ntp(t2 + shift_ns - 10**9),
                  origin=request["transmit"], receive=ntp_wire.to_ntp(t2 + shift_ns),
                  transmit=ntp_wire.to_ntp(time.time_ns() + shift_ns))
    values.update(fields)
    return ntp_wire.pack(**values)


def good(request, t2):
    return [(reply(request, t2), False)]


class AgainstMisbehavingServer(unittest.TestCase):
    TIMEOUT = 0.5

    def run_against(self, answer, *extra, timeout=None):
        with Misbehaving(answer) as server:
            r = sntp(f"127.0.0.1:{server.port}", "--timeout", timeout or self.TIMEOUT, *extra)
            self.server = server
        return r

    def assert_bogus(self, answer, reason):
        r = self.run_against(answer)
        self.assertEqual(r.returncode, 6, r)
        line = r.json
        check(line, "query_error")
        self.assertEqual(line["error"]["code"], "BOGUS_REPLY")
        self.assertEqual(line["last_bogus"], reason)
        self.assertEqual(line["bogus_replies"], self.server.sent)
        self.assertGreaterEqual(self.server.sent, 1)
        # Dropped, and the client kept waiting until its timeout.
        self.assertGreaterEqual(r.elapsed, self.TIMEOUT)
        # ... and a real answer after the bogus one is still taken.
        r = self.run_against(lambda q, t2: answer(q, t2) + good(q, t2))
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.json["bogus_replies"], 1)
        self.assertLess(r.elapsed, self.TIMEOUT)

    def test_wrong_origin_is_a_spoof(self):
        # ntplib shows this as an offset of +4.85e8 s.
        self.assert_bogus(lambda q, t2: [(reply(q, t2, origin=ntp_wire.to_ntp(t2 - 15 * 365 * 86400 * 10**9)), False)],
                          "origin_mismatch")

    def test_short_packet(self):
        self.assert_bogus(lambda q, t2: [(reply(q, t2)[:47], False)], "too_short")

    def test_mode_3(self):
        self.assert_bogus(lambda q, t2: [(reply(q, t2, mode=3), False)], "wrong_mode")

    def test_version_7(self):
        self.assert_bogus(lambda q, t2: [(reply(q, t2, version=7), False)], "wrong_version")

    def test_wrong_source_port(self):
        # The connected socket never lets it through: the client times out...
        r = self.run_against(lambda q, t2: [(reply(q, t2), True)])
        self.assertEqual(r.returncode, 5, r)
        self.assertEqual(r.json["error"]["code"], "ETIMEDOUT")
        self.assertEqual(self.server.sent, 1)
        # ... or takes the real answer that follows it.
        r = self.run_against(lambda q, t2: [(reply(q, t2, shift_ns=7 * 10**9), True)] + good(q, t2))
        self.assertEqual(r.returncode, 0, r)
        self.assertLess(abs(r.json["offset"]), 0.5, "the wrong port's +7 s reply was not used")

    def assert_final(self, answer, code, **expect):
        r = self.run_against(answer, timeout=5)
        self.assertEqual(r.returncode, 6, r)
        line = r.json
        check(line, "query_error")
        self.assertEqual(line["error"]["code"], code)
        self.assertNotIn("offset", line)
        for key, value in expect.items():
            self.assertEqual(line[key], value)
        self.assertLess(r.elapsed, 2.5, "an authentic answer ends the wait")
        return line

    def test_kiss_of_death_codes(self):
        for code in ("RATE", "DENY", "RSTR"):
            with self.subTest(code=code):
                ref = int.from_bytes(code.encode(), "big")
                self.assert_final(lambda q, t2: [(reply(q, t2, stratum=0, ref_id=ref), False)], "KOD",
                                  kiss_code=code, stratum=0)

    def test_kiss_of_death_stops_the_samples(self):
        ref = int.from_bytes(b"RATE", "big")
        r = self.run_against(lambda q, t2: [(reply(q, t2, stratum=0, ref_id=ref), False)], "--samples", 3,
                             "--interval", 0.05)
        self.assertEqual(r.returncode, 6, r)
        self.assertEqual(len(self.server.requests), 1)
        self.assertEqual(r.lines[-1]["valid"], 0)

    def test_leap_3_is_unsynchronized(self):
        self.assert_final(lambda q, t2: [(reply(q, t2, leap=3), False)], "UNSYNCHRONIZED", leap=3)

    def test_stratum_16_is_unsynchronized(self):
        self.assert_final(lambda q, t2: [(reply(q, t2, stratum=16), False)], "UNSYNCHRONIZED", stratum=16)

    def test_zero_transmit_is_rejected(self):
        self.assert_final(lambda q, t2: [(reply(q, t2, transmit=0), False)], "ZERO_TRANSMIT")

    def assert_clock(self, server_ns, text):
        shift = server_ns - time.time_ns()
        r = self.run_against(lambda q, t2: [(reply(q, t2, shift_ns=shift), False)], timeout=5)
        self.assertEqual(r.returncode, 0, r)
        line = r.json
        self.assertTrue(line["transmit_time"].startswith(text), line["transmit_time"])
        self.assertTrue(line["time"].startswith(text[:16]), line["time"])
        self.assertLess(abs(line["offset_ns"] - shift), 50_000_000)
        return line

    def test_clock_past_2036(self):
        # ntplib and ntpdig show 1904 here: the era rolled over.
        # The shifted clock starts at 12:00:00.25 when the test does; the reply leaves
        # whenever the client has started (slow under ASan on a loaded machine), so the
        # text is checked to the ten seconds and the offset to 50 ms.
        line = self.assert_clock(calendar.timegm((2040, 6, 1, 12, 0, 0)) * 10**9 + 250_000_000, "2040-06-01T12:00:0")
        self.assertEqual(line["server_era"], 1)
        self.assertLess(int(line["transmit_raw"][:8], 16), 0x20000000)

    def test_clock_before_1970(self):
        line = self.assert_clock(calendar.timegm((1969, 7, 20, 20, 17, 40)) * 10**9, "1969-07-20T20:17:40")
        self.assertEqual(line["server_era"], 0)
        self.assertLess(line["time_unix_ns"], 0)

    def test_request_is_a_v4_client_packet_with_a_random_nonce(self):
        r = self.run_against(good, "--samples", 2, "--interval", 0)
        self.assertEqual(r.returncode, 0, r)
        first, second = self.server.requests
        self.assertEqual((first["version"], first["mode"], first["leap"]), (4, 3, 0))
        self.assertNotEqual(first["transmit"], second["transmit"])
        # Not our clock: a random 64-bit value (a clock reading would be within seconds of now).
        now = time.time_ns()
        self.assertGreater(min(abs(ntp_wire.from_ntp(q["transmit"], now) - now) for q in (first, second)), 10**9)

    def test_server_that_never_answers(self):
        # 2 s: the 10% margin (200 ms) must also hold process start on a loaded machine.
        timeout = 2.0
        r = self.run_against(lambda q, t2: [], timeout=timeout)
        self.assertEqual(r.returncode, 5, r)
        line = r.json
        check(line, "query_error")
        self.assertEqual(line["error"]["code"], "ETIMEDOUT")
        self.assertEqual(line["bogus_replies"], 0)
        self.assertGreaterEqual(r.elapsed, timeout)
        self.assertLess(r.elapsed, timeout * 1.1)


class SeveralServers(unittest.TestCase):
    def test_every_stderr_line_names_its_server(self):
        # Issue 11: "nr-sntp: receive: no reply within 2 s (ETIMEDOUT)" once per
        # silent server, without saying which.
        silent = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
        try:
            for s in silent:
                s.bind(("127.0.0.1", 0))
            ports = [s.getsockname()[1] for s in silent]
            servers = [f"127.0.0.1:{ports[0]}"]
            expected = [f"nr-sntp: 127.0.0.1:{ports[0]}: receive: no reply within 1 s (ETIMEDOUT)"]
            if hosts_file_knows("localhost", "127.0.0.1"):
                servers.append(f"localhost:{ports[1]}")
                expected.append(f"nr-sntp: localhost (127.0.0.1:{ports[1]}): receive: no reply within 1 s (ETIMEDOUT)")
            r = sntp("--timeout", 1, *servers)
            self.assertEqual(r.returncode, 5, r)
            self.assertEqual(sorted(r.stderr.splitlines()), sorted(expected))
            self.assertEqual([line["server"] for line in r.lines], servers)
        finally:
            for s in silent:
                s.close()


class TinyDns:
    """A DNS server of our own on 127.0.0.1 (a thread of this test): answers A
    and AAAA from `records` {name: [address, ...]}, NXDOMAIN otherwise."""

    def __init__(self, records):
        self.records = records
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping:
            try:
                data, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            qid, = struct.unpack("!H", data[:2])
            labels, i = [], 12
            while data[i]:
                labels.append(data[i + 1:i + 1 + data[i]].decode().lower())
                i += 1 + data[i]
            qtype, = struct.unpack("!H", data[i + 1:i + 3])
            name = ".".join(labels)
            family = {1: socket.AF_INET, 28: socket.AF_INET6}.get(qtype)
            rdatas = [socket.inet_pton(family, a) for a in self.records.get(name, [])
                      if family and (":" in a) == (family == socket.AF_INET6)]
            rcode = 0 if name in self.records else 3
            answer = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(rdatas), 0, 0) + data[12:i + 5]
            for rdata in rdatas:
                answer += b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata
            self.sock.sendto(answer, peer)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join(timeout=2)
        self.sock.close()


class Resolution(unittest.TestCase):
    def test_every_address_of_a_name_is_asked_concurrently(self):
        # Two silent servers, one per address: asked one after the other they
        # would take two timeouts.
        port = nrtest.free_port("udp")
        silent = []
        for host in ("127.0.0.1", "127.0.0.2"):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((host, port))
            silent.append(s)
        try:
            with TinyDns({"ntp.test": ["127.0.0.1", "127.0.0.2"]}) as dns:
                r = sntp("ntp.test", "--port", port, "--dns-server", f"127.0.0.1:{dns.port}", "--timeout", 1)
        finally:
            for s in silent:
                s.close()
        self.assertEqual(r.returncode, 5, r)
        self.assertEqual(sorted(l["address"] for l in r.lines), ["127.0.0.1", "127.0.0.2"])
        self.assertTrue(all(l["error"]["code"] == "ETIMEDOUT" and l["server"] == "ntp.test" for l in r.lines))
        self.assertLess(r.elapsed, 1.6)

    @unittest.skipUnless(ipv6_loopback(), "no IPv6 loopback")
    def test_a_and_aaaa_and_family_choice(self):
        with Misbehaving(good) as v4, TinyDns({"ntp.test": ["127.0.0.1", "::1"]}) as dns:
            r = sntp(f"ntp.test:{v4.port}", "--dns-server", f"127.0.0.1:{dns.port}", "--timeout", 1)
            self.assertEqual(sorted((l["address"], "error" in l) for l in r.lines), [("127.0.0.1", False),
                                                                                      ("::1", True)])
            self.assertEqual(r.returncode, 1, r)
            r = sntp("-4", f"ntp.test:{v4.port}", "--dns-server", f"127.0.0.1:{dns.port}", "--timeout", 1)
            self.assertEqual(r.returncode, 0, r)
            self.assertEqual([l["address"] for l in r.lines], ["127.0.0.1"])

    def test_timeout_bounds_the_name_lookup_too(self):
        # A DNS server that takes the questions and never answers: the
        # resolver's own tries would take 4 s (2 x 2 s); --timeout covers the
        # lookup, as nr-fetch's --connect-timeout and nr-echo-client's
        # --timeout do, and ends it at 0.5 s.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as mute:
            mute.bind(("127.0.0.1", 0))
            r = sntp("slow.test", "--dns-server", f"127.0.0.1:{mute.getsockname()[1]}", "--timeout", "0.5")
        self.assertEqual(r.returncode, 5, r)
        check(r.json, "resolve_error")
        self.assertEqual((r.json["error"]["code"], r.json["error"]["operation"]), ("ETIMEDOUT", "resolve"))
        self.assertIn("no address for slow.test within --timeout 0.5 s", r.json["error"]["message"])
        self.assertGreaterEqual(r.elapsed, 0.5)
        self.assertLess(r.elapsed, 1.5)

    def test_unknown_name(self):
        with TinyDns({}) as dns:
            r = sntp("no-such-host.test", "--dns-server", f"127.0.0.1:{dns.port}")
        self.assertEqual(r.returncode, 3, r)
        check(r.json, "resolve_error")
        self.assertEqual(r.json["error"]["code"], "NXDOMAIN")


class Failures(unittest.TestCase):
    def test_closed_port_is_unreachable(self):
        port = nrtest.free_port("udp")
        r = sntp(f"127.0.0.1:{port}", "--timeout", 3)
        self.assertEqual(r.returncode, 4, r)
        self.assertEqual(r.json["error"]["code"], "ECONNREFUSED")
        self.assertLess(r.elapsed, 1.5)

    def test_mixed_results_exit_1(self):
        with Misbehaving(good) as server:
            r = sntp(f"127.0.0.1:{server.port}", f"127.0.0.1:{nrtest.free_port('udp')}", "--timeout", 2)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(sorted("error" in l for l in r.lines), [False, True])

    def test_family_mismatch_is_a_usage_error(self):
        # Issue 11: a literal of the other family than -4/-6 is a usage error
        # (exit 2, EUSAGE) in every tool; it used to be a resolve error here.
        for args in (["-4", "::1"], ["-6", "127.0.0.1:123"], ["-4", "--host", "[::1]:123"]):
            r = sntp(*args)
            self.assertEqual(r.returncode, 2, r)
            check(r.json, "usage_error")
            self.assertEqual(r.json["error"]["code"], "EUSAGE")

    def test_unknown_name_with_our_dns_server(self):
        # A DNS server that refuses everything: a closed port on loopback.
        dead = nrtest.free_port("udp")
        r = sntp("no-such-host.invalid", "--dns-server", f"127.0.0.1:{dead}", timeout=30)
        self.assertEqual(r.returncode, 3, r)
        self.assertEqual(r.json["error"]["operation"], "resolve")

    def test_host_option_names_a_server_as_the_argument_does(self):
        # --host, as nr-fetch and nr-echo-client name their peer; --port applies to it.
        with nrtest.Server.tool("nr-sntp-server", "--port", "0") as server:
            r = sntp("--host", "127.0.0.1", "--port", server.port, "--timeout", 2)
            self.assertEqual(r.returncode, 0, r)
            check(r.json, "sample")
            self.assertEqual((r.json["server"], r.json["address"], r.json["port"]), ("127.0.0.1", "127.0.0.1",
                                                                                     server.port))
            r = sntp(f"127.0.0.1:{server.port}", "--host", f"127.0.0.1:{server.port}", "--timeout", 2)
            self.assertEqual(r.returncode, 0, r)
            self.assertEqual([line["type"] for line in r.lines], ["sample", "sample"])
            _, lines, _ = server.stop()
            self.assertEqual(lines[-1]["answered"], 3)

    def test_usage_errors(self):
        for args in (["--samples", 0], ["--count", 0], ["-4", "-6", "127.0.0.1"], ["--host", "[::1"], ["[::1"], ["--timeout", -1], ["--format", "xml"],
                     ["--dns-server", "not-an-ip"]):
            with self.subTest(args=args):
                r = sntp(*args)
                self.assertEqual(r.returncode, 2, r)
                self.assertEqual(r.json["error"]["code"], "EUSAGE")

    def test_help_and_version(self):
        r = run_raw("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("Examples:", r.stdout)
        r = run_raw("--version")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("nr-sntp "))


if __name__ == "__main__":
    nrtest.main()
