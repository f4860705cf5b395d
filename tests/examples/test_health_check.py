"""examples/health_check against loopback peers: one JSON line per check, the
winning address and every attempt, the error of a refused port, exit status."""
import json
import os
import socket
import subprocess
import unittest

import nrtest

EXAMPLE = os.path.join(os.environ.get("NR_BUILD_DIR", "build"), "examples", "health_check")


def run(*args):
    proc = subprocess.run([EXAMPLE, *map(str, args)], capture_output=True, text=True, timeout=20)
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


class HealthCheck(unittest.TestCase):
    def test_each_check_prints_one_line(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            port = listener.getsockname()[1]
            rc, lines, err = run("127.0.0.1", port, "--count", 3, "--interval", 0.05)
        self.assertEqual(rc, 0, err)
        self.assertEqual([l["check"] for l in lines], [1, 2, 3])
        for line in lines:
            self.assertIs(line["ok"], True)
            self.assertEqual((line["host"], line["port"], line["address"]), ("127.0.0.1", port, "127.0.0.1"))
            self.assertEqual([(a["address"], a["result"]) for a in line["attempts"]], [("127.0.0.1", "connected")])

    def test_a_name_from_the_hosts_file(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(16)
            # The DNS server given is a closed port: localhost never goes to DNS.
            rc, lines, err = run("localhost", listener.getsockname()[1], "--dns-server",
                                 f"127.0.0.1:{nrtest.free_port('udp')}")
        self.assertEqual(rc, 0, err)
        self.assertEqual(lines[0]["address"], "127.0.0.1")

    def test_a_refused_port_is_reported(self):
        rc, lines, err = run("127.0.0.1", nrtest.free_port("tcp"))
        self.assertEqual(rc, 1, err)
        self.assertIs(lines[0]["ok"], False)
        self.assertEqual(lines[0]["error"]["code"], "ECONNREFUSED")
        self.assertEqual(lines[0]["attempts"][0]["result"], "ECONNREFUSED")

    def test_the_deadline_holds_against_a_silent_address(self):
        # A listener whose accept queue is full drops SYNs: only the deadline ends the check.
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(0)
            port = listener.getsockname()[1]
            fillers = [socket.socket() for _ in range(2)]
            for f in fillers:
                f.setblocking(False)
                f.connect_ex(("127.0.0.1", port))
            try:
                rc, lines, err = run("127.0.0.1", port, "--deadline", 0.3)
            finally:
                for f in fillers:
                    f.close()
        self.assertEqual(rc, 1, err)
        line = lines[0]
        self.assertEqual(line["error"]["code"], "ETIMEDOUT")
        self.assertGreaterEqual(line["elapsed_ms"], 299)
        self.assertLess(line["elapsed_ms"], 1000)
        self.assertEqual(line["attempts"][0]["result"], "ETIMEDOUT")

    def test_bad_usage(self):
        rc, lines, err = run("127.0.0.1")
        self.assertEqual(rc, 2)
        self.assertIn("usage", err)


if __name__ == "__main__":
    nrtest.main()
