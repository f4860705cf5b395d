#!/usr/bin/env python3
"""Allocations per answer of nr-resolve's bulk mode, by glibc chunk size, and
how many of them glibc's per-thread cache (tcache) could not serve.

Starts NSD on loopback with a zone of N names and resolves them (type A, 300
in flight) with each tool, at full speed, with bench/dns/malloc_log.c
preloaded: it records the chunk size of every malloc and free in order. The
log is then replayed against a model of the tcache (7 blocks per size, sizes
up to 1,040 bytes): an allocation it cannot serve, or a free it cannot keep,
goes through malloc's bins (fast bins up to 128 bytes, the unsorted and small
bins above: the slow path). A model, not glibc itself: glibc refills the
tcache from a bin on such an allocation, so "misses" counts the blocks that
went through the bins, not the calls into them.

    python3 bench/dns/malloc_profile.py --build build-bench [--names 20000] [--tool PATH ...] [--type A|address]
"""
import argparse
import collections
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_bench import Nsd, names_text, nrtest, zone_text  # noqa: E402

TCACHE_COUNT = 7
TCACHE_MAX_CHUNK = 1040
ALLOCATE, FREE = 1, 2


def replay(path):
    """Per chunk size: allocations, frees, and those the tcache model could not serve or keep."""
    with open(path, "rb") as f:
        data = f.read()
    events = struct.unpack(f"{len(data) // 4}I", data)
    cached = collections.Counter()
    calls = collections.Counter()
    missed = collections.Counter()
    for event in events:
        op, size = event >> 28, event & 0x0FFFFFFF
        calls[op, size] += 1
        if size > TCACHE_MAX_CHUNK:
            missed[op, size] += 1
        elif op == ALLOCATE:
            if cached[size] > 0:
                cached[size] -= 1
            else:
                missed[op, size] += 1
        elif cached[size] < TCACHE_COUNT:
            cached[size] += 1
        else:
            missed[op, size] += 1
    return calls, missed


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build-bench", help="a build with -Dbench=true (for the shim)")
    p.add_argument("--names", type=int, default=20000)
    p.add_argument("--tool", action="append", help="nr-resolve binaries (default: the build's)")
    p.add_argument("--type", default="A", help="nr-resolve's -t; 'address' for its default address lookup (A and AAAA)")
    args = p.parse_args()
    shim = os.path.abspath(os.path.join(args.build, "bench", "dns", "libmalloc-log.so"))
    tools = args.tool or [os.path.join(args.build, "apps", "nr-resolve", "nr-resolve")]
    work = tempfile.mkdtemp(prefix="nr-dns-malloc-")
    names = os.path.join(work, "names.txt")
    with open(names, "w") as f:
        f.write(names_text(args.names))
    n = args.names
    port = nrtest.free_port("both")
    with Nsd({"bench.test": zone_text(n)}, port, timeout=60):
        for tool in tools:
            log = os.path.join(work, "malloc.log")
            env = dict(os.environ, LD_PRELOAD=shim, MALLOC_LOG_OUT=log)
            asked = [] if args.type == "address" else ["-t", args.type]
            subprocess.run([tool, "-s", f"127.0.0.1:{port}", "-f", names, *asked, "-c", "300"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            calls, missed = replay(log)
            allocations = sum(c for (op, _), c in calls.items() if op == ALLOCATE)
            misses = sum(c for (op, _), c in missed.items() if op == ALLOCATE)
            print(f"{tool}: {allocations / n:.1f} allocations per answer, {misses / n:.2f} not served by the tcache")
            sizes = sorted({size for (op, size) in calls if op == ALLOCATE}, key=lambda s: -calls[ALLOCATE, s])
            for size in sizes:
                if calls[ALLOCATE, size] / n < 0.05:
                    continue
                print(f"  chunk {size:5d} B: {calls[ALLOCATE, size] / n:5.2f} allocations, {calls[FREE, size] / n:5.2f} frees "
                      f"per answer; through the bins: {missed[ALLOCATE, size] / n:4.2f} and {missed[FREE, size] / n:4.2f}")
    subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    main()
