"""End-to-end tests of nr-fetch against peers started here on loopback
(fetch_peers.py): a real HTTP server, a closed port, a full accept queue, a
server that never answers, one that resets mid-response, one that cuts the
body short, malformed heads, and a DNS server of our own. No test uses the
system's resolver: every name lookup goes to --dns-server on 127.0.0.1, and
the only name resolved successfully is localhost, from /etc/hosts.
"""
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import nrtest

TOOL = "nr-fetch"
PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fetch_peers.py")


def check(value, definition=None):
    """Validates against docs/json/nr-fetch.schema.json, and one of its $defs if named."""
    nrtest.validate(TOOL, value, definition)


def peer(*args):
    return nrtest.Server([sys.executable, PEERS, *map(str, args)])


def fetch(*args, timeout=20):
    """Runs nr-fetch; returns (returncode, stdout bytes, stderr text, elapsed)."""
    start = time.monotonic()
    proc = subprocess.run([nrtest.tool_path(TOOL), *map(str, args)], capture_output=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr.decode(errors="replace"), time.monotonic() - start


def one_json(data):
    lines = [line for line in data.splitlines() if line.strip()]
    assert len(lines) == 1, data
    return json.loads(lines[0])


def hosts_file_knows(name, address):
    with open("/etc/hosts") as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if len(fields) > 1 and fields[0] == address and name in fields[1:]:
                return True
    return False


class WithHttpServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="nr-fetch-")
        cls.payload = os.urandom(1 << 20) + b"\r\n\r\nend"
        with open(os.path.join(cls.dir, "blob.bin"), "wb") as f:
            f.write(cls.payload)
        with open(os.path.join(cls.dir, "hello.txt"), "wb") as f:
            f.write(b"hello\n")
        cls.server = peer("http", cls.dir)
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_body_streams_to_stdout_byte_for_byte(self):
        rc, out, err, _ = fetch("--host", "127.0.0.1", "--port", self.port, "--path", "/blob.bin")
        self.assertEqual(rc, 0, err)
        self.assertEqual(hashlib.sha256(out).hexdigest(), hashlib.sha256(self.payload).hexdigest())
        self.assertEqual(err, "")

    def test_json_summary_matches_the_server_and_the_file(self):
        rc, out, err, _ = fetch("--host", "127.0.0.1", "--port", self.port, "--path", "/blob.bin", "--json")
        self.assertEqual(rc, 0, err)
        report = one_json(out)
        check(report, "summary")
        self.assertEqual(report["status"], 200)
        self.assertEqual(report["status_line"], "HTTP/1.0 200 OK")
        self.assertEqual(report["http_version"], "HTTP/1.0")
        self.assertEqual(report["body_bytes"], len(self.payload))
        self.assertEqual(report["content_length"], len(self.payload))
        headers = {h["name"].lower(): h["value"] for h in report["headers"]}
        self.assertEqual(int(headers["content-length"]), len(self.payload))
        self.assertEqual(report["address"], "127.0.0.1")
        t = report["timings"]
        for stage in ("resolve", "connect", "send", "wait", "receive", "total"):
            self.assertGreaterEqual(t[stage], 0, stage)
        self.assertAlmostEqual(sum(t[s] for s in ("resolve", "connect", "send", "wait", "receive")), t["total"],
                               delta=0.01)

    def test_deprecated_file_is_path_with_a_notice(self):
        # --file, the seed recipe's name, still works for old scripts: the same body and JSON as --path,
        # one notice on stderr, and it is left out of --help (nr-resolve's --file is a file of inputs).
        rc, body, err, _ = fetch("--host", "127.0.0.1", "--port", self.port, "--file", "/hello.txt")
        self.assertEqual((rc, body), (0, b"hello\n"), err)
        self.assertEqual(err, "nr-fetch: --file is deprecated; use --path (same meaning)\n")
        _, by_path, _, _ = fetch("--host", "127.0.0.1", "--port", self.port, "--path", "/hello.txt", "--json")
        _, by_file, _, _ = fetch("--host", "127.0.0.1", "--port", self.port, "--file", "/hello.txt", "--json")
        moving = ("timings", "attempts")

        def steady(result):
            # The server's Date header moves when the two fetches straddle a second.
            kept = {k: v for k, v in result.items() if k not in moving}
            kept["headers"] = [h for h in kept["headers"] if h["name"].lower() != "date"]
            return kept

        self.assertEqual(steady(one_json(by_file)), steady(one_json(by_path)))
        rc, out, err, _ = fetch("--host", "127.0.0.1", "--port", self.port, "--file", "/a", "--path", "/b")
        self.assertEqual(rc, 2, err)
        self.assertEqual(err, "nr-fetch: arguments: --path and --file cannot be given together (see --help) (EUSAGE)\n")
        _, help_text, _, _ = fetch("--help")
        self.assertNotIn(b"--file", help_text)

    def test_not_found_is_success_unless_fail(self):
        rc, out, err, _ = fetch("--host", "127.0.0.1", "--port", self.port, "--path", "/missing", "--json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(one_json(out)["status"], 404)
        rc, out, err, _ = fetch("--host", "127.0.0.1", "--port", self.port, "--path", "/missing", "--fail")
        self.assertEqual(rc, 1, err)
        self.assertIn(b"404", out)  # the error page is still the body

    def test_localhost_comes_from_the_hosts_file(self):
        if not hosts_file_knows("localhost", "127.0.0.1"):
            self.skipTest("/etc/hosts has no 127.0.0.1 localhost line")
        # The DNS server given answers NXDOMAIN to everything: success can only
        # come from the hosts file, and the system's resolver is never asked.
        with peer("dns") as dns:
            rc, out, err, _ = fetch("--host", "localhost", "--port", self.port, "--path", "/hello.txt", "--json",
                                    "--dns-server", f"127.0.0.1:{dns.port}")
        self.assertEqual(rc, 0, err)
        report = one_json(out)
        check(report, "summary")
        self.assertEqual(report["address"], "127.0.0.1")
        self.assertIn("127.0.0.1", report["addresses"])
        self.assertEqual(report["body_bytes"], 6)

    def test_ipv4_or_ipv6_only(self):
        # The DNS server answers NXDOMAIN to everything: localhost comes from
        # the hosts file (or the resolver's own localhost rule), never the system's DNS.
        with peer("dns") as dns:
            rc, out, err, _ = fetch("-4", "--host", "localhost", "--port", self.port, "--path", "/hello.txt",
                                    "--json", "--dns-server", f"127.0.0.1:{dns.port}")
            self.assertEqual(rc, 0, err)
            self.assertEqual(one_json(out)["addresses"], ["127.0.0.1"])
            # The server listens on 127.0.0.1 only: with -6 it cannot be reached, and no IPv4 address is tried.
            rc, out, err, _ = fetch("-6", "--host", "localhost", "--port", self.port, "--json",
                                    "--dns-server", f"127.0.0.1:{dns.port}")
        self.assertIn(rc, (3, 4), err)
        report = one_json(out)
        self.assertIn(report["stage"], ("resolve", "connect"))
        for address in report.get("addresses", []):
            self.assertIn(":", address)

    def test_stdout_closed_by_the_reader_is_not_an_error(self):
        cmd = f"set -o pipefail; '{nrtest.tool_path(TOOL)}' --host 127.0.0.1 --port {self.port} --path /blob.bin | head -c 10"
        proc = subprocess.run(["bash", "-c", cmd], capture_output=True, timeout=20)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, self.payload[:10])

    def test_ipv6_literal_host_refused(self):
        port = nrtest.free_port("tcp", "::1")
        rc, out, err, _ = fetch("--host", "[::1]", "--port", port)
        self.assertEqual(rc, 4, err)
        self.assertEqual(one_json(out)["address"], "::1")


