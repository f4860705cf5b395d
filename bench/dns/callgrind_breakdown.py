#!/usr/bin/env python3
"""Instructions per answer of nr-resolve's bulk mode, by part, under callgrind
(valgrind; instruction counts do not depend on how loaded the machine is),
next to the bare c-ares loop (bench/dns/ares_bulk.c) on the same names.

Starts NSD on loopback with a zone of N names, resolves them (type A, 300 in
flight) under `valgrind --tool=callgrind`, and splits the inclusive counts:
  c-ares   ares_send (ares_query before) + ares_process_fd, minus what runs
           inside it that is ours: the socket hook that decodes each answer
           (on_datagram) and the answer callback
  decode   netreactor::parse_dns_message (the walker: names, records, strings)
  JSON     resolve::append_answer_json (the answer line)
  rest     everything else: the runner, callbacks, copies and frees of the
           result, the reader thread, output, start-up
Kernel time (sendto/recvfrom) is not in these counts: see run_bench.py's CPU.

    python3 bench/dns/callgrind_breakdown.py --build build-dns [--names 20000] [--tool PATH ...]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_bench import Nsd, expected_text, names_text, nrtest, zone_text  # noqa: E402


def inclusive(path):
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path], capture_output=True,
                         text=True, check=True).stdout
    counts = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*)", line)
        if m:
            counts[m[2]] = max(counts.get(m[2], 0), int(m[1].replace(",", "")))
    return counts


def part(counts, pattern):
    return max([v for k, v in counts.items() if re.search(pattern, k)] or [0])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default="build-dns")
    p.add_argument("--names", type=int, default=20000)
    p.add_argument("--tool", action="append", help="nr-resolve binaries to profile (default: the build's)")
    args = p.parse_args()
    tools = args.tool or [os.path.join(args.build, "apps", "nr-resolve", "nr-resolve")]
    reference = os.path.join(args.build, "bench", "dns", "ares-bulk-reference")
    work = tempfile.mkdtemp(prefix="nr-dns-callgrind-")
    names = os.path.join(work, "names.txt")
    expected = os.path.join(work, "expected.txt")
    with open(names, "w") as f:
        f.write(names_text(args.names))
    with open(expected, "w") as f:
        f.write(expected_text(args.names))
    port = nrtest.free_port("both")
    n = args.names
    with Nsd({"bench.test": zone_text(n)}, port, timeout=60):
        for tool in tools:
            out = os.path.join(work, "cg.out")
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", tool, "-s",
                            f"127.0.0.1:{port}", "-f", names, "-t", "A", "-c", "300"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            c = inclusive(out)
            total = part(c, r"PROGRAM TOTALS")
            # The answer is decoded inside ares_process_fd (the socket hook,
            # on_datagram) and delivered from its callback: both are ours.
            ares = part(c, r"\?\?\?:ares_process_fd ") - part(c, r"resolver[_a-z]*\.cpp:.*on_(query_)?answer\(") \
                - part(c, r"resolver[_a-z]*\.cpp:netreactor::Resolver::Impl::on_datagram") \
                + part(c, r"\?\?\?:ares_query ") + part(c, r"\?\?\?:ares_send ")
            decode = part(c, r"parse_dns_message")
            json_line = part(c, r"append_answer_json")
            print(f"{tool}: {total / n:,.0f} instructions per answer: c-ares {ares / n:,.0f}, decode {decode / n:,.0f}, "
                  f"JSON {json_line / n:,.0f}, rest {(total - ares - decode - json_line) / n:,.0f}")
        out = os.path.join(work, "cg.ref.out")
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", reference, "127.0.0.1", str(port),
                        expected, "300"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        c = inclusive(out)
        total = part(c, r"PROGRAM TOTALS")
        callback = part(c, r"ares_bulk\.c:on_answer")
        print(f"c-ares loop: {total / n:,.0f} instructions per answer: its answer callback (ares_parse_a_reply, "
              f"address check) {callback / n:,.0f}, the rest (c-ares, poll, input) {(total - callback) / n:,.0f}")
    subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    main()
