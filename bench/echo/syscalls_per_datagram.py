#!/usr/bin/env python3
"""System calls per message of co-echo-server binaries on the UDP (or, --tcp, TCP) echo path, counted by strace.

Each run starts a server under `strace -c -f`, drives it with nr-echo-client --udp in load mode for
--duration seconds, stops it, and divides each system call's count by the messages echoed. The
counts do not depend on the machine's load (strace slows the server, not what it calls per
datagram), so two builds of the server compare directly: the same library change must not add an
epoll_ctl (or anything else) per datagram. Runs alternate between the servers.

    python3 bench/echo/syscalls_per_datagram.py --client build-bench/apps/nr-echo-client/nr-echo-client \\
        /tmp/co-echo-server.before /tmp/co-echo-server.after

Run it in a loopback-only namespace: unshare -n sh -c 'ip link set lo up && exec python3 ...'.
"""
import argparse
import json
import os
import signal
import subprocess

SHOWN = ("recvmmsg", "recvmsg", "recvfrom", "sendmsg", "sendmmsg", "sendto", "read", "write", "writev",
         "epoll_wait", "epoll_pwait", "epoll_ctl")


def one_run(server, client, duration, out, proto):
    st = subprocess.Popen(["strace", "-c", "-f", "-o", out, server, "0"], stdout=subprocess.PIPE, text=True)
    try:
        port = json.loads(st.stdout.readline())["port"]
        r = subprocess.run([client, "--proto", proto, "--host", "127.0.0.1", "--port", str(port), "--connections", "4",
                            "--pipeline", "4", "--size", "64", "--duration", str(duration)],
                           capture_output=True, text=True, timeout=duration + 30)
        summary = json.loads(r.stdout.splitlines()[-1])
        messages = summary["messages"] + summary["drained"]  # strace counts the drain after the window too
    finally:
        for pid in subprocess.run(["pgrep", "-P", str(st.pid)], capture_output=True, text=True).stdout.split():
            os.kill(int(pid), signal.SIGTERM)
        st.wait(timeout=10)
    calls = {}
    with open(out) as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 5 and fields[0][0].isdigit() and fields[-1] != "total":
                calls[fields[-1]] = int(fields[3])
    return messages, calls


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--client", required=True, help="an nr-echo-client binary")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--tcp", action="store_true", help="the TCP echo path instead (4 connections)")
    parser.add_argument("servers", nargs="+", help="co-echo-server binaries to compare")
    args = parser.parse_args()
    for run in range(args.runs):
        for i, server in enumerate(args.servers):
            messages, calls = one_run(server, args.client, args.duration, f"/tmp/syscalls-per-datagram.{os.getpid()}.{i}",
                                      "tcp" if args.tcp else "udp")
            per = {name: round(calls[name] / messages, 4) for name in SHOWN if name in calls}
            print(json.dumps({"server": server, "run": run, "messages": messages, "per_message": per,
                              "epoll_ctl_total": calls.get("epoll_ctl", 0)}), flush=True)


if __name__ == "__main__":
    main()