class Failures(unittest.TestCase):
    def assert_failure(self, args, status, stage, codes, max_seconds=10):
        rc, out, err, elapsed = fetch(*args)
        self.assertEqual(rc, status, (out, err))
        report = one_json(out)
        check(report, "failure")
        self.assertEqual(report["stage"], stage)
        self.assertIn(report["error"]["code"], codes)
        self.assertIn(report["error"]["code"], err)  # the human line on stderr
        self.assertLess(elapsed, max_seconds)
        return report, elapsed

    def test_closed_port_is_refused_at_connect(self):
        port = nrtest.free_port("tcp")
        report, _ = self.assert_failure(["--host", "127.0.0.1", "--port", port], 4, "connect", ["ECONNREFUSED"])
        self.assertEqual(report["address"], "127.0.0.1")
        self.assertIn("connect", report["timings"])

    def test_full_accept_queue_times_out_at_connect(self):
        with peer("backlog") as server:
            report, elapsed = self.assert_failure(
                ["--host", "127.0.0.1", "--port", server.port, "--connect-timeout", "0.5"], 5, "connect",
                ["ETIMEDOUT"])
        self.assertGreaterEqual(elapsed, 0.5)
        self.assertGreaterEqual(report["timings"]["connect"], 0.5)

    def test_connect_timeout_bounds_the_name_lookup_too(self):
        # A DNS server that takes the questions and never answers: the
        # resolver's own tries would take 4 s (2 x 2 s); --connect-timeout
        # covers the lookup, as curl's does, and ends it at 0.5 s.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as mute:
            mute.bind(("127.0.0.1", 0))
            report, elapsed = self.assert_failure(
                ["--host", "slow.test", "--dns-server", f"127.0.0.1:{mute.getsockname()[1]}",
                 "--connect-timeout", "0.5"], 5, "resolve", ["ETIMEDOUT"], max_seconds=3)
        self.assertGreaterEqual(elapsed, 0.5)
        self.assertGreaterEqual(report["timings"]["resolve"], 0.5)
        self.assertLess(report["timings"]["resolve"], 1.5)
        self.assertNotIn("attempts", report)
        self.assertEqual(report["error"]["message"], "no address for slow.test within --connect-timeout 0.5 s")

    def test_server_that_never_answers_times_out_at_receive(self):
        with peer("silent") as server:
            report, elapsed = self.assert_failure(
                ["--host", "127.0.0.1", "--port", server.port, "--timeout", "0.5"], 5, "receive", ["ETIMEDOUT"])
        self.assertGreaterEqual(elapsed, 0.5)
        self.assertGreaterEqual(report["timings"]["wait"], 0.5)
        self.assertEqual(report["body_bytes"], 0)

    def test_reset_mid_response_is_a_transfer_error(self):
        with peer("reset", 1000) as server:
            rc, out, err, _ = fetch("--host", "127.0.0.1", "--port", server.port)
        self.assertEqual(rc, 7, err)
        # The body had started: stdout holds only body bytes, the error is on stderr.
        self.assertEqual(out, b"r" * 1000)
        error_lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
        self.assertEqual(len(error_lines), 1, err)
        check(error_lines[0], "failure")
        self.assertEqual(error_lines[0]["stage"], "receive")
        self.assertEqual(error_lines[0]["error"]["code"], "ECONNRESET")
        self.assertEqual(error_lines[0]["body_bytes"], 1000)

    def test_reset_with_json_reports_on_stdout(self):
        with peer("reset", 10) as server:
            report, _ = self.assert_failure(["--host", "127.0.0.1", "--port", server.port, "--json"], 7, "receive",
                                            ["ECONNRESET"])
        self.assertEqual(report["status"], 200)
        self.assertEqual(report["body_bytes"], 10)

    def test_body_shorter_than_content_length(self):
        with peer("truncate", 50) as server:
            report, _ = self.assert_failure(["--host", "127.0.0.1", "--port", server.port, "--json"], 7, "receive",
                                            ["ETRUNCATED"])
        self.assertEqual(report["body_bytes"], 50)

    def test_malformed_heads_are_protocol_errors(self):
        for reply in ("SSH-2.0-OpenSSH_9.2\\r\\n", "HTTP/1.0 2OO OK\\r\\n\\r\\n",
                      "HTTP/1.0 200 OK\\r\\nno colon here\\r\\n\\r\\nbody", "",
                      "HTTP/1.0 200 OK\\r\\nContent-Length: 5\\r\\n",
                      "HTTP/1.0 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n"):
            with self.subTest(reply=reply), peer("raw", reply) as server:
                report, _ = self.assert_failure(["--host", "127.0.0.1", "--port", server.port], 6, "receive",
                                                ["EPROTO"])
                self.assertEqual(report["error"]["operation"], "parse")

    def test_unknown_name_fails_at_resolve_with_our_dns_server(self):
        with peer("dns") as dns:
            report, _ = self.assert_failure(
                ["--host", "no-such-host.invalid", "--port", "80", "--dns-server", f"127.0.0.1:{dns.port}"],
                3, "resolve", ["NXDOMAIN", "ENOTFOUND"])
        self.assertNotIn("address", report)
        self.assertIn("resolve", report["timings"])

    def test_dns_server_that_is_not_there(self):
        port = nrtest.free_port("udp")
        self.assert_failure(["--host", "no-such-host.invalid", "--dns-server", f"127.0.0.1:{port}"], 3, "resolve",
                            ["ENOSERVER", "ETIMEDOUT", "SERVFAIL"], max_seconds=15)


