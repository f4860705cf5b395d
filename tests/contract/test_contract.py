"""The command-line contract of every tool (issue 11, docs/exit-status.md).

Table-driven: every tool x every option it shares with others (and its other
options taking values) x a list of bad values. Each run must exit 2, print
exactly one line on stdout, a JSON error object with code EUSAGE and nothing
else there, and one human line on stderr prefixed "nr-TOOL:", in the
project's words (no raw CLI11 text). Then regression tests for each case the
issue names. The bad-value runs go through a thread pool: a few seconds.
"""
import concurrent.futures
import http.server
import json
import os
import subprocess
import threading
import unittest

import nrtest

# Values that no option of the kind may accept.
NUMBER = ["", "-1", "99999999999999999999999", "nan", "abc", "1.5", "0x10", "+1", " 1", "1e3"]
SECONDS = ["", "-1", "-0", "-0.0", "nan", "NaN", "inf", "-inf", "1e999", "1e300", "abc", "0x1p3", "1,5", " 1"]
PEER_PORT = ["", "-1", "0", "65536", "99999999999999999999999", "nan", "abc", "80x", "+80"]
LOCAL_PORT = ["", "-1", "65536", "99999999999999999999999", "nan", "abc", "+80"]
PEER_HOST = ["", "-1", "a..b", "x" * 300, "127.1", "1.2.3.256", "fe80::1%", "fe80::1%lo%lo", "::1%" + "z" * 300,
             "[::1", "127.0.0.1:0", "127.0.0.1:99999", "host name", "-bad.test", "bücher.test"]
NUMERIC_HOST = ["", "-1", "localhost", "nan", "127.1", "[::1", "fe80::1%", "fe80::1%lo%lo", "1.2.3.4:80"]
DNS_SERVER = ["", "-1", "localhost", "nan", "127.0.0.1:0", "[::1]:0", "1.2.3.4:99999", "[fe80::1%lo]:5399",
              "fe80::1%lo", "127.1", "[::1"]
TEXT = [""]
BAD_VALUES = {"number": NUMBER, "seconds": SECONDS, "peer_port": PEER_PORT, "local_port": LOCAL_PORT,
              "peer_host": PEER_HOST, "numeric_host": NUMERIC_HOST, "dns": DNS_SERVER, "text": TEXT}

# tool -> (arguments that make a valid command line, {option: (kind, a valid value)}).
# A flag's valid value is None. Choices list their own bad values as the kind.
TOOLS = {
    "nr-fetch": (["--host", "127.0.0.1", "--port", "9"], {
        "--host": ("peer_host", "127.0.0.1"), "--port": ("peer_port", "9"), "--timeout": ("seconds", "1"),
        "--connect-timeout": ("seconds", "1"), "--dns-server": ("dns", None), "--path": ("text", "/"),
        "--max-redirs": ("number", "3"), "-4": ("flag", None), "-6": ("flag", None), "--json": ("flag", None),
        "--fail": ("flag", None), "-L": ("flag", None), "--path-as-is": ("flag", None),
        "--pretty": ("flag", None)}),
    "nr-echo-client": (["--host", "127.0.0.1", "--port", "9"], {
        "--host": ("peer_host", "127.0.0.1"), "--port": ("peer_port", "9"), "--timeout": ("seconds", "1"),
        "--dns-server": ("dns", None), "--size": ("number", "10"), "--seed": ("number", "1"),
        "--count": ("number", "1"), "--connections": ("number", "1"), "--duration": ("seconds", "1"),
        "--warmup": ("seconds", "1"), "--pipeline": ("number", "1"), "--message": ("text", "x"), "-4": ("flag", None), "-6": ("flag", None),
        "--udp": ("flag", None), "--proto": (["", "sctp", "TCP", "tcp,udp"], "udp"), "--pretty": ("flag", None)}),
    "nr-sntp": (["127.0.0.1:9"], {
        "--port": ("peer_port", "9"), "--timeout": ("seconds", "1"), "--interval": ("seconds", "1"),
        "--count": ("number", "1"), "--samples": ("number", "1"), "--dns-server": ("dns", None), "--format": (["", "xml", "JSON"], "json"),
        "-4": ("flag", None), "-6": ("flag", None), "--pretty": ("flag", None)}),
    "nr-resolve": (["-s", "127.0.0.1:9", "x.test"], {
        "--timeout": ("seconds", "1"), "--tries": ("number", "1"), "-c": ("number", "1"),
        "--dns-server": ("dns", None), "-s": ("dns", None), "--hosts-file": (["", "maybe", "ON"], "on"),
        "-t": ("text", "A"), "-f": ("text", None), "-4": ("flag", None), "-6": ("flag", None),
        "--ordered": ("flag", None), "--pretty": ("flag", None), "--id-offset": ("number", "0")}),
    "nr-echo-server": (["--port", "0"], {
        "--host": ("numeric_host", "127.0.0.1"), "--port": ("local_port", "0"), "--backlog": ("number", "8"),
        "--workers": ("number", "1"), "--max-connections": ("number", "1"), "--high-water": ("number", "4096"),
        "--idle-timeout": ("seconds", "1"), "--drain-timeout": ("seconds", "1"),
        "--stall-timeout": ("seconds", "1"), "--max-queued": ("number", "0"),
        "--proto": (["", "sctp", "TCP", "tcp,tcp"], "tcp"), "--log-connections": ("flag", None),
        "--pretty": ("flag", None)}),
    "nr-sntp-server": (["--port", "0"], {
        "--host": ("numeric_host", "127.0.0.1"), "--port": ("local_port", "0"), "--stratum": ("number", "1"),
        "--leap": ("number", "0"), "--ref-id": ("text", "GPS"), "--pretty": ("flag", None)}),
    "nr-sockopt": ([], {
        "--timeout": ("seconds", "1"), "--sndbuf": ("number", "4096"), "--rcvbuf": ("number", "4096"),
        "--proto": (["", "sctp", "TCP"], "tcp"), "--family": (["", "ipx", "IPv4"], "ipv4"),
        "--bind": (["", "localhost:80", "127.0.0.1:70000", "-1", "[::1"], "127.0.0.1:0"),
        "-4": ("flag", None), "-6": ("flag", None), "--nodelay": ("flag", None), "--pretty": ("flag", None)}),
    "nr-netinfo": (["byteorder", "1"], {
        "--width": (["", "8", "BOTH"], "16"), "--pretty": ("flag", None)}),
}

