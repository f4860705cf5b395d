"""End-to-end tests of nr-echo-client: the seed's exchange, UDP, IPv6, the
load mode, and every error class, against nr-echo-server and against the
misbehaving peers of echo_peers.py, all on loopback. Every JSON object printed
is validated against docs/json/nr-echo-client.schema.json.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import unittest

import nrtest

TOOL = "nr-echo-client"
PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "echo_peers.py")
SEED_MESSAGE = "Test message. This will be echoed"


def client(*args, timeout=60):
    """Runs nr-echo-client; validates its one JSON object; returns the Result."""
    result = nrtest.run_tool(TOOL, *args, timeout=timeout)
    nrtest.validate(TOOL, result.json)
    return result


def peer(behaviour, host="127.0.0.1"):
    return nrtest.Server([sys.executable, PEERS, behaviour, host])


def echo_server(*args):
    return nrtest.Server.tool("nr-echo-server", "--port", "0", *args, wait_for=2 if "--proto" not in args else 1)


def ipv6_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def hosts_file_name_for(address):
    """A name other than localhost that /etc/hosts maps to `address`, or None."""
    try:
        with open("/etc/hosts") as f:
            for line in f:
                fields = line.split("#", 1)[0].split()
                if len(fields) > 1 and fields[0] == address:
                    for name in fields[1:]:
                        if "localhost" not in name:
                            return name
    except OSError:
        pass
    return None


def interrupted_summary(test, port, after_s, *args):
    """Runs a load against `port`, sends SIGINT after `after_s` seconds, checks the run ends with exit 0
    and one summary line that matches the schema, and returns that summary."""
    proc = subprocess.Popen([nrtest.tool_path(TOOL), "--port", str(port), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    time.sleep(after_s)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    test.assertEqual(proc.returncode, 0, err)
    summary = nrtest.parse_lines(out.decode())
    test.assertEqual(len(summary), 1)
    nrtest.validate(TOOL, summary[0])
    return summary[0]


class WithServer(unittest.TestCase):
    """Tests sharing one nr-echo-server (TCP and UDP) on a free port."""

    @classmethod
    def setUpClass(cls):
        cls.server = echo_server()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.kill()


class Exchange(WithServer):

    def test_default_exchange_is_the_seeds(self):
        r = client("--port", self.port)
        self.assertEqual(r.returncode, 0, r)
        out = r.json
        self.assertEqual(out["mode"], "exchange")
        self.assertEqual(out["host"], "localhost")
        self.assertEqual(out["server"], f"127.0.0.1:{self.port}")
        self.assertEqual(out["proto"], "tcp")
        self.assertEqual(out["reply"], SEED_MESSAGE)
        self.assertEqual(out["bytes_sent"], len(SEED_MESSAGE))
        self.assertEqual(out["bytes_received"], len(SEED_MESSAGE))
        self.assertIs(out["match"], True)
        self.assertEqual(out["messages"], 1)
        self.assertGreater(out["rtt_us"], 0)
        self.assertEqual(r.stderr, "")

    def test_message_and_count(self):
        r = client("--port", self.port, "--message", "héllo, echo", "--count", 5)
        self.assertEqual(r.returncode, 0, r)
        out = r.json
        self.assertEqual(out["reply"], "héllo, echo")
        self.assertEqual(out["messages"], 5)
        self.assertEqual(out["bytes_sent"], 5 * len("héllo, echo".encode()))
        self.assertEqual(out["bytes_received"], out["bytes_sent"])
        self.assertLessEqual(out["rtt_min_us"], out["rtt_us"])
        self.assertLessEqual(out["rtt_us"], out["rtt_max_us"])

    def test_random_payload_of_16_mib(self):
        size = 16 * 1024 * 1024
        r = client("--port", self.port, "--size", size, "--seed", 7)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual((r.json["bytes_sent"], r.json["bytes_received"]), (size, size))
        self.assertIs(r.json["match"], True)
        self.assertEqual(r.json["seed"], 7)
        self.assertNotIn("reply", r.json)

    def test_udp(self):
        r = client("--port", self.port, "--udp", "--count", 3)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.json["proto"], "udp")
        self.assertEqual(r.json["reply"], SEED_MESSAGE)
        self.assertEqual(r.json["messages"], 3)
        self.assertNotIn("connect_us", r.json)

    def test_proto_names_the_protocol_as_the_server_does(self):
        # --proto, as nr-echo-server and nr-sockopt spell it; --udp stays its short form.
        for args, proto in ((["--proto", "udp"], "udp"), (["--proto", "tcp"], "tcp"), ([], "tcp")):
            r = client("--port", self.port, "--count", 2, *args)
            self.assertEqual(r.returncode, 0, r)
            self.assertEqual((r.json["proto"], r.json["messages"]), (proto, 2))
            self.assertEqual("connect_us" in r.json, proto == "tcp")
        r = client("--port", self.port, "--proto", "udp", "--connections", 2, "--count", 5)
        self.assertEqual((r.returncode, r.json["proto"], r.json["messages"]), (0, "udp", 10), r)

    def test_udp_largest_datagram(self):
        r = client("--port", self.port, "--udp", "--size", 65507)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.json["bytes_received"], 65507)

    def test_numeric_host_and_fractional_timeout(self):
        r = client("--host", "127.0.0.1", "--port", self.port, "--timeout", "0.5")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.json["host"], "127.0.0.1")
        self.assertEqual([(a["address"], a["result"]) for a in r.json["attempts"]], [("127.0.0.1", "connected")])
        self.assertNotIn("attempts", client("--port", self.port, "--udp").json)  # UDP does not race

    def test_name_from_the_hosts_file(self):
        name = hosts_file_name_for("127.0.0.1")
        if name is None:
            self.skipTest("/etc/hosts has no other name for 127.0.0.1")
        # The hosts file answers: the DNS server given (a closed port) is never needed.
        r = client("--host", name, "--port", self.port, "-4", "--dns-server", "127.0.0.1:9")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.json["server"], f"127.0.0.1:{self.port}")


@unittest.skipUnless(ipv6_available(), "no IPv6 loopback")
class Ipv6(unittest.TestCase):
    def test_ipv6_loopback_tcp_and_udp(self):
        with echo_server("--host", "::1") as server:
            for extra in ([], ["--udp"]):
                r = client("--host", "::1", "--port", server.port, *extra)
                self.assertEqual(r.returncode, 0, r)
                self.assertEqual(r.json["server"], f"[::1]:{server.port}")
                self.assertIs(r.json["match"], True)
            # -6 makes localhost ::1, without asking anyone.
            r = client("-6", "--port", server.port, "--dns-server", "127.0.0.1:9")
            self.assertEqual(r.returncode, 0, r)
            self.assertEqual(r.json["server"], f"[::1]:{server.port}")


class Errors(unittest.TestCase):
    def assert_error(self, result, code, status, operation=None):
        self.assertEqual(result.returncode, status, result)
        self.assertEqual(result.json["error"]["code"], code, result)
        if operation:
            self.assertEqual(result.json["error"]["operation"], operation, result)
        self.assertIn(code, result.stderr)

    def test_refused(self):
        port = nrtest.free_port("both")
        self.assert_error(client("--port", port), "ECONNREFUSED", 4, "connect")
        # The connect race lists its attempt (netreactor::TcpConnector).
        attempts = client("--host", "127.0.0.1", "--port", port).json["attempts"]
        self.assertEqual([(a["address"], a["port"], a["result"], a["error"]["code"]) for a in attempts],
                         [("127.0.0.1", port, "failed", "ECONNREFUSED")])
        # UDP learns it from the ICMP port unreachable.
        self.assert_error(client("--port", port, "--udp"), "ECONNREFUSED", 4)

    def test_reply_timeout(self):
        for behaviour, extra in (("silent", []), ("udp-silent", ["--udp"])):
            with peer(behaviour) as p:
                r = client("--port", p.port, "--timeout", "0.5", *extra)
                self.assert_error(r, "ETIMEDOUT", 5, "reply")
                self.assertGreater(r.elapsed, 0.4)
                self.assertLess(r.elapsed, 5)

    def test_connect_timeout(self):
        with peer("backlog") as p:
            r = client("--port", p.port, "--timeout", "0.5")
            self.assert_error(r, "ETIMEDOUT", 5, "connect")
            self.assertLess(r.elapsed, 5)

    def test_reset_mid_stream(self):
        with peer("reset") as p:
            r = client("--port", p.port, "--size", 1000)
            self.assert_error(r, "ECONNRESET", 7, "read")

    def test_peer_closes_before_echoing(self):
        with peer("close") as p:
            r = client("--port", p.port)
            self.assert_error(r, "EOF", 7, "read")
            self.assertEqual(r.json["bytes_received"], 0)

    def test_short_echo(self):
        with peer("short") as p:
            r = client("--port", p.port)
            self.assert_error(r, "EOF", 7, "read")
            self.assertEqual(r.json["bytes_received"], len(SEED_MESSAGE) - 1)
            self.assertIn(f"{len(SEED_MESSAGE) - 1} of {len(SEED_MESSAGE)}", r.json["error"]["message"])

    def test_corrupted_echo(self):
        with peer("corrupt") as p:
            r = client("--port", p.port)
            self.assert_error(r, "EMISMATCH", 1, "verify")
            self.assertIs(r.json["match"], False)
            self.assertEqual(r.json["mismatch_offset"], 5)

    def test_echo_longer_than_sent(self):
        with peer("extra") as p:
            r = client("--port", p.port)
            self.assert_error(r, "EMISMATCH", 1)
            self.assertEqual(r.json["mismatch_offset"], len(SEED_MESSAGE))

    def test_udp_short_and_corrupt_datagrams(self):
        with peer("udp-short") as p:
            r = client("--port", p.port, "--udp")
            self.assert_error(r, "EMISMATCH", 1)
            self.assertEqual(r.json["mismatch_offset"], len(SEED_MESSAGE) - 1)
        with peer("udp-corrupt") as p:
            r = client("--port", p.port, "--udp")
            self.assert_error(r, "EMISMATCH", 1)
            self.assertEqual(r.json["mismatch_offset"], 0)

    def test_unknown_name(self):
        # Only a DNS server of our own (none: a closed port) is asked.
        r = client("--host", "no-such-host.invalid", "--dns-server", "127.0.0.1:9", "--timeout", "1")
        self.assertIn(r.returncode, (3, 5), r)
        self.assertEqual(r.json["error"]["operation"], "resolve")
        self.assertEqual(r.json["host"], "no-such-host.invalid")


class Load(WithServer):

    def check_clean(self, r, connections):
        self.assertEqual(r.returncode, 0, r)
        out = r.json
        self.assertEqual(out["mode"], "load")
        self.assertEqual((out["connections"], out["connected"]), (connections, connections))
        self.assertEqual((out["errors"], out["mismatches"]), (0, 0))
        self.assertGreater(out["messages"], 0)
        lat = out["latency_us"]
        self.assertLessEqual(lat["p50"], lat["p90"])
        self.assertLessEqual(lat["p90"], lat["p99"])
        self.assertLessEqual(lat["p99"], lat["p999"])
        self.assertLessEqual(lat["p999"], lat["max"])
        if out["duration_s"] >= 0.1:  # printed in ms: too coarse to check the rates of a very short run
            self.assertAlmostEqual(out["messages_per_s"], out["messages"] / out["duration_s"],
                                   delta=out["messages_per_s"] * 0.02 + 1)
            self.assertAlmostEqual(out["mb_per_s"], out["messages"] * out["size"] / out["duration_s"] / 1e6,
                                   delta=out["mb_per_s"] * 0.02 + 0.01)
        return out

    def test_ping_pong(self):
        out = self.check_clean(client("--port", self.port, "--connections", 10, "--duration", "0.5", "--size", 64), 10)
        self.assertEqual((out["size"], out["pipeline"]), (64, 1))
        self.assertGreater(out["duration_s"], 0.4)
        self.assertNotIn("warmup_s", out)  # without --warmup the line is what it always was
        self.assertNotIn("warmup_messages", out)

    def test_pipelined_large_messages(self):
        out = self.check_clean(client("--port", self.port, "--connections", 4, "--duration", "0.5", "--size", 65536,
                                      "--pipeline", 16), 4)
        self.assertEqual(out["pipeline"], 16)

    def test_the_echoes_in_flight_at_the_window_end_are_drained_apart(self):
        # Every connection has exactly --pipeline messages in flight when the window closes; their echoes
        # are waited for and counted in drained, and stay out of messages and the window's rates.
        out = self.check_clean(client("--port", self.port, "--connections", 5, "--duration", "0.3", "--size", 1000,
                                      "--pipeline", 8), 5)
        self.assertEqual(out["drained"], 5 * 8)
        self.assertAlmostEqual(out["messages_per_s"], out["messages"] / out["duration_s"],
                               delta=out["messages_per_s"] * 0.02 + 1)

    def test_udp_echoes_in_flight_at_the_window_end_are_drained_or_lost(self):
        out = self.check_clean(client("--port", self.port, "--udp", "--connections", 3, "--duration", "0.3",
                                      "--size", 200, "--pipeline", 4), 3)
        self.assertLessEqual(out["drained"], 3 * 4)
        if out["lost"] == 0:
            self.assertEqual(out["drained"], 3 * 4)

    def test_count_per_connection_is_exact(self):
        out = self.check_clean(client("--port", self.port, "--connections", 3, "--count", 100, "--pipeline", 4,
                                      "--size", 100), 3)
        self.assertEqual(out["messages"], 300)
        self.assertEqual(out["drained"], 0)  # the window ends with the last echo: nothing left in flight

    def test_udp(self):
        out = self.check_clean(client("--port", self.port, "--udp", "--connections", 4, "--duration", "0.5",
                                      "--size", 512), 4)
        self.assertEqual(out["proto"], "udp")
        self.assertIn("lost", out)

    def test_udp_count_is_exact_without_loss(self):
        out = self.check_clean(client("--port", self.port, "--udp", "--connections", 2, "--count", 50), 2)
        self.assertEqual(out["messages"] + out["lost"], 100)

    def test_mismatch_exits_1(self):
        with peer("corrupt-late") as p:
            r = client("--port", p.port, "--connections", 2, "--duration", "1", "--size", 1000)
            self.assertEqual(r.returncode, 1, r)
            self.assertGreaterEqual(r.json["mismatches"], 1)

    def test_udp_mismatch_exits_1(self):
        with peer("udp-corrupt") as p:
            r = client("--port", p.port, "--udp", "--connections", 2, "--duration", "0.5", "--size", 100)
            self.assertEqual(r.returncode, 1, r)
            self.assertEqual(r.json["mismatches"], 2)

    def test_reset_is_an_error(self):
        with peer("reset") as p:
            r = client("--port", p.port, "--connections", 3, "--duration", "1", "--size", 1000)
            self.assertEqual(r.returncode, 7, r)
            self.assertEqual(r.json["errors"], 3)
            self.assertEqual(r.json["first_error"]["code"], "ECONNRESET")

    def test_stalled_server_times_out(self):
        with peer("silent") as p:
            r = client("--port", p.port, "--connections", 2, "--duration", "0.5", "--timeout", "0.3")
            self.assertEqual(r.returncode, 5, r)
            self.assertEqual(r.json["first_error"]["code"], "ETIMEDOUT")

    def test_sigint_ends_the_window_with_a_summary(self):
        summary = interrupted_summary(self, self.port, 1.0, "--connections", "4", "--duration", "60")
        self.assertLess(summary["duration_s"], 30)
        self.assertGreater(summary["messages"], 0)

    def test_no_connection_at_all_is_an_error_object(self):
        r = client("--port", nrtest.free_port(), "--connections", 5, "--duration", "0.5")
        self.assertEqual(r.returncode, 4, r)
        self.assertEqual(r.json["error"]["code"], "ECONNREFUSED")
        self.assertEqual(r.json["connections"], 5)


class Warmup(unittest.TestCase):
    """--warmup: the load runs before the window, and none of it is counted. Each test starts its own
    server, whose count of what it echoed (its shutdown event) the client's counts must add up to."""

    SIZE = 100

    def run_against_fresh_server(self, *args, proto="tcp"):
        """(the client's summary, the messages the server echoed over the whole run)."""
        server = echo_server("--proto", proto)
        try:
            r = client("--port", server.port, "--size", self.SIZE, *(["--udp"] if proto == "udp" else []), *args)
            _, lines, _ = server.stop()
        finally:
            server.kill()
        shutdown = [line for line in lines if line.get("event") == "shutdown"][-1]
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual((r.json["errors"], r.json["mismatches"]), (0, 0), r)
        echoed = shutdown["bytes_out"] // self.SIZE if proto == "tcp" else shutdown["datagrams"]
        return r.json, echoed

    def test_tcp_the_server_echoed_the_warmup_the_window_did_not_count_it(self):
        out, echoed = self.run_against_fresh_server("--connections", 4, "--pipeline", 4, "--warmup", "0.4",
                                                    "--duration", "0.3")
        self.assertGreater(out["warmup_messages"], 0)
        # Every echo the server sent is the warm-up's, the window's, or drained after it: exactly once.
        self.assertEqual(echoed, out["warmup_messages"] + out["messages"] + out["drained"], out)
        self.assertGreater(echoed, out["messages"] + out["drained"])  # fails if the warm-up were counted
        self.assertGreaterEqual(out["warmup_s"], 0.4)
        self.assertGreaterEqual(out["duration_s"], 0.3)
        self.assertLess(out["duration_s"], 0.4 + 0.3)  # the window is --duration, the warm-up not in it
        self.assertAlmostEqual(out["messages_per_s"], out["messages"] / out["duration_s"],
                               delta=out["messages_per_s"] * 0.02 + 1)

    def test_udp_the_server_echoed_the_warmup_the_window_did_not_count_it(self):
        out, echoed = self.run_against_fresh_server("--connections", 3, "--pipeline", 2, "--warmup", "0.4",
                                                    "--duration", "0.3", proto="udp")
        self.assertGreater(out["warmup_messages"], 0)
        # A datagram lost before the server is not in its count: at least, not exactly.
        self.assertGreaterEqual(echoed - out["messages"] - out["drained"], out["warmup_messages"], out)
        if out["lost"] == 0:
            self.assertLessEqual(echoed, out["warmup_messages"] + out["messages"] + out["drained"] + 3 * 2, out)
        self.assertGreaterEqual(out["warmup_s"], 0.4)
        self.assertLess(out["duration_s"], 0.4 + 0.3)

    def test_count_counts_the_window_alone(self):
        out, echoed = self.run_against_fresh_server("--connections", 3, "--pipeline", 4, "--warmup", "0.2",
                                                    "--count", 50)
        self.assertEqual(out["messages"], 3 * 50)
        self.assertEqual(out["drained"], 0)
        self.assertGreater(out["warmup_messages"], 0)
        self.assertEqual(echoed, out["warmup_messages"] + 3 * 50)

    def test_warmup_zero_is_no_warmup(self):
        out, echoed = self.run_against_fresh_server("--connections", 2, "--warmup", "0", "--duration", "0.2")
        self.assertNotIn("warmup_s", out)
        self.assertEqual(echoed, out["messages"] + out["drained"])

    def test_a_slow_start_is_left_out_of_the_latencies(self):
        # The peer's first echoes come SLOW_START (0.4 s) late; later ones at once. Without a warm-up
        # the window's max latency is that slow start; with one as long, the window never sees it.
        for proto, behaviour in (("tcp", "slow-start"), ("udp", "udp-slow-start")):
            with self.subTest(proto=proto):
                udp = ["--udp"] if proto == "udp" else []
                with peer(behaviour) as p:
                    cold = client("--port", p.port, *udp, "--connections", 2, "--duration", "0.6")
                with peer(behaviour) as p:
                    warm = client("--port", p.port, *udp, "--connections", 2, "--warmup", "0.8",
                                  "--duration", "0.3")
                for r in (cold, warm):
                    self.assertEqual(r.returncode, 0, r)
                    self.assertEqual((r.json["errors"], r.json["mismatches"]), (0, 0), r)
                self.assertGreaterEqual(cold.json["latency_us"]["max"], 400_000, cold.json)
                self.assertGreater(warm.json["messages"], 0, warm.json)
                self.assertLess(warm.json["latency_us"]["max"], 400_000, warm.json)

    def test_errors_in_the_warmup_fail_the_run(self):
        # Every connection is reset in the warm-up: the run fails as it would in the window, with no window.
        with peer("reset") as p:
            r = client("--port", p.port, "--connections", 3, "--warmup", "0.5", "--duration", "0.5",
                       "--size", 1000)
        self.assertEqual(r.returncode, 7, r)
        self.assertEqual(r.json["errors"], 3)
        self.assertEqual(r.json["first_error"]["code"], "ECONNRESET")
        self.assertEqual((r.json["duration_s"], r.json["messages"]), (0, 0))
        self.assertLess(r.json["warmup_s"], 0.5)

    def test_a_silent_server_times_out_in_the_warmup(self):
        with peer("silent") as p:
            r = client("--port", p.port, "--connections", 2, "--warmup", "2", "--duration", "0.5",
                       "--timeout", "0.3")
        self.assertEqual(r.returncode, 5, r)
        self.assertEqual(r.json["first_error"]["code"], "ETIMEDOUT")
        self.assertEqual(r.json["duration_s"], 0)
        self.assertLess(r.elapsed, 1.5)

    def test_sigint_in_the_warmup_ends_the_run_without_a_window(self):
        with echo_server() as server:
            summary = interrupted_summary(self, server.port, 0.5, "--connections", "2", "--warmup", "60",
                                          "--duration", "60")
        self.assertEqual((summary["duration_s"], summary["messages"], summary["drained"]), (0, 0, 0))
        self.assertGreater(summary["warmup_messages"], 0)
        self.assertLess(summary["warmup_s"], 30)


