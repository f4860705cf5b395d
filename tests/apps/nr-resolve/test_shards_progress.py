"""nr-resolve past one machine and on a terminal.

Shards: 100,000 names resolved once by one nr-resolve and once as 4 shards
under GNU parallel (Debian `parallel`, `--pipe` over local job slots, each
shard numbering its names with --id-offset): the merged output must equal the
single run's, answer by answer (rtt apart), against NSD on loopback.

Progress: with stderr on a pseudo-terminal a bulk run shows names done, the
share read, the rate and the time left; with stderr on a pipe, nothing.
"""
import json
import os
import pty
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import nrtest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nsd_server import Nsd  # noqa: E402

TOOL = nrtest.tool_path("nr-resolve")
NAMES = 100000
SHARDS = 4


def address(i):
    return f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}"


def zone(n):
    head = "$ORIGIN shard.test.\n$TTL 60\n@ IN SOA ns hostmaster 1 7200 900 1209600 60\n@ IN NS ns\nns IN A 127.0.0.1\n"
    # Every tenth name has no A record (NODATA), so statuses vary too.
    return head + "".join(f"h{i} IN A {address(i)}\n" if i % 10 else f"h{i} IN TXT \"t{i}\"\n" for i in range(n))


def answers(text):
    """Answer lines without rtt_ms, in output order; summaries apart."""
    out, summaries = [], []
    for line in text.splitlines():
        value = json.loads(line)
        if value.get("event") == "summary":
            summaries.append(value)
            continue
        del value["rtt_ms"]
        out.append(value)
    return out, summaries


class Shards(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.parallel = shutil.which("parallel")
        if cls.parallel is None:
            raise AssertionError("GNU parallel is missing: scripts/deps.sh installs it (Debian package parallel)")
        cls.dir = tempfile.mkdtemp(prefix="nr-shards-")
        cls.names = os.path.join(cls.dir, "names.txt")
        with open(cls.names, "w") as f:
            f.write("".join(f"h{i}.shard.test\n" for i in range(NAMES)))
        cls.nsd = Nsd({"shard.test": zone(NAMES)}, nrtest.free_port("both"), timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.nsd.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_four_shards_under_gnu_parallel_equal_one_run(self):
        common = ["-s", self.nsd.server, "-t", "A", "--ordered", "--timeout", "5"]
        with open(self.names) as f:
            single = subprocess.run([TOOL, "-f", "-", *common], stdin=f, capture_output=True, timeout=120)
        self.assertEqual(single.returncode, 3, single.stderr)  # NODATA for every tenth name
        per_shard = NAMES // SHARDS
        # As docs/tools/nr-resolve.md shows it: shard {#} gets lines (#-1)*N+1.. and numbers them so.
        command = (f"{TOOL} -f - {' '.join(common)} --id-offset $(( ({{#}} - 1) * {per_shard} ))")
        with open(self.names) as f:
            sharded = subprocess.run([self.parallel, "--will-cite", "--pipe", "--keep-order", "-N", str(per_shard),
                                      "-j", str(SHARDS), command], stdin=f, capture_output=True, timeout=120)
        # parallel exits with the number of jobs that failed: each shard has NODATA answers (status 3).
        self.assertEqual(sharded.returncode, SHARDS, sharded.stderr)

        one, one_summary = answers(single.stdout.decode())
        merged, summaries = answers(sharded.stdout.decode())
        self.assertEqual(len(one), NAMES)
        self.assertEqual([a["id"] for a in one], list(range(1, NAMES + 1)))
        self.assertEqual(len(merged), NAMES)
        mismatched = [i for i in range(NAMES) if merged[i] != one[i]]
        self.assertEqual(mismatched, [], f"{len(mismatched)} answers differ, first: {merged[mismatched[0]] if mismatched else ''}")
        # Real answers, not just equal ones.
        self.assertEqual(one[12345]["addresses" if "addresses" in one[12345] else "answers"][0]["address"], address(12345))
        self.assertEqual(one[20000]["status"], "NODATA")
        self.assertEqual([s["names"] for s in summaries], [per_shard] * SHARDS)
        self.assertEqual(sum(s["statuses"]["NOERROR"] for s in summaries), one_summary[0]["statuses"]["NOERROR"])


class SlowServer:
    """A UDP DNS server on loopback answering REFUSED to each query after `delay` seconds."""

    def __init__(self, delay):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.server = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.delay, self.stopping = delay, False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping:
            try:
                data, peer = self.sock.recvfrom(512)
            except OSError:
                continue
            time.sleep(self.delay)
            # Header: same id, QR set, RD copied, rcode 5 (REFUSED); the question echoed.
            reply = data[:2] + bytes([0x80 | (data[2] & 0x01), 0x05]) + data[4:6] + b"\0\0\0\0\0\0" + data[12:]
            self.sock.sendto(reply, peer)

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=5)
        self.sock.close()


class ProgressOnATerminal(unittest.TestCase):
    COUNT = 30  # at 50 ms each, one in flight: about 1.5 s, so three refreshes

    def setUp(self):
        self.server = SlowServer(0.05)
        self.dir = tempfile.mkdtemp(prefix="nr-progress-")
        self.names = os.path.join(self.dir, "names.txt")
        with open(self.names, "w") as f:
            f.write("".join(f"n{i}.slow.test\n" for i in range(self.COUNT)))
        self.argv = [TOOL, "-s", self.server.server, "-f", self.names, "-t", "A", "-c", "1", "--timeout", "5"]

    def tearDown(self):
        self.server.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_progress_on_a_terminal(self):
        primary, secondary = pty.openpty()
        try:
            r = subprocess.run(self.argv, stdout=subprocess.PIPE, stderr=secondary, timeout=30)
        finally:
            os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the terminal's other side is closed and drained
                break
            if not chunk:
                break
            shown += chunk
        os.close(primary)
        self.assertEqual(r.returncode, 3)  # every answer REFUSED
        self.assertEqual(len(r.stdout.splitlines()), self.COUNT + 1)  # stdout unchanged: answers and the summary
        updates = [u.strip() for u in shown.decode().replace("\r\n", "\n").split("\r") if u.strip()]
        midway = [u for u in updates if "ETA" in u]
        self.assertTrue(midway, shown)
        m = re.match(r"nr-resolve: (\d+) answers \((\d+)% of the input read\), 1 in flight, (\d+)/s, ETA (\d+):(\d\d)$", midway[0])
        self.assertIsNotNone(m, midway[0])
        done, share, rate = int(m[1]), int(m[2]), int(m[3])
        self.assertTrue(0 < done < self.COUNT and 0 < share < 100 and 5 <= rate <= 25, midway[0])
        self.assertRegex(updates[-1], rf"nr-resolve: {self.COUNT} answers \(100% of the input read\), 0 in flight, \d+/s, done in 0:0[1-9]$")
        self.assertTrue(shown.endswith(b"\n"))

    def test_nothing_when_stderr_is_not_a_terminal(self):
        r = subprocess.run(self.argv, capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(len(r.stdout.splitlines()), self.COUNT + 1)
        self.assertEqual(r.stderr, b"")


if __name__ == "__main__":
    nrtest.main()
