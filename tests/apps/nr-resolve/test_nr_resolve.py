"""End-to-end tests of nr-resolve against a real NSD started on loopback.

The zones below are the independent source of truth: every expected answer is
derived from the zone text the test writes, never from a previous run. The
system's resolver is never queried: every run passes --server.
"""
import base64
import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import nrtest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nsd_server import Nsd  # noqa: E402

TOOL = "nr-resolve"
BIG_STRINGS = [c * 200 for c in "xyz"]  # 600 bytes in three strings: the answer needs TCP
BULK = 3000
MANY = 60  # A records at one name: over 512 bytes


def bulk_address(i):
    return f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}"


ZONE = f"""$ORIGIN nr.test.
$TTL 300
@        IN SOA   ns1 hostmaster 2024010101 7200 900 1209600 60
@        IN NS    ns1
@        IN NS    ns2.elsewhere.test.
ns1      IN A     127.0.0.1
www      IN A     192.0.2.10
www      IN AAAA  2001:db8::10
v4only   IN A     192.0.2.11
@        IN MX    10 mail
@        IN MX    20 mail2.elsewhere.test.
mail     IN A     192.0.2.25
@        IN TXT   "v=spf1 -all"
big      IN TXT   {" ".join('"' + s + '"' for s in BIG_STRINGS)}
bin      IN TXT   "\\255\\000ok" "plain"
utf      IN TXT   "caf\\195\\169"
_sip._tcp IN SRV  10 60 5060 sip
sip      IN A     192.0.2.50
@        IN CAA   0 issue "ca.test"
@        IN CAA   128 iodef "mailto:sec@nr.test"
alias    IN CNAME alias2
alias2   IN CNAME www
loop1    IN CNAME loop2
loop2    IN CNAME loop1
sp\\032ace IN A   192.0.2.60
dot\\.label IN A  192.0.2.61
txtonly  IN TXT   "no address here"
""" + "".join(f"many     IN A     10.9.{i // 250}.{i % 250 + 1}\n" for i in range(MANY))

REVERSE4 = """$ORIGIN 2.0.192.in-addr.arpa.
$TTL 300
@  IN SOA ns1.nr.test. hostmaster.nr.test. 1 7200 900 1209600 60
@  IN NS  ns1.nr.test.
10 IN PTR www.nr.test.
"""

REVERSE6 = """$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.
$TTL 300
@  IN SOA ns1.nr.test. hostmaster.nr.test. 1 7200 900 1209600 60
@  IN NS  ns1.nr.test.
0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR www.nr.test.
"""

BULK_ZONE = "$ORIGIN bulk.test.\n$TTL 60\n@ IN SOA ns hostmaster 1 7200 900 1209600 60\n@ IN NS ns\nns IN A 127.0.0.1\n" + \
    "".join(f"h{i} IN A {bulk_address(i)}\n" for i in range(BULK))


def by_type(records, rtype):
    return [r for r in records if r["type"] == rtype]