class SlowDns:
    """A DNS server on 127.0.0.1 that answers every question `delay` seconds
    late: A with 127.0.0.1, any other type with no record (NODATA)."""

    def __init__(self, delay):
        self.delay = delay
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.server = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.timers = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                query, peer = self.sock.recvfrom(512)
            except OSError:
                return  # closed
            end = 12
            while end < len(query) and query[end] != 0:
                end += query[end] + 1
            question = query[12:end + 5]
            is_a = query[end + 1:end + 3] == b"\x00\x01"
            head = query[:2] + b"\x81\x80" + struct.pack(">HHHH", 1, 1 if is_a else 0, 0, 0)
            answer = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + bytes([127, 0, 0, 1]) if is_a else b""
            timer = threading.Timer(self.delay, self.reply, (head + question + answer, peer))
            self.timers.append(timer)
            timer.start()

    def reply(self, packet, peer):
        try:
            self.sock.sendto(packet, peer)
        except OSError:
            pass

    def close(self):
        for timer in self.timers:
            timer.cancel()
        self.sock.close()
        self.thread.join(timeout=5)


class ConnectPhase(unittest.TestCase):
    """--timeout bounds the whole connect phase, the name lookup and every
    address tried, as nr-fetch's --connect-timeout does (curl's meaning), not
    each attempt. Names come from a local NSD zone, a mute DNS server and a
    slow one; every address listened on has a full accept queue, so SYNs go
    unanswered."""

    ZONE = """$ORIGIN ce.test.
$TTL 300
@     IN SOA ns1 hostmaster 1 7200 900 1209600 60
@     IN NS  ns1
ns1   IN A   127.0.0.1
many  IN A   127.0.0.1
many  IN A   127.0.0.2
many  IN A   127.0.0.3
many  IN A   127.0.0.4
many  IN A   127.0.0.5
"""
    MANY = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]

    @classmethod
    def setUpClass(cls):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nr-resolve"))
        from nsd_server import Nsd
        cls.nsd = Nsd({"ce.test": cls.ZONE}, nrtest.free_port("both"))

    @classmethod
    def tearDownClass(cls):
        cls.nsd.stop()

    def assert_timed_out(self, r, operation, limit, at_most):
        self.assertEqual(r.returncode, 5, r)
        self.assertEqual((r.json["error"]["code"], r.json["error"]["operation"]), ("ETIMEDOUT", operation), r)
        self.assertIn(f"within --timeout {limit} s", r.json["error"]["message"])
        self.assertIn("ETIMEDOUT", r.stderr)
        self.assertGreaterEqual(r.elapsed, float(limit))
        self.assertLess(r.elapsed, at_most, r)

    def test_one_limit_over_every_address_raced(self):
        # Attempts start every 250 ms; one --timeout of 0.65 s over them all
        # ends the race with three started. A limit per attempt would run
        # until the fifth one's ended: 4 x 0.25 + 0.65 = 1.65 s.
        port = nrtest.free_port("tcp")
        with nrtest.silent_addresses(port, self.MANY):
            r = client("--host", "many.ce.test", "--port", port, "--dns-server", self.nsd.server,
                       "--timeout", "0.65")
        self.assert_timed_out(r, "connect", "0.65", 1.3)
        self.assertIn("no connection to many.ce.test", r.json["error"]["message"])
        attempts = r.json["attempts"]
        self.assertIn(len(attempts), (2, 3, 4))  # 3 on time; never all five
        self.assertEqual([a["address"] for a in attempts], self.MANY[:len(attempts)])
        self.assertEqual({(a["result"], a["error"]["code"]) for a in attempts}, {("failed", "ETIMEDOUT")})

    def test_a_mute_dns_server_ends_at_the_limit_in_every_mode(self):
        # The resolver's own tries would take 4 s (2 x 2 s); --timeout
        # covers the lookup, in an exchange and in load mode, TCP and UDP.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as mute:
            mute.bind(("127.0.0.1", 0))
            dns = f"127.0.0.1:{mute.getsockname()[1]}"
            for mode in ([], ["--udp"], ["--connections", 2, "--duration", 1], ["--udp", "--connections", 2]):
                with self.subTest(mode=mode):
                    r = client("--host", "slow.ce.test", "--port", 9, "--dns-server", dns, "--timeout", "0.5", *mode)
                    self.assert_timed_out(r, "resolve", "0.5", 1.5)
                    self.assertIn("no address for slow.ce.test", r.json["error"]["message"])
                    self.assertEqual(r.json["host"], "slow.ce.test")

    def test_a_slow_lookup_leaves_the_connections_the_rest(self):
        # The name is known after 1 s; the address never answers a SYN. With
        # --timeout 1.2 the whole phase ends at 1.2 s, in an exchange and in
        # load mode alike (a limit on the connections alone: 2.2 s).
        port = nrtest.free_port("tcp")
        dns = SlowDns(1.0)
        try:
            with nrtest.silent_addresses(port, ["127.0.0.1"]):
                r = client("--host", "slow.ce.test", "--port", port, "--dns-server", dns.server, "--timeout", "1.2")
                self.assert_timed_out(r, "connect", "1.2", 1.9)
                self.assertEqual([a["address"] for a in r.json["attempts"]], ["127.0.0.1"])
                r = client("--host", "slow.ce.test", "--port", port, "--dns-server", dns.server, "--timeout", "1.2",
                           "--connections", 3, "--duration", 1)
                self.assertEqual(r.returncode, 5, r)
                self.assertEqual(r.json["error"]["code"], "ETIMEDOUT", r)
                self.assertEqual(r.json["connections"], 3)
                self.assertGreaterEqual(r.elapsed, 1.2)
                self.assertLess(r.elapsed, 1.9, r)
        finally:
            dns.close()


