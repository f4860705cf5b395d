#!/usr/bin/env python3
"""Runs a shell command beside the DNS benchmark's NSD, for profiling.

Starts NSD on loopback with run_bench.py's zone of N names, writes the same
input files, runs COMMAND with sh -c and these in its environment, and stops
NSD when the command ends:

  NR_DNS_SERVER    127.0.0.1:PORT (nr-resolve's -s)
  NR_DNS_PORT      PORT
  NR_DNS_NAMES     N names, one per line (nr-resolve's -f)
  NR_DNS_EXPECTED  the same with each name's address (ares-bulk-reference's file)
  NR_DNS_OUT       a scratch file for the clients' output

Example: system calls of both bulk clients, same server, same names:
  python3 bench/dns/with_nsd.py -- 'strace -c -f -o /tmp/nr.strace \\
      build-dns/apps/nr-resolve/nr-resolve -s $NR_DNS_SERVER -f $NR_DNS_NAMES -t A -c 300 >$NR_DNS_OUT;
    strace -c -f -o /tmp/loop.strace \\
      build-dns/bench/dns/ares-bulk-reference 127.0.0.1 $NR_DNS_PORT $NR_DNS_EXPECTED 300'
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_bench import Nsd, expected_text, names_text, nrtest, zone_text  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--names", type=int, default=100000)
    p.add_argument("command", nargs="+", help="shell command (after --)")
    args = p.parse_args()

    work = tempfile.mkdtemp(prefix="nr-dns-nsd-")
    env = dict(os.environ)
    env["NR_DNS_NAMES"] = os.path.join(work, "names.txt")
    env["NR_DNS_EXPECTED"] = os.path.join(work, "names-expected.txt")
    env["NR_DNS_OUT"] = os.path.join(work, "out.txt")
    with open(env["NR_DNS_NAMES"], "w") as f:
        f.write(names_text(args.names))
    with open(env["NR_DNS_EXPECTED"], "w") as f:
        f.write(expected_text(args.names))
    port = nrtest.free_port("both")
    try:
        with Nsd({"bench.test": zone_text(args.names)}, port, timeout=60) as nsd:
            env["NR_DNS_SERVER"] = nsd.server
            env["NR_DNS_PORT"] = str(port)
            status = subprocess.run(["sh", "-c", " ".join(args.command)], env=env).returncode
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
