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
import subprocess
import sys
import tempfile
import time
import unittest

import nrtest

TOOL = "nr-fetch"
PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fetch_peers.py")
_validators = {}


def check(value, definition=None):
    """Validates against docs/json/nr-fetch.schema.json and one of its $defs."""
    import jsonschema
    for name in (None, definition) if definition else (None,):
        if name not in _validators:
            schema = nrtest.load_schema(TOOL)
            if name:
                schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{name}"}
            _validators[name] = jsonschema.Draft202012Validator(schema)
        _validators[name].validate(value)


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
        rc, out, err, _ = fetch("--host", "127.0.0.1", "--port", self.port, "--file", "/blob.bin", "--json")
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
                            ["ECONNREFUSED", "ETIMEDOUT", "SERVFAIL"], max_seconds=15)


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


if __name__ == "__main__":
    nrtest.main()