class Arguments(unittest.TestCase):
    def assert_usage(self, *args):
        r = client(*args)
        self.assertEqual(r.returncode, 2, r)
        self.assertEqual(r.json["error"]["code"], "EUSAGE", r)
        self.assertTrue(r.stderr)

    def test_bad_arguments(self):
        self.assert_usage("--size", 0)
        self.assert_usage("--size", 10, "--message", "x")
        self.assert_usage("--message", "")
        self.assert_usage("--udp", "--size", 65508)
        self.assert_usage("--proto", "udp", "--size", 65508)
        self.assert_usage("--proto", "tcp", "--udp")
        self.assert_usage("--proto", "UDP")
        self.assert_usage("--port", 70000)
        self.assert_usage("--port", 0)
        self.assert_usage("-4", "-6")
        self.assert_usage("-4", "--host", "::1")
        self.assert_usage("-6", "--host", "127.0.0.1")
        self.assert_usage("--timeout", "-1")
        self.assert_usage("--timeout", "soon")
        self.assert_usage("--count", 0)
        self.assert_usage("--connections", 0)
        self.assert_usage("--pipeline", 0)
        self.assert_usage("--connections", 2, "--duration", 0)
        for bad in ("-1", "-0", "soon", "1e7", "inf", ""):
            self.assert_usage("--warmup", bad)
        self.assertIn("--warmup must be a number of seconds from 0 to 1000000", client("--warmup", "1e7").stderr)
        self.assert_usage("--dns-server", "not-an-ip")
        self.assert_usage("--no-such-option")

    def test_help_and_version(self):
        r = subprocess.run([nrtest.tool_path(TOOL), "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0)
        for option in ("--host", "--port", "--proto", "--udp", "--size", "--count", "--timeout", "--connections", "--duration",
                       "--pipeline", "--warmup", "Examples"):
            self.assertIn(option, r.stdout)
        r = subprocess.run([nrtest.tool_path(TOOL), "--version"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^nr-echo-client \d+\.\d+\.\d+")


if __name__ == "__main__":
    nrtest.main()
