#!/usr/bin/env python3
"""SNTP client start-to-exit benchmark: nr-sntp against Python's ntplib (and
ntpsec's ntpdig when port 123 on loopback is free), one query each to a
loopback server, process start to exit, many runs, clients taking turns so
drift hits them alike. Reports median, p10 and p90 per client and the ratio
of medians to nr-sntp.

The server is nr-sntp-server on 127.0.0.1 (a free port); ntpdig cannot be
told a port, so it gets a second nr-sntp-server on 127.0.0.1:123 (needs root
or CAP_NET_BIND_SERVICE; skipped otherwise), and nr-sntp is timed against
that one too. Each run is spawned with posix_spawn and reaped with waitpid,
the same for every client; its exit status and output are checked.

Build first:  meson setup build-sntp && ninja -C build-sntp apps/nr-sntp/nr-sntp apps/nr-sntp-server/nr-sntp-server
Run:          python3 bench/sntp/run_bench.py --build build-sntp [--runs 200] [--json]
Needs:        python3-ntplib, ntpsec-ntpdig (optional)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

NTPLIB_SCRIPT = ("import ntplib, sys, time\n"
                 "r = ntplib.NTPClient().request(sys.argv[1], port=int(sys.argv[2]), version=4, timeout=2)\n"
                 "print(time.ctime(r.tx_time))\n")


class Server:
    def __init__(self, build, port):
        argv = [os.path.join(build, "apps", "nr-sntp-server", "nr-sntp-server"), "--host", "127.0.0.1",
                "--port", str(port)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"nr-sntp-server on port {port} did not start: {self.proc.stderr.read()!r}")
        self.port = json.loads(line)["port"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=5)


def run_once(argv, out_path):
    """Start-to-exit wall time (ns) of one run; output goes to out_path."""
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, fd, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
        start = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter_ns() - start
    finally:
        os.close(fd)
        os.close(devnull)
    code = os.waitstatus_to_exitcode(status)
    with open(out_path) as f:
        output = f.read()
    if code != 0 or not output.strip():
        raise RuntimeError(f"{argv} exited {code}: {output!r}")
    return elapsed


def stats(values):
    values = sorted(values)
    q = statistics.quantiles(values, n=10)
    return {"runs": len(values), "median_ms": statistics.median(values) / 1e6, "p10_ms": q[0] / 1e6,
            "p90_ms": q[-1] / 1e6, "min_ms": values[0] / 1e6}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build-sntp")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="print the results as one JSON object")
    args = parser.parse_args()

    nr = os.path.join(args.build, "apps", "nr-sntp", "nr-sntp")
    python = "/usr/bin/python3"
    have_ntplib = subprocess.run([python, "-c", "import ntplib"], capture_output=True).returncode == 0
    ntpdig = shutil.which("ntpdig")

    servers = [Server(args.build, 0)]
    port = servers[0].port
    clients = {"nr-sntp": [nr, f"127.0.0.1:{port}"]}
    if have_ntplib:
        clients["ntplib (python3)"] = [python, "-c", NTPLIB_SCRIPT, "127.0.0.1", str(port)]
    if ntpdig:
        try:
            servers.append(Server(args.build, 123))
            clients["nr-sntp (port 123)"] = [nr, "127.0.0.1:123"]
            clients["ntpdig"] = [ntpdig, "-t", "2", "127.0.0.1"]
        except (RuntimeError, ValueError):
            print("port 123 not available: ntpdig skipped", file=sys.stderr)

    times = {name: [] for name in clients}
    with tempfile.TemporaryDirectory() as tmp:
        out_path = os.path.join(tmp, "out")
        for argv in clients.values():  # warm the page cache once
            run_once(argv, out_path)
        for _ in range(args.runs):
            for name, argv in clients.items():
                times[name].append(run_once(argv, out_path))
    for server in servers:
        server.stop()

    results = {name: stats(values) for name, values in times.items()}
    base = results["nr-sntp"]["median_ms"]
    for name, r in results.items():
        reference = results["nr-sntp (port 123)"]["median_ms"] if name == "ntpdig" else base
        r["ratio_to_nr_sntp"] = r["median_ms"] / reference
    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=2))
        return
    print(f"{'client':22} {'runs':>5} {'median ms':>10} {'p10 ms':>8} {'p90 ms':>8} {'x nr-sntp':>10}")
    for name, r in results.items():
        print(f"{name:22} {r['runs']:5d} {r['median_ms']:10.3f} {r['p10_ms']:8.3f} {r['p90_ms']:8.3f} "
              f"{r['ratio_to_nr_sntp']:10.1f}")


if __name__ == "__main__":
    main()