RAW_CLI11 = ("Could not convert", "At Most", "required but received", "TEXT:{", "were not expected",
             "is not in", "Value ", "excludes", "ValidationError", "ArgumentMismatch", "disallowed flag override")


def run(tool, args):
    proc = subprocess.run([nrtest.tool_path(tool), *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def without(base, option):
    """`base` without `option` and its value (when the option takes one)."""
    out = []
    skip = False
    for i, arg in enumerate(base):
        if skip:
            skip = False
            continue
        if arg == option:
            skip = True
            continue
        out.append(arg)
    return out


def cases():
    """(tool, description, argv) for every bad command line of the table."""
    out = []
    for tool, (base, options) in TOOLS.items():
        for option, (kind, valid) in options.items():
            rest = without(base, option)
            if kind == "flag":
                out.append((tool, f"{option} repeated", rest + [option, option]))
                if option.startswith("--"):
                    out.append((tool, f"{option}=value", rest + [option + "=yes"]))
                continue
            values = kind if isinstance(kind, list) else BAD_VALUES[kind]
            for value in values:
                out.append((tool, f"{option} {value!r}", rest + [option, value]))
            if valid is not None and kind != "dns":
                out.append((tool, f"{option} repeated", rest + [option, valid, option, valid]))
            out.append((tool, f"{option} without its value", rest + [option]))
        for unknown in (["--no-such-option"], ["--no-such-option=1"], ["-Z"]):
            out.append((tool, f"unknown {unknown[0]}", base + unknown))
    return out


class BadArguments(unittest.TestCase):
    def test_every_tool_every_option_every_bad_value(self):
        table = cases()
        self.assertGreater(len(table), 400)
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(lambda c: (c, run(c[0], c[2])), table))
        failures = []
        for (tool, what, argv), (rc, out, err) in results:
            problems = usage_error_problems(tool, rc, out, err)
            if problems:
                failures.append(f"{tool} {argv!r} ({what}): {problems}; rc={rc} stdout={out!r} stderr={err!r}")
        self.assertEqual(failures, [], "\n" + "\n".join(failures[:40]))


def usage_error_problems(tool, rc, out, err):
    """What is wrong with a run that should be a usage error; "" when nothing."""
    if rc != 2:
        return f"exit status {rc}, not 2"
    lines = out.splitlines()
    if len(lines) != 1:
        return f"{len(lines)} lines on stdout, not 1"
    try:
        value = json.loads(lines[0])
    except ValueError:
        return "stdout is not JSON"
    if set(value) - {"schema_version", "error"}:
        return f"more than the error on stdout: {sorted(value)}"
    if value.get("error", {}).get("code") != "EUSAGE":
        return "error code is not EUSAGE"
    if not err.startswith(tool + ": ") or len(err.splitlines()) != 1:
        return "stderr is not one line prefixed with the tool's name"
    for raw in RAW_CLI11:
        if raw in err or raw in value["error"].get("message", ""):
            return f"raw parser text {raw!r}"
    return ""


class Regressions(unittest.TestCase):
    """The cases issue 11 names under "Option rules differ" and "Names that are not names"."""

    def assert_usage(self, tool, *args, says=None):
        rc, out, err = run(tool, [str(a) for a in args])
        self.assertEqual(usage_error_problems(tool, rc, out, err), "", (args, rc, out, err))
        nrtest.validate(tool, json.loads(out))
        if says:
            self.assertIn(says, err)
        return err

    def test_timeout_zero_means_no_limit_everywhere(self):
        dead = nrtest.free_port("both")
        # nr-resolve: accepted; --tries still bounds the run (a refused port ends it at once).
        rc, out, err = run("nr-resolve", ["--timeout", "0", "--tries", "1", "-s", f"127.0.0.1:{dead}", "-t", "A", "x.test"])
        self.assertNotEqual(rc, 2, err)
        self.assertNotIn("EUSAGE", out)
        # nr-sntp: accepted, and answered by a real server.
        with nrtest.Server.tool("nr-sntp-server", "--port", 0) as server:
            rc, out, err = run("nr-sntp", ["--timeout", "0", f"127.0.0.1:{server.port}"])
        self.assertEqual(rc, 0, err)
        # The tools that already took it still do.
        for tool, args in (("nr-fetch", ["--timeout", "0", "--host", "127.0.0.1", "--port", dead]),
                           ("nr-echo-client", ["--timeout", "0", "--host", "127.0.0.1", "--port", dead]),
                           ("nr-sockopt", ["--timeout", "0"])):
            rc, out, err = run(tool, [str(a) for a in args])
            self.assertNotEqual(rc, 2, (tool, out, err))

    def test_wrong_family_literal_is_a_usage_error_everywhere(self):
        for tool, args in (("nr-fetch", ["-4", "--host", "::1"]), ("nr-fetch", ["-6", "http://127.0.0.1:80/"]),
                           ("nr-echo-client", ["-4", "--host", "[::1]"]), ("nr-echo-client", ["-6", "--host", "127.0.0.1"]),
                           ("nr-sntp", ["-4", "::1"]), ("nr-sntp", ["-6", "127.0.0.1:123"])):
            with self.subTest(tool=tool, args=args):
                self.assert_usage(tool, *args, says="was given, but")

    def test_bracketed_ipv6_is_accepted_and_reported_without_brackets(self):
        dead = nrtest.free_port("tcp", "::1")
        for tool in ("nr-fetch", "nr-echo-client"):
            rc, out, _ = run(tool, ["--host", "[::1]", "--port", str(dead)])
            self.assertEqual(rc, 4, out)
            self.assertEqual(json.loads(out)["host"], "::1", out)  # the host as the user meant it, as nr-fetch did
        for tool in ("nr-echo-server", "nr-sntp-server"):
            with nrtest.Server.tool(tool, "--host", "[::1]", "--port", 0) as server:
                self.assertEqual(server.events[0]["address"], "::1")
                server.stop()
        with nrtest.Server.tool("nr-sntp-server", "--host", "::1", "--port", 0) as server:
            rc, out, err = run("nr-sntp", [f"[::1]:{server.port}"])
            self.assertEqual(rc, 0, err)

    def test_servers_keep_the_zone_in_their_listening_event(self):
        for tool in ("nr-echo-server", "nr-sntp-server"):
            with nrtest.Server.tool(tool, "--host", "::1%lo", "--port", 0) as server:
                self.assertEqual(server.events[0]["address"], "::1%lo")
                server.stop()

    def test_negative_numbers_never_wrap(self):
        self.assert_usage("nr-echo-client", "--seed", "-1", says="--seed")
        self.assert_usage("nr-echo-server", "--max-connections", "-1", says="--max-connections")
        err = self.assert_usage("nr-sockopt", "--timeout", "-0", says="--timeout")
        self.assertNotIn("-0.0", err)

    def test_repeated_option_names_itself(self):
        self.assert_usage("nr-fetch", "--port", "1", "--port", "2", "--host", "x.test",
                          says="--port was given 2 times; give it once")

    def test_messages_in_our_words(self):
        err = self.assert_usage("nr-sockopt", "--sndbuf", "abc")
        self.assertIn("--sndbuf must be a whole number", err)
        self.assert_usage("nr-echo-server", "--proto", "x", says="--proto must be one of tcp, udp")
        for tool in TOOLS:
            rc, out, _ = run(tool, ["--help"])
            self.assertEqual(rc, 0)
            self.assertNotIn("TEXT:{", out, tool)

    def test_unknown_subcommand_reads_the_same(self):
        a = self.assert_usage("nr-netinfo", "frobnicate", says="unknown subcommand 'frobnicate' (one of: ")
        b = self.assert_usage("nr-sockopt", "frobnicate", says="unknown subcommand 'frobnicate' (one of: ")
        self.assertEqual(a.split("(one of")[0].split(":", 1)[1], b.split("(one of")[0].split(":", 1)[1])

    def test_empty_ref_id_is_refused(self):
        self.assert_usage("nr-sntp-server", "--ref-id", "", says="--ref-id is empty")

    def test_tries_help_says_rounds(self):
        _, out, _ = run("nr-resolve", ["--help"])
        self.assertIn("Rounds over the servers", out)

    def test_host_port_and_urls_are_not_looked_up_as_names(self):
        dead = nrtest.free_port("tcp")
        for tool, args in (("nr-fetch", ["--host", f"127.0.0.1:{dead}"]),
                           ("nr-fetch", ["--host", f"http://127.0.0.1:{dead}/x"]),
                           ("nr-fetch", [f"http://127.0.0.1:{dead}/x"]),
                           ("nr-echo-client", ["--host", f"127.0.0.1:{dead}"])):
            with self.subTest(tool=tool, args=args):
                rc, out, err = run(tool, args)
                self.assertEqual(rc, 4, (out, err))  # connection refused: it tried the address, asked no DNS
                self.assertNotIn("resolve", json.loads(out.splitlines()[-1])["error"].get("operation", ""))
        self.assert_usage("nr-fetch", "--host", "https://127.0.0.1/", says="TLS")
        self.assert_usage("nr-fetch", "https://127.0.0.1/", says="TLS")

    def test_port_zero_for_a_peer_is_a_usage_error(self):
        self.assert_usage("nr-resolve", "-s", "127.0.0.1:0", "x.test", says="port 0")
        self.assert_usage("nr-sntp", "127.0.0.1:0", says="port 0")
        self.assert_usage("nr-fetch", "http://127.0.0.1:0/", says="port 0")
        self.assert_usage("nr-echo-client", "--host", "127.0.0.1:0", says="port 0")

    def test_zone_in_a_dns_server_is_a_usage_error(self):
        self.assert_usage("nr-resolve", "-s", "[fe80::1%lo]:5399", "x.test", says="zone")


def run_to(tool, args, stdout_fd, input=None):
    proc = subprocess.run([nrtest.tool_path(tool), *args], input=input, stdout=stdout_fd, stderr=subprocess.PIPE,
                          timeout=20)
    return proc.returncode, proc.stderr.decode(errors="replace")


class Body(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"x" * 100000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Output(unittest.TestCase):
    """One rule for a failing stdout (apps/common/stdout_channel.hpp) and one name for a line's kind."""

    def assert_one_output_error(self, tool, rc, err):
        self.assertEqual(rc, 8, err)
        self.assertEqual(err.splitlines(), [f"{tool}: cannot write output: No space left on device"], err)

    def test_full_disk_is_one_prefixed_line_in_every_writer(self):
        dead = nrtest.free_port("udp")
        with open("/dev/full", "wb") as full:
            # nr-resolve's own buffered writer (it lacked the prefix).
            rc, err = run_to("nr-resolve", ["-f", "-", "-t", "A", "-s", f"127.0.0.1:{dead}", "--tries", "1"],
                             full, input=b"x.test\n")
            self.assert_one_output_error("nr-resolve", rc, err)
            # JsonOutput (every other JSON line).
            rc, err = run_to("nr-netinfo", ["byteorder", "1"], full)
            self.assert_one_output_error("nr-netinfo", rc, err)
            # nr-fetch's body writer: one line for one write error (it printed two).
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Body)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                rc, err = run_to("nr-fetch", [f"http://127.0.0.1:{server.server_address[1]}/"], full)
            finally:
                server.shutdown()
                server.server_close()
            self.assert_one_output_error("nr-fetch", rc, err)
            # nr-sntp's text format.
            with nrtest.Server.tool("nr-sntp-server", "--port", 0) as sntp_server:
                rc, err = run_to("nr-sntp", [f"127.0.0.1:{sntp_server.port}", "--format", "text"], full)
            self.assert_one_output_error("nr-sntp", rc, err)

    def test_the_kind_of_a_line_is_its_event_in_every_tool(self):
        with nrtest.Server.tool("nr-sntp-server", "--port", 0) as server:
            r = nrtest.run_tool("nr-sntp", f"127.0.0.1:{server.port}", "--count", 2, "--interval", 0)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual([line["event"] for line in r.lines], ["sample", "sample", "summary"])
        self.assertEqual([line["type"] for line in r.lines], ["sample", "sample", "summary"])  # kept for old readers
        for line in r.lines:
            nrtest.validate("nr-sntp", line)
        dead = nrtest.free_port("udp")
        r = nrtest.run_tool("nr-resolve", "-f", "-", "-t", "A", "-s", f"127.0.0.1:{dead}", "--tries", 1,
                            input="x.test\n")
        self.assertEqual(r.lines[-1]["event"], "summary")


if __name__ == "__main__":
    unittest.main(verbosity=2)
