#!/usr/bin/env python3
"""Checks that two nr-resolve binaries print the same answers, line by line
apart from rtt_ms, and the same summary apart from its timings: the check
behind "output unchanged" in docs/benchmarks.md.

Starts NSD on loopback with the benchmark's zone of N names and resolves the
same input with both binaries in three modes: -t A; several types with
--ordered; the default address lookup. The input adds a name that does not
exist, one without A records, the zone's apex and an invalid name. Answers are
compared sorted by id (by input order with --ordered). Exit status 0 when all
are identical.

    python3 bench/dns/compare_output.py BEFORE AFTER [--names 100000]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_bench import Nsd, names_text, nrtest, zone_text  # noqa: E402

MODES = (["-t", "A"], ["-t", "A,AAAA,SOA,NS,ANY", "--ordered"], [])
RTT = re.compile(rb'"rtt_ms":[0-9.e+-]+')


def run(tool, port, names, mode):
    r = subprocess.run([tool, "-s", f"127.0.0.1:{port}", "-f", names, "-c", "300", "--hosts-file", "off"] + mode,
                       capture_output=True, timeout=900)
    answers, summary = [], None
    for line in r.stdout.splitlines():
        if b'"event":"summary"' in line:
            summary = json.loads(line)
            summary.pop("elapsed_s", None)
            summary.pop("queries_per_s", None)
        else:
            answers.append(RTT.sub(b'"rtt_ms":0', line))
    if "--ordered" not in mode:
        answers.sort(key=lambda line: (json.loads(line)["id"], line))
    return r.returncode, summary, answers


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("--names", type=int, default=100000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="nr-dns-compare-") as work:
        names = os.path.join(work, "names.txt")
        with open(names, "w") as f:
            f.write(names_text(args.names))
            f.write("nx.bench.test\nbench.test\nns.bench.test\nbad..name\n")
        port = nrtest.free_port("both")
        same = True
        with Nsd({"bench.test": zone_text(args.names)}, port, timeout=60):
            for mode in MODES:
                before = run(args.before, port, names, mode)
                after = run(args.after, port, names, mode)
                identical = before == after
                same = same and identical
                print(f"{' '.join(mode) or '(address lookup)'}: {len(before[2])} and {len(after[2])} answers, "
                      f"exit {before[0]} and {after[0]}: {'identical' if identical else 'DIFFERENT'}")
                if not identical:
                    print("  summaries:", before[1], after[1])
                    for a, b in zip(before[2], after[2]):
                        if a != b:
                            print("  before:", a[:300].decode(errors="replace"))
                            print("  after: ", b[:300].decode(errors="replace"))
                            break
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