class BlackHole:
    """A UDP 'DNS server' that receives and never answers."""

    def __init__(self, host="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, nrtest.free_port("udp", host)))
        self.server = f"{host}:{self.sock.getsockname()[1]}"

    def received(self):
        self.sock.setblocking(False)
        n = 0
        try:
            while True:
                self.sock.recv(4096)
                n += 1
        except BlockingIOError:
            return n

    def close(self):
        self.sock.close()


class FakeDns:
    """A scripted DNS server on loopback: UDP answers made by `udp_reply(query)`
    (None: stay silent); with `tcp_close`, a TCP listener on the same port that
    accepts every connection and closes it at once, answering nothing."""

    def __init__(self, udp_reply, tcp_close=False):
        port = nrtest.free_port("both")
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", port))
        self.udp.settimeout(0.05)
        self.tcp = None
        if tcp_close:
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.bind(("127.0.0.1", port))
            self.tcp.listen(8)
            self.tcp.settimeout(0.05)
        self.server = f"127.0.0.1:{port}"
        self.udp_queries = 0
        self.tcp_accepted = 0
        self.reply = udp_reply
        self.stopping = False
        import threading
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping:
            try:
                query, peer = self.udp.recvfrom(4096)
                self.udp_queries += 1
                answer = self.reply(query)
                if answer is not None:
                    self.udp.sendto(answer, peer)
            except OSError:
                pass
            if self.tcp is not None:
                try:
                    conn, _ = self.tcp.accept()
                    self.tcp_accepted += 1
                    conn.close()
                except OSError:
                    pass

    def close(self):
        self.stopping = True
        self.thread.join(timeout=5)
        self.udp.close()
        if self.tcp is not None:
            self.tcp.close()


def truncated_reply(query):
    """The question echoed with QR and TC set and no records."""
    return query[:2] + bytes([0x83 | (query[2] & 0x01), 0]) + query[4:]


def garbled_reply(query):
    """The right ID, QR set, one question announced, and a name that runs off the end."""
    return query[:2] + bytes([0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0]) + b"\x3f\x01"


class NrResolveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        port = nrtest.free_port("both")
        cls.nsd = Nsd({"nr.test": ZONE, "2.0.192.in-addr.arpa": REVERSE4, "8.b.d.0.1.0.0.2.ip6.arpa": REVERSE6,
                       "bulk.test": BULK_ZONE}, port, broken_zones=["broken.test"])

    @classmethod
    def tearDownClass(cls):
        cls.nsd.stop()

    def run_resolve(self, *args, server=None, timeout=30, input=None):
        r = nrtest.run_tool(TOOL, "--server", server or self.nsd.server, *args, timeout=timeout, input=input)
        # Schema validation is slow in Python: in bulk runs, a sample and the summary.
        sample = r.lines if len(r.lines) <= 50 else r.lines[:40] + r.lines[-10:]
        for line in sample:
            nrtest.validate(TOOL, line)
        return r

    def answer(self, *args, **kw):
        r = self.run_resolve(*args, **kw)
        return r, r.json

    # --- every type ---------------------------------------------------------

    def test_default_is_the_address_lookup(self):
        r, a = self.answer("www.nr.test")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(a["type"], "ADDRESS")
        self.assertEqual(a["status"], "NOERROR")
        self.assertEqual(sorted(a["addresses"]), ["192.0.2.10", "2001:db8::10"])
        self.assertEqual(a["source"], "dns")
        self.assertEqual(a["server"], self.nsd.server)
        self.assertEqual(a["proto"], "udp")
        self.assertEqual(a["rcode"], "NOERROR")
        self.assertTrue(a["flags"]["qr"] and a["flags"]["aa"])
        self.assertEqual(a["id"], 1)
        self.assertEqual(sorted(x["target"] for x in by_type(a["authority"], "NS")), ["ns1.nr.test", "ns2.elsewhere.test"])
        self.assertEqual(r.stderr, "")

    def test_a_and_aaaa(self):
        r = self.run_resolve("-t", "A,AAAA", "www.nr.test")
        self.assertEqual(r.returncode, 0, r)
        lines = {l["type"]: l for l in r.lines}
        self.assertEqual(set(lines), {"A", "AAAA"})
        self.assertEqual({l["id"] for l in r.lines}, {1})
        a = lines["A"]["answers"]
        self.assertEqual([(x["name"], x["type"], x["ttl"], x["address"], x["data"]) for x in a],
                         [("www.nr.test", "A", 300, "192.0.2.10", "192.0.2.10")])
        self.assertEqual([x["address"] for x in lines["AAAA"]["answers"]], ["2001:db8::10"])

    def test_mx_ns_soa_srv_caa(self):
        r = self.run_resolve("--ordered", "-t", "MX,NS,SOA,CAA", "nr.test")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual([l["type"] for l in r.lines], ["MX", "NS", "SOA", "CAA"])
        mx, ns, soa, caa = (l["answers"] for l in r.lines)
        self.assertEqual(sorted((x["preference"], x["exchange"]) for x in mx),
                         [(10, "mail.nr.test"), (20, "mail2.elsewhere.test")])
        self.assertEqual(sorted(x["target"] for x in ns), ["ns1.nr.test", "ns2.elsewhere.test"])
        self.assertEqual(len(soa), 1)
        s = soa[0]
        self.assertEqual((s["mname"], s["rname"], s["serial"], s["refresh"], s["retry"], s["expire"], s["minimum"]),
                         ("ns1.nr.test", "hostmaster.nr.test", 2024010101, 7200, 900, 1209600, 60))
        self.assertEqual(sorted((x["flags"], x["tag"], x["value"]) for x in caa),
                         [(0, "issue", "ca.test"), (128, "iodef", "mailto:sec@nr.test")])
        r, srv = self.answer("-t", "SRV", "_sip._tcp.nr.test")
        self.assertEqual([(x["priority"], x["weight"], x["port"], x["target"]) for x in srv["answers"]],
                         [(10, 60, 5060, "sip.nr.test")])
        self.assertEqual(srv["answers"][0]["data"], "10 60 5060 sip.nr.test")

    def test_txt_plain_utf8_and_binary(self):
        r = self.run_resolve("--ordered", "-t", "TXT", "nr.test", "utf.nr.test", "bin.nr.test")
        self.assertEqual(r.returncode, 0, r)
        plain, utf, binary = (l["answers"][0] for l in r.lines)
        self.assertEqual((plain["strings"], plain["text"], plain["encoding"]), (["v=spf1 -all"], "v=spf1 -all", "utf-8"))
        self.assertEqual(utf["text"], "caf\u00e9")
        self.assertEqual(binary["encoding"], "base64")
        self.assertEqual([base64.b64decode(s) for s in binary["strings"]], [b"\xff\x00ok", b"plain"])
        self.assertEqual(base64.b64decode(binary["text"]), b"\xff\x00okplain")
        self.assertEqual(binary["data"], '"\\255\\000ok" "plain"')

    def test_txt_of_600_bytes_in_three_strings_comes_over_tcp(self):
        r, a = self.answer("-t", "TXT", "big.nr.test")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(a["proto"], "tcp")
        txt = a["answers"][0]
        self.assertEqual(txt["strings"], BIG_STRINGS)
        self.assertEqual(txt["text"], "".join(BIG_STRINGS))
        self.assertEqual(len(txt["text"]), 600)

    def test_response_over_512_bytes_falls_back_to_tcp(self):
        r, a = self.answer("-t", "A", "many.nr.test")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(a["proto"], "tcp")
        self.assertFalse(a["flags"]["tc"])
        self.assertEqual(sorted(x["address"] for x in a["answers"]),
                         sorted(f"10.9.{i // 250}.{i % 250 + 1}" for i in range(MANY)))
        _, small = self.answer("-t", "A", "v4only.nr.test")
        self.assertEqual(small["proto"], "udp")

    def test_cname_chain(self):
        r, a = self.answer("-t", "A", "alias.nr.test")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual([(x["name"], x["type"], x.get("target", x.get("address"))) for x in a["answers"]],
                         [("alias.nr.test", "CNAME", "alias2.nr.test"), ("alias2.nr.test", "CNAME", "www.nr.test"),
                          ("www.nr.test", "A", "192.0.2.10")])
        _, addr = self.answer("alias.nr.test")
        self.assertEqual(sorted(addr["addresses"]), ["192.0.2.10", "2001:db8::10"])
        self.assertEqual(len(by_type(addr["answers"], "CNAME")), 2, "a CNAME shared by A and AAAA is listed once")
        _, cname = self.answer("-t", "CNAME", "alias.nr.test")
        self.assertEqual(cname["status"], "NOERROR")
        self.assertEqual([x["target"] for x in cname["answers"]], ["alias2.nr.test"])

    def test_cname_loop(self):
        r, a = self.answer("-t", "A", "loop1.nr.test")
        self.assertEqual(r.returncode, 3, r)
        self.assertEqual(a["status"], "CNAME_LOOP")
        self.assertEqual(a["error"]["code"], "CNAME_LOOP")
        self.assertEqual({x["name"] for x in a["answers"]}, {"loop1.nr.test", "loop2.nr.test"})

    def test_ptr_reverse_v4_and_v6(self):
        r = self.run_resolve("--ordered", "-x", "192.0.2.10", "2001:db8::10")
        self.assertEqual(r.returncode, 0, r)
        v4, v6 = r.lines
        self.assertEqual((v4["name"], v4["address"], v4["type"]), ("10.2.0.192.in-addr.arpa", "192.0.2.10", "PTR"))
        self.assertEqual([x["target"] for x in v4["answers"]], ["www.nr.test"])
        self.assertTrue(v6["name"].endswith(".8.b.d.0.1.0.0.2.ip6.arpa"))
        self.assertEqual([x["target"] for x in v6["answers"]], ["www.nr.test"])
        r, bad = self.answer("-x", "not-an-address")
        self.assertEqual((r.returncode, bad["status"], bad["proto"]), (3, "BADNAME", None))

    # --- failures -----------------------------------------------------------

    def test_nxdomain_is_an_error_line_with_the_soa(self):
        r, a = self.answer("nope.nr.test")
        self.assertEqual(r.returncode, 3, r)
        self.assertEqual(a["status"], "NXDOMAIN")
        self.assertEqual(a["rcode"], "NXDOMAIN")
        self.assertEqual(a["error"]["code"], "NXDOMAIN")
        self.assertEqual(a["addresses"], [])
        self.assertEqual(a["answers"], [])
        self.assertEqual([(x["name"], x["type"]) for x in a["authority"]], [("nr.test", "SOA")])
        self.assertIn("nope.nr.test", r.stderr)

    def test_nodata_is_never_success(self):
        r, a = self.answer("-t", "MX", "www.nr.test")
        self.assertEqual(r.returncode, 3, r)
        self.assertEqual((a["status"], a["rcode"], a["error"]["code"]), ("NODATA", "NOERROR", "NODATA"))
        self.assertEqual(by_type(a["authority"], "SOA")[0]["name"], "nr.test")
        _, v4 = self.answer("v4only.nr.test")  # the address lookup: A present, AAAA empty
        self.assertEqual((v4["status"], v4["addresses"]), ("NOERROR", ["192.0.2.11"]))

    def test_refused_for_a_zone_not_served(self):
        r, a = self.answer("-t", "A", "www.not-served.example")
        self.assertEqual(r.returncode, 3, r)
        self.assertEqual((a["status"], a["rcode"]), ("REFUSED", "REFUSED"))

    def test_servfail(self):
        # NSD answers SERVFAIL for a configured zone whose file failed to load.
        r, a = self.answer("-t", "A", "x.broken.test")
        self.assertEqual(r.returncode, 3, r)
        self.assertEqual((a["status"], a["rcode"], a["error"]["code"]), ("SERVFAIL", "SERVFAIL", "SERVFAIL"))

    def test_ipv6_server_address(self):
        r, a = self.answer("-t", "A", "www.nr.test", server=self.nsd.server6)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(a["server"], self.nsd.server6)
        self.assertEqual([x["address"] for x in a["answers"]], ["192.0.2.10"])

    def test_dns_server_alias_and_several_servers(self):
        r = nrtest.run_tool(TOOL, "--dns-server", self.nsd.server, "-t", "A", "www.nr.test")
        self.assertEqual((r.returncode, r.json["status"]), (0, "NOERROR"), r)
        hole = BlackHole()
        try:
            # The first server never answers: c-ares moves on to the second.
            r = nrtest.run_tool(TOOL, "-s", hole.server, "-s", self.nsd.server, "--timeout", "3", "-t", "A", "www.nr.test")
            self.assertEqual((r.returncode, r.json["status"], r.json["server"]), (0, "NOERROR", self.nsd.server), r)
        finally:
            hole.close()

    def test_silent_server_times_out_as_asked(self):
        hole = BlackHole()
        try:
            for timeout, tries in ((1.0, 1), (1.0, 2)):
                r, a = self.answer("--timeout", timeout, "--tries", tries, "-t", "A", "www.nr.test", server=hole.server)
                self.assertEqual(r.returncode, 5, r)
                self.assertEqual((a["status"], a["error"]["code"], a["rcode"], a["flags"]), ("TIMEOUT", "ETIMEDOUT", None, None))
                self.assertGreaterEqual(a["rtt_ms"], timeout * 1000 * 0.9)
                self.assertLessEqual(a["rtt_ms"], timeout * 1000 * 1.1)
                self.assertLess(r.elapsed, timeout * 1.1 + 0.3)
                self.assertEqual(hole.received(), tries)
        finally:
            hole.close()

    def test_invalid_names_are_rejected_before_sending(self):
        hole = BlackHole()
        try:
            long_label = "a" * 64 + ".nr.test"
            long_name = ".".join(["abcdefghi"] * 26)  # 259 characters
            r = self.run_resolve("--ordered", "-t", "A", long_label, long_name, "a..nr.test", server=hole.server)
            self.assertEqual(r.returncode, 3, r)
            self.assertEqual([l["status"] for l in r.lines], ["BADNAME"] * 3)
            self.assertTrue(all(l["proto"] is None and l["server"] is None for l in r.lines))
            self.assertIn("63", r.lines[0]["error"]["message"])
            self.assertIn("253", r.lines[1]["error"]["message"])
            self.assertLess(r.elapsed, 2)
            self.assertEqual(hole.received(), 0)
            ok = self.run_resolve("-t", "A", "a" * 63 + ".nr.test")
            self.assertEqual(ok.json["status"], "NXDOMAIN")
        finally:
            hole.close()

    def test_hosts_file_on_and_off(self):
        hole = BlackHole()
        try:
            r, a = self.answer("localhost", server=hole.server)
            self.assertEqual(r.returncode, 0, r)
            self.assertEqual((a["source"], a["server"], a["proto"]), ("hosts", None, None))
            self.assertIn("127.0.0.1", a["addresses"])
            self.assertEqual(hole.received(), 0)
        finally:
            hole.close()
        r, a = self.answer("--hosts-file", "off", "localhost")
        self.assertEqual((a["source"], a["status"]), ("dns", "REFUSED"), r)

    def test_mixed_failures_and_exit_status(self):
        r = self.run_resolve("-t", "A", "www.nr.test", "nope.nr.test")
        self.assertEqual(r.returncode, 3, r)
        hole = BlackHole()
        try:
            r = nrtest.run_tool(TOOL, "-s", hole.server, "--timeout", "0.3", "-t", "A", "a.nr.test", "b" * 70 + ".test")
            self.assertEqual(r.returncode, 1, r)  # a timeout and a bad name: different classes
        finally:
            hole.close()

    def test_usage_errors(self):
        for args in ([], ["-t", "BOGUS", "x.test"], ["-s", "not-an-ip", "x.test"], ["-x", "-t", "A", "1.2.3.4"],
                     ["-f", "/dev/null", "x.test"], ["--hosts-file", "maybe", "x.test"]):
            r = nrtest.run_tool(TOOL, *args)
            self.assertEqual(r.returncode, 2, (args, r))
            self.assertEqual(r.json["error"]["code"], "EUSAGE")
            nrtest.validate(TOOL, r.json)

    def test_pretty(self):
        p = subprocess.run([nrtest.tool_path(TOOL), "-s", self.nsd.server, "--pretty", "-t", "A", "www.nr.test"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p)
        self.assertIn('\n  "status": "NOERROR"', p.stdout)
        nrtest.validate(TOOL, json.loads(p.stdout))

    # --- bulk ---------------------------------------------------------------

    def write_names(self, names):
        f = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)
        self.addCleanup(os.unlink, f.name)
        f.write("# names for the bulk test\n\n" + "".join(n + "\n" for n in names))
        f.close()
        return f.name

    def test_bulk_every_answer_checked(self):
        missing = [f"missing{i}.bulk.test" for i in range(50)]
        names = [f"h{i}.bulk.test" for i in range(BULK)] + missing
        path = self.write_names(names)
        # One try: an answer lost or matched to the wrong query would show as a TIMEOUT.
        r = self.run_resolve("-f", path, "-t", "A", "-c", "200", "--timeout", "5", "--tries", "1", timeout=120)
        self.assertEqual(r.returncode, 3, r)  # the missing names
        *answers, summary = r.lines
        self.assertEqual(summary["event"], "summary")
        self.assertEqual(len(answers), len(names))
        seen = set()
        for a in answers:
            name = names[a["id"] - 1]
            self.assertEqual(a["name"], name)
            seen.add(a["id"])
            if name.startswith("missing"):
                self.assertEqual(a["status"], "NXDOMAIN", a)
            else:
                i = int(name[1:].split(".")[0])
                self.assertEqual(a["status"], "NOERROR", a)
                self.assertEqual([x["address"] for x in a["answers"]], [bulk_address(i)])
                self.assertEqual(a["answers"][0]["ttl"], 60)
        self.assertEqual(seen, set(range(1, len(names) + 1)))
        self.assertEqual(summary["statuses"], {"NOERROR": BULK, "NXDOMAIN": len(missing)})
        self.assertEqual((summary["names"], summary["questions"], summary["exit_status"]),
                         (len(names), len(names), 3))
        self.assertGreater(summary["queries_per_s"], 0)
        self.assertEqual(r.stderr, "", "no progress on a stderr that is not a terminal")

    def test_bulk_ordered_from_stdin_with_two_types(self):
        names = [f"h{i}.bulk.test" for i in range(500)]
        r = self.run_resolve("-f", "-", "--ordered", "-c", "50", "-t", "A,TXT",
                             input="".join(n + "\n" for n in names), timeout=60)
        *answers, summary = r.lines
        self.assertEqual([(a["id"], a["type"]) for a in answers],
                         [(i // 2 + 1, "A" if i % 2 == 0 else "TXT") for i in range(2 * len(names))])
        self.assertEqual([a["answers"][0]["address"] for a in answers[::2]], [bulk_address(i) for i in range(500)])
        self.assertEqual(summary["statuses"], {"NOERROR": 500, "NODATA": 500})

    def test_input_that_is_not_utf8_still_gives_json(self):
        r = self.run_resolve("-f", "-", "-t", "A", input=b"caf\xe9.nr.test\r\n  www.nr.test  \n")
        *answers, summary = r.lines
        by_id = {a["id"]: a for a in answers}
        self.assertEqual((by_id[1]["name"], by_id[1]["status"]), ("caf\ufffd.nr.test", "NXDOMAIN"))
        self.assertEqual((by_id[2]["name"], by_id[2]["status"]), ("www.nr.test", "NOERROR"))

    def test_closed_stdout_ends_the_run_promptly(self):
        # Endless input: only the closed pipe can end this run.
        start = time.monotonic()
        proc = subprocess.run(
            ["bash", "-c", f'yes h1.bulk.test | "{nrtest.tool_path(TOOL)}" -f - -t A -s {self.nsd.server} | head -1'],
            capture_output=True, timeout=20)
        elapsed = time.monotonic() - start
        line = nrtest.parse_lines(proc.stdout.decode())
        self.assertEqual(len(line), 1)
        self.assertEqual(line[0]["answers"][0]["address"], bulk_address(1))
        self.assertEqual(proc.stderr, b"")
        self.assertLess(elapsed, 3)

    def test_a_slow_run_shows_each_answer_while_it_runs(self):
        # Output is written in 64 KiB chunks, the rest on a short timer
        # (10 ms): a reader of a pipe gets each line while the run goes on.
        proc = subprocess.Popen([nrtest.tool_path(TOOL), "-f", "-", "-t", "A", "-s", self.nsd.server],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pending = b""

        def read_line_within(timeout):
            nonlocal pending
            deadline = time.monotonic() + timeout
            while b"\n" not in pending:
                ready, _, _ = select.select([proc.stdout], [], [], max(deadline - time.monotonic(), 0))
                self.assertTrue(ready, "no line in time")
                chunk = os.read(proc.stdout.fileno(), 65536)
                self.assertTrue(chunk, "end of output before the line")
                pending += chunk
            line, pending = pending.split(b"\n", 1)
            return line

        try:
            for i in (3, 4, 5):
                proc.stdin.write(f"h{i}.bulk.test\n".encode())
                proc.stdin.flush()
                start = time.monotonic()
                line = json.loads(read_line_within(5))
                self.assertEqual((line["name"], line["answers"][0]["address"]), (f"h{i}.bulk.test", bulk_address(i)))
                self.assertLess(time.monotonic() - start, 1, "the line came while the input was still open")
                self.assertIsNone(proc.poll())
            proc.stdin.close()
            summary = json.loads(read_line_within(5))
            self.assertEqual((summary["event"], summary["names"]), ("summary", 3))
            self.assertEqual(proc.wait(timeout=5), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()

    def test_output_appended_to_a_file_keeps_what_was_there(self):
        # `>>`: the writes line up with 64 KiB chunks of the file from its
        # end, whatever its size; every line lands whole after the old text.
        names = [f"h{i}.bulk.test" for i in range(1, 1001)]
        with tempfile.TemporaryDirectory() as d:
            names_path, out_path = os.path.join(d, "names"), os.path.join(d, "out")
            with open(names_path, "w") as f:
                f.write("".join(n + "\n" for n in names))
            before = "x" * 5000 + "\n"
            with open(out_path, "w") as f:
                f.write(before)
            r = subprocess.run(["sh", "-c", f'"{nrtest.tool_path(TOOL)}" -f {names_path} -t A -c 50 '
                                f'-s {self.nsd.server} >>{out_path}'], capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out_path) as f:
                text = f.read()
        self.assertTrue(text.startswith(before))
        *answers, summary = [json.loads(line) for line in text[len(before):].splitlines()]
        self.assertGreater(len(text), 2 * 65536, "more than one chunk written")
        self.assertEqual(sorted(a["id"] for a in answers), list(range(1, 1001)))
        for a in answers:
            self.assertEqual(a["answers"][0]["address"], bulk_address(int(a["name"][1:].split(".")[0])))
        self.assertEqual((summary["event"], summary["questions"]), ("summary", 1000))


    # --- issue 11: the statuses say what happened --------------------------

    def test_tries_20_against_a_silent_server_stops_at_the_total_timeout(self):
        hole = BlackHole()
        try:
            r = self.run_resolve("--tries", "20", "--timeout", "1", "-t", "A", "x.nr.test", server=hole.server, timeout=20)
            self.assertEqual((r.returncode, r.json["status"], r.json["error"]["code"]), (5, "TIMEOUT", "ETIMEDOUT"), r)
            self.assertGreater(r.elapsed, 0.9)
            self.assertLess(r.elapsed, 2.5, "--timeout is the total, whatever --tries is")
            self.assertGreaterEqual(hole.received(), 2)
        finally:
            hole.close()

    def test_truncated_answer_then_tcp_closed_says_so_over_tcp(self):
        fake = FakeDns(truncated_reply, tcp_close=True)
        try:
            r = self.run_resolve("-t", "TXT", "--timeout", "4", "big.nr.test", server=fake.server, timeout=20)
            self.assertEqual(r.returncode, 3, r)
            self.assertEqual((r.json["status"], r.json["proto"]), ("TRUNCATED", "tcp"), r)
            self.assertIn(r.json["error"]["code"], ("EOF", "ECONNRESET"))
            self.assertIn("truncated", r.json["error"]["message"])
            self.assertLess(r.elapsed, 3, "reported when the TCP retry failed, not at the timeout")
            self.assertGreaterEqual(fake.tcp_accepted, 1)
        finally:
            fake.close()

    def test_an_undecodable_answer_is_badresp_at_once(self):
        fake = FakeDns(garbled_reply)
        try:
            r = self.run_resolve("-t", "A", "--timeout", "6", "--tries", "3", "www.nr.test", server=fake.server, timeout=20)
            self.assertEqual((r.json["status"], r.json["error"]["code"], r.json["proto"]), ("BADRESP", "BADRESP", "udp"), r)
            self.assertLess(r.elapsed, 2, "not a TIMEOUT after the whole wait")
            self.assertEqual(fake.udp_queries, 1)
        finally:
            fake.close()

    def test_no_server_could_be_contacted_has_its_own_code(self):
        port = nrtest.free_port("udp")
        r = self.run_resolve("-t", "A", "--timeout", "4", "www.nr.test", server=f"127.0.0.1:{port}", timeout=20)
        self.assertEqual((r.returncode, r.json["status"], r.json["error"]["code"]), (3, "NOSERVER", "ENOSERVER"), r)
        self.assertLess(r.elapsed, 3)

    def test_owner_names_use_presentation_format_both_ways(self):
        r = self.run_resolve("--ordered", "-t", "A", "sp\\032ace.nr.test", "sp\\ ace.nr.test", "dot\\.label.nr.test")
        self.assertEqual(r.returncode, 0, r)
        space, escaped_space, dot = r.lines
        self.assertEqual((space["name"], space["status"]), ("sp\\032ace.nr.test", "NOERROR"))
        self.assertEqual(space["answers"][0]["name"], "sp\\032ace.nr.test", "a space is written as \\032")
        self.assertEqual(space["answers"][0]["data"], "192.0.2.60")
        self.assertEqual(escaped_space["name"], "sp\\ ace.nr.test", "the name reported is the name asked")
        self.assertEqual(escaped_space["answers"][0]["data"], "192.0.2.60")
        self.assertEqual(dot["answers"][0]["name"], "dot\\.label.nr.test")
        self.assertEqual(dot["answers"][0]["data"], "192.0.2.61")

    def test_duplicate_types_are_asked_once(self):
        r = self.run_resolve("-t", "A,a,A,MX", "nr.test")
        self.assertEqual([l["type"] for l in r.lines], ["A", "MX"], r)
        self.assertEqual(len({l["id"] for l in r.lines}), 1)

    def test_any_and_rfc3597_types(self):
        r, a = self.answer("-t", "TYPE16", "nr.test")
        self.assertEqual((r.returncode, a["type"], a["status"]), (0, "TXT", "NOERROR"), r)
        self.assertEqual(by_type(a["answers"], "TXT")[0]["strings"], ["v=spf1 -all"])
        r, a = self.answer("-t", "ANY", "www.nr.test")
        self.assertEqual((a["type"], a["rcode"]), ("ANY", "NOERROR"), r)
        self.assertEqual(a["status"], "NOERROR", r)
        self.assertTrue({"A", "AAAA"} & {rec["type"] for rec in a["answers"]}, r)
        r, a = self.answer("-t", "TYPE65280", "www.nr.test")
        self.assertEqual((a["type"], a["status"]), ("TYPE65280", "NODATA"), r)
        bad = self.run_resolve("-t", "TYPE70000", "www.nr.test")
        self.assertEqual((bad.returncode, bad.json["error"]["code"]), (2, "EUSAGE"), bad)

    def test_an_address_lookup_with_neither_a_nor_aaaa_says_so(self):
        r, a = self.answer("txtonly.nr.test")
        self.assertEqual((r.returncode, a["status"], a["addresses"]), (3, "NODATA", []), r)
        self.assertIn("A or AAAA", a["error"]["message"])

    def test_a_directory_as_input_is_eisdir(self):
        r = self.run_resolve("-f", "/tmp")
        self.assertEqual(r.returncode, 8, r)
        errors = [l for l in r.lines if "error" in l]
        self.assertEqual(errors[0]["error"]["code"], "EISDIR", r)
        for summary in (l for l in r.lines if l.get("event") == "summary"):
            self.assertEqual(summary["exit_status"], r.returncode)
        self.assertTrue(r.stderr.startswith("nr-resolve:"), r.stderr)

    def test_a_nul_byte_is_badname_and_nothing_is_sent(self):
        hole = BlackHole()
        try:
            r = self.run_resolve("-f", "-", "-t", "A", server=hole.server, input=b"w\x00ww.nr.test\n")
            line = r.lines[0]
            self.assertEqual((line["name"], line["status"], line["proto"]), ("w\u0000ww.nr.test", "BADNAME", None), r)
            self.assertEqual(r.lines[-1]["exit_status"], r.returncode)
            self.assertEqual(r.returncode, 3)
            r = self.run_resolve("-f", "-", server=hole.server, input=b"w\x00ww.nr.test\n")
            self.assertEqual((r.lines[0]["name"], r.lines[0]["status"]), ("w\u0000ww.nr.test", "BADNAME"), r)
            r = self.run_resolve("-f", "-", "-x", server=hole.server, input=b"127.0.0.1\x00x\n")
            self.assertEqual(r.lines[0]["status"], "BADNAME", r)
            self.assertEqual(hole.received(), 0)
        finally:
            hole.close()

    def test_a_byte_order_mark_at_the_start_of_the_file_is_skipped(self):
        r = self.run_resolve("-f", "-", "-t", "A", input="\ufeffwww.nr.test\n".encode())
        self.assertEqual((r.lines[0]["name"], r.lines[0]["status"]), ("www.nr.test", "NOERROR"), r)
        self.assertEqual(r.returncode, 0)

    def test_server_port_zero_and_scoped_servers_are_usage_errors(self):
        for server in ("127.0.0.1:0", "[fe80::1%lo]:5399"):
            r = self.run_resolve("-t", "A", "www.nr.test", server=server)
            self.assertEqual((r.returncode, r.json["error"]["code"]), (2, "EUSAGE"), (server, r))
            self.assertTrue(r.stderr.startswith("nr-resolve:"), r.stderr)

    def test_tries_help_and_docs_agree(self):
        help_text = subprocess.run([nrtest.tool_path(TOOL), "--help"], capture_output=True, text=True, timeout=10).stdout
        self.assertIn("Rounds over the servers", help_text)
        with open(os.path.join(nrtest.SOURCE_DIR, "docs", "tools", "nr-resolve.md")) as f:
            self.assertIn("Rounds over the servers", f.read())

    def test_every_nsd_config_turns_rate_limiting_off(self):
        for path in ("tests/apps/nr-resolve/nsd_server.py", "scripts/demo.d/10-resolve.sh", "docs/cookbook.md"):
            with open(os.path.join(nrtest.SOURCE_DIR, path)) as f:
                self.assertIn("rrl-ratelimit: 0", f.read(), path)


if __name__ == "__main__":
    nrtest.main()