class Usage(unittest.TestCase):
    def test_bad_arguments(self):
        for args in (["--port", "80"], ["--host", "127.0.0.1", "--path", "no-slash"],
                     ["--host", "127.0.0.1", "--path", "/a b"], ["--host", "127.0.0.1", "--port", "0"],
                     ["--host", "127.0.0.1", "--timeout", "-1"], ["--host", "x", "--dns-server", "not-an-ip"],
                     ["--host", "127.0.0.1", "--bogus"], ["-4", "--host", "::1"], ["-6", "--host", "127.0.0.1"],
                     ["-4", "-6", "--host", "localhost"]):
            rc, out, err, _ = fetch(*args)
            self.assertEqual(rc, 2, (args, out, err))
            report = one_json(out)
            check(report, "usage_error")

    def test_help_and_version(self):
        rc, out, _, _ = fetch("--help")
        self.assertEqual(rc, 0)
        self.assertIn(b"Examples:\n  nr-fetch", out)
        rc, out, _, _ = fetch("--version")
        self.assertTrue(out.startswith(b"nr-fetch "))


class Http(unittest.TestCase):
    """Interim responses, fragments and --location against fetch_peers.py router."""

    @classmethod
    def setUpClass(cls):
        cls.server = peer("router")
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()

    def get(self, path, *extra):
        return fetch("--host", "127.0.0.1", "--port", self.port, "--path", path, *extra)

    def test_interim_responses_are_skipped(self):
        # RFC 9110 section 15.2: 100 and 102 come first; the answer is the 200 after them.
        rc, out, err, _ = self.get("/continue")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"final")
        rc, out, err, _ = self.get("/continue", "--json")
        self.assertEqual(rc, 0, err)
        report = one_json(out)
        check(report, "summary")
        self.assertEqual(report["status"], 200)
        self.assertEqual(report["interim"], [100, 102])
        self.assertEqual(report["body_bytes"], 5)
        self.assertNotIn("X-Interim", [h["name"] for h in report["headers"]])

    def test_a_fragment_is_never_sent(self):
        rc, out, err, _ = self.get("/echo/x?y=1#frag")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"GET /echo/x?y=1 HTTP/1.0")
        rc, out, err, _ = self.get("/echo/x?y=1#frag", "--json")
        self.assertEqual(one_json(out)["request"], "GET /echo/x?y=1 HTTP/1.0")

    def test_typed_dot_segments_are_removed_as_curl_does(self):
        # RFC 3986 section 5.2.4 on the typed path, as a Location gets it:
        # the request line the server receives has no . or .. segments; the
        # query is sent as typed.
        base = f"http://127.0.0.1:{self.port}"
        rc, out, err, _ = fetch(f"{base}/x/../echo/./a/b/../c?q=./../d")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"GET /echo/a/c?q=./../d HTTP/1.0")
        rc, out, err, _ = self.get("/../echo/x/..", "--json")
        self.assertEqual(rc, 0, err)
        report = one_json(out)
        check(report, "summary")
        self.assertEqual((report["path"], report["request"]), ("/echo/", "GET /echo/ HTTP/1.0"))
        self.assertEqual(report["body_bytes"], len(b"GET /echo/ HTTP/1.0"))
        # --path-as-is (curl's option) sends every byte as typed.
        rc, out, err, _ = fetch(f"{base}/echo/./a/../b?q=..", "--path-as-is")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"GET /echo/./a/../b?q=.. HTTP/1.0")
        rc, out, err, _ = self.get("/echo/../echo/.", "--path-as-is")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"GET /echo/../echo/. HTTP/1.0")

    def test_redirects_are_not_followed_without_location(self):
        rc, out, err, _ = self.get("/hop/1", "--json")
        self.assertEqual(rc, 0, err)
        report = one_json(out)
        self.assertEqual(report["status"], 302)
        self.assertNotIn("redirects", report)

    def test_location_follows_relative_redirects_and_reports_each_hop(self):
        rc, out, err, _ = self.get("/hop/3", "-L")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"arrived")  # no redirect body on stdout
        rc, out, err, _ = self.get("/hop/3", "--location", "--json")
        self.assertEqual(rc, 0, err)
        report = one_json(out)
        check(report, "summary")
        base = f"http://127.0.0.1:{self.port}"
        self.assertEqual(report["redirects"], [
            {"url": f"{base}/hop/3", "status": 302, "location": "2", "next": f"{base}/hop/2"},
            {"url": f"{base}/hop/2", "status": 302, "location": "1", "next": f"{base}/hop/1"},
            {"url": f"{base}/hop/1", "status": 302, "location": "0", "next": f"{base}/hop/0"},
        ])
        self.assertEqual(report["status"], 200)
        self.assertEqual(report["path"], "/hop/3")  # as asked
        self.assertEqual(report["request"], "GET /hop/0 HTTP/1.0")

    def test_absolute_location_and_see_other(self):
        rc, out, err, _ = self.get("/absolute", "-L")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"GET /echo/abs HTTP/1.0")  # the Location's fragment is not sent either
        rc, out, err, _ = self.get("/see-other", "-L")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, b"GET /echo/x?y=1 HTTP/1.0")

    def test_https_location_is_a_clear_error(self):
        rc, out, err, _ = self.get("/tls", "-L")
        self.assertEqual(rc, 6, err)
        report = one_json(out)
        check(report, "failure")
        self.assertEqual(report["stage"], "redirect")
        self.assertEqual(report["error"]["code"], "EPROTONOSUPPORT")
        self.assertIn("https", report["error"]["message"])
        self.assertIn("nr-fetch:", err)

    def test_redirects_are_bounded(self):
        rc, out, err, elapsed = self.get("/loop", "-L", "--max-redirs", "3", "--json")
        self.assertEqual(rc, 6, err)
        report = one_json(out)
        check(report, "failure")
        self.assertEqual(report["error"]["code"], "ETOOMANYREDIRECTS")
        self.assertEqual(len(report["redirects"]), 3)
        self.assertEqual(report["status"], 307)
        rc, out, err, _ = self.get("/loop", "-L", "--json")  # the default bound: 20
        self.assertEqual(rc, 6, err)
        self.assertEqual(len(one_json(out)["redirects"]), 20)


def ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@unittest.skipUnless(ipv6_loopback(), "no IPv6 loopback")
class HappyEyeballs(unittest.TestCase):
    """RFC 8305 against a local NSD zone: dual.he.test has AAAA ::1 and A
    127.0.0.1; on the port used, [::1] never answers (full accept queue) and
    127.0.0.1 serves HTTP. many.he.test has ::1 and 127.0.0.1-4."""

    ZONE = """$ORIGIN he.test.
$TTL 300
@     IN SOA ns1 hostmaster 1 7200 900 1209600 60
@     IN NS  ns1
ns1   IN A   127.0.0.1
dual  IN A   127.0.0.1
dual  IN AAAA ::1
many  IN AAAA ::1
many  IN A   127.0.0.1
many  IN A   127.0.0.2
many  IN A   127.0.0.3
many  IN A   127.0.0.4
"""
    MANY_V4 = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nr-resolve"))
        from nsd_server import Nsd
        cls.nsd = Nsd({"he.test": cls.ZONE}, nrtest.free_port("both"))
        cls.dir = tempfile.mkdtemp(prefix="nr-fetch-he-")
        with open(os.path.join(cls.dir, "hello.txt"), "wb") as f:
            f.write(b"hello\n")
        cls.http = peer("http", cls.dir)
        cls.holes = nrtest.blackhole_listener(socket.AF_INET6, "::1", cls.http.port)

    @classmethod
    def tearDownClass(cls):
        for s in cls.holes:
            s.close()
        cls.http.kill()
        cls.nsd.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_silent_ipv6_loses_to_ipv4_after_the_attempt_delay(self):
        rc, out, err, elapsed = fetch("--host", "dual.he.test", "--port", self.http.port, "--path", "/hello.txt",
                                      "--dns-server", self.nsd.server, "--json")
        self.assertEqual(rc, 0, err)
        report = one_json(out)
        check(report, "summary")
        self.assertEqual(report["address"], "127.0.0.1")
        self.assertEqual(report["addresses"], ["::1", "127.0.0.1"])
        ipv6, ipv4 = report["attempts"]
        self.assertEqual((ipv6["address"], ipv6["result"]), ("::1", "canceled"))
        self.assertEqual((ipv4["address"], ipv4["result"]), ("127.0.0.1", "connected"))
        connected_after = report["timings"]["resolve"] + report["timings"]["connect"]
        self.assertGreaterEqual(connected_after, 0.2)  # the 250 ms attempt delay, not at once
        self.assertLess(connected_after, 1.0)          # and not a connect timeout (10 s here)
        self.assertLess(elapsed, 5)
        self.assertEqual(report["body_bytes"], 6)

    def test_every_failed_attempt_is_reported(self):
        port = nrtest.free_port("tcp")
        rc, out, err, _ = fetch("--host", "dual.he.test", "--port", port, "--dns-server", self.nsd.server)
        self.assertEqual(rc, 4, err)
        report = one_json(out)
        check(report, "failure")
        self.assertEqual(report["stage"], "connect")
        self.assertEqual([(a["address"], a["result"], a["error"]["code"]) for a in report["attempts"]],
                         [("::1", "failed", "ECONNREFUSED"), ("127.0.0.1", "failed", "ECONNREFUSED")])
        self.assertIn("[::1]", report["error"]["message"])
        self.assertIn("127.0.0.1", report["error"]["message"])

    def test_attempt_timeouts_hold_for_every_address(self):
        port = nrtest.free_port("tcp")
        with nrtest.silent_addresses(port, ["::1", "127.0.0.1"]):
            rc, out, err, elapsed = fetch("--host", "dual.he.test", "--port", port, "--dns-server", self.nsd.server,
                                          "--connect-timeout", "0.5")
        self.assertEqual(rc, 5, err)
        report = one_json(out)
        self.assertEqual([a["error"]["code"] for a in report["attempts"]], ["ETIMEDOUT", "ETIMEDOUT"])
        self.assertLess(elapsed, 3)  # both raced: about 0.75 s, not 2 x 0.5 s plus a kernel timeout

    def test_connect_timeout_bounds_the_whole_race(self):
        # many.he.test: ::1 and four IPv4 addresses, none answering. Attempts
        # start every 250 ms; one --connect-timeout of 0.65 s over them all
        # ends the race at 0.65 s with three attempts started (a limit per
        # attempt would run until the fifth one's: 4 x 0.25 + 0.65 = 1.65 s).
        port = nrtest.free_port("tcp")
        with nrtest.silent_addresses(port, ["::1", *self.MANY_V4]):
            rc, out, err, elapsed = fetch("--host", "many.he.test", "--port", port, "--dns-server", self.nsd.server,
                                          "--connect-timeout", "0.65")
        self.assertEqual(rc, 5, err)
        report = one_json(out)
        check(report, "failure")
        self.assertEqual((report["stage"], report["error"]["code"]), ("connect", "ETIMEDOUT"))
        self.assertEqual(report["error"]["message"], "no connection to many.he.test within --connect-timeout 0.65 s")
        self.assertIn("--connect-timeout 0.65 s", err)
        self.assertEqual(report["addresses"], ["::1", *self.MANY_V4])
        attempts = report["attempts"]
        self.assertIn(len(attempts), (2, 3, 4))  # 3 on time; never all five
        self.assertEqual([a["address"] for a in attempts], report["addresses"][:len(attempts)])
        self.assertEqual({(a["result"], a["error"]["code"]) for a in attempts}, {("failed", "ETIMEDOUT")})
        phase = report["timings"]["resolve"] + report["timings"]["connect"]
        self.assertGreaterEqual(phase, 0.65)
        self.assertLess(phase, 1.2)
        self.assertLess(elapsed, 3)

    def test_ipv4_only_never_tries_ipv6(self):
        rc, out, err, _ = fetch("-4", "--host", "dual.he.test", "--port", self.http.port, "--path", "/hello.txt",
                                "--dns-server", self.nsd.server, "--json")
        self.assertEqual(rc, 0, err)
        report = one_json(out)
        self.assertEqual([a["address"] for a in report["attempts"]], ["127.0.0.1"])
        self.assertLess(report["timings"]["resolve"] + report["timings"]["connect"], 0.2)


if __name__ == "__main__":
    nrtest.main()
