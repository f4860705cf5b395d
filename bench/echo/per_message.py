#!/usr/bin/env python3
"""The work each echo server does per message in one bench/echo cell, servers taking turns.

Where run_bench.py says how fast and how costly, this says why: per message, the server's user
and system CPU, its read and write system calls (TCP; /proc/PID/io counts read/write on sockets,
not recvmmsg/sendmsg) and how often it went to sleep in epoll_wait (voluntary context switches).
Two servers doing the same work show the same counts whatever the machine's load; a difference in
CPU with equal counts is batching or noise, not code. Each run starts a fresh server pinned to
core 0 and drives it with nr-echo-client on core 1.

    python3 bench/echo/per_message.py --build build-bench --conns 1 --size 65536 --pipeline 16
    python3 bench/echo/per_message.py --servers nr,co,co=/work/baseline-ed7e9ac/co-echo-server ...

A server is nr, co, epoll or NAME=PATH (an nr-echo-server or co-echo-server binary elsewhere,
told apart by its file name).
"""
import argparse
import json
import os
import statistics
import subprocess


def server_argv(build, spec):
    name, _, path = spec.partition("=")
    if not path:
        path = {"nr": os.path.join(build, "apps", "nr-echo-server", "nr-echo-server"),
                "co": os.path.join(build, "bench", "echo", "co-echo-server"),
                "epoll": os.path.join(build, "bench", "echo", "epoll-echo-server")}[name]
    return [path, "--port", "0"] if os.path.basename(path) == "nr-echo-server" else [path, "0"]


def snapshot(pid):
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read().rsplit(")", 1)[1].split()
    with open(f"/proc/{pid}/io") as f:
        io = dict(line.split(": ") for line in f.read().splitlines() if line)
    with open(f"/proc/{pid}/status") as f:
        status = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
    tick = os.sysconf("SC_CLK_TCK")
    return {"user_s": int(stat[11]) / tick, "sys_s": int(stat[12]) / tick,
            "reads": int(io["syscr"]), "writes": int(io["syscw"]),
            "sleeps": int(status["voluntary_ctxt_switches"])}


def run(args, spec):
    server = subprocess.Popen(["taskset", "-c", "0"] + server_argv(args.build, spec), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
    try:
        port = json.loads(server.stdout.readline())["port"]
        server.stdout.readline()  # the second "listening" line
        before = snapshot(server.pid)
        client = ["taskset", "-c", "1", os.path.join(args.build, "apps", "nr-echo-client", "nr-echo-client"),
                  "--port", str(port), "--connections", str(args.conns), "--size", str(args.size),
                  "--pipeline", str(args.pipeline), "--duration", str(args.duration),
                  "--timeout", "1" if args.udp else "10", "--seed", "1"] + (["--udp"] if args.udp else [])
        result = json.loads(subprocess.run(client, capture_output=True, timeout=args.duration + 60, check=True).stdout)
        after = snapshot(server.pid)
    finally:
        server.terminate()
        server.wait()
    messages = result["messages"] + result["drained"]  # the server's counters also cover the drain after the window
    per = {key: (after[key] - before[key]) / messages for key in before}
    return {"msg_s": result["messages_per_s"], "lost": result.get("lost", 0), "us": (per["user_s"] + per["sys_s"]) * 1e6,
            "user_us": per["user_s"] * 1e6, "sys_us": per["sys_s"] * 1e6,
            "reads": per["reads"], "writes": per["writes"], "sleeps": per["sleeps"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build-bench")
    parser.add_argument("--servers", default="nr,co")
    parser.add_argument("--conns", type=int, default=1)
    parser.add_argument("--size", type=int, default=65536)
    parser.add_argument("--pipeline", type=int, default=16)
    parser.add_argument("--udp", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--duration", type=float, default=1.0)
    args = parser.parse_args()
    specs = args.servers.split(",")
    runs = {spec: [] for spec in specs}
    for i in range(args.runs):
        for spec in specs[i % len(specs):] + specs[:i % len(specs)]:  # take turns going first
            runs[spec].append(run(args, spec))
    print(f"{'udp' if args.udp else 'tcp'} {args.conns} x {args.size} B, {args.pipeline} in flight: "
          f"{args.runs} runs of {args.duration} s, medians; load average {os.getloadavg()[0]:.2f}")
    print("| server | msg/s | us/msg (user + sys) | reads/msg | writes/msg | sleeps/msg | lost |")
    print("|---|---|---|---|---|---|---|")
    for spec in specs:
        med = {key: statistics.median(r[key] for r in runs[spec]) for key in runs[spec][0]}
        print(f"| {spec.partition('=')[0]} | {med['msg_s']:,.0f} | {med['us']:.2f} ({med['user_us']:.2f} + "
              f"{med['sys_us']:.2f}) | {med['reads']:.3f} | {med['writes']:.3f} | {med['sleeps']:.3f} "
              f"| {med['lost']:,.0f} |")


if __name__ == "__main__":
    main()
