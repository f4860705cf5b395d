#!/usr/bin/env python3
"""User-space instructions per echoed message of one echo server, counted by callgrind.

Instruction counts do not depend on how busy the machine is, so they compare servers (and
versions of one server) where CPU times on a shared machine cannot. The server runs under
callgrind twice, driven by nr-echo-client with two message counts; the difference between
the two runs, divided by the difference in messages, is the cost per message with start-up,
accepting and shutdown taken out.

    python3 bench/echo/callgrind_per_message.py --build build-bench --server nr
    python3 bench/echo/callgrind_per_message.py --build build-bench --server epoll
    python3 bench/echo/callgrind_per_message.py --server-path /work/baseline-ed7e9ac/nr-echo-server

Loopback only: run it inside `unshare -n sh -c 'ip link set lo up && exec ...'` on a shared
machine. Needs valgrind.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

SERVERS = {
    # name: (path inside the build directory, command after the path)
    "nr": ("apps/nr-echo-server/nr-echo-server", ["--host", "127.0.0.1", "--port", "{port}"]),
    "epoll": ("bench/echo/epoll-echo-server", ["{port}", "127.0.0.1"]),
    "libuv": ("bench/echo/uv-echo-server", ["{port}", "127.0.0.1"]),
    "co": ("bench/echo/co-echo-server", ["{port}"]),
}


def wait_for_port(port, proc, limit_s=30.0):
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"callgrind_per_message: the server exited early (status {proc.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit(f"callgrind_per_message: nothing listens on port {port} after {limit_s:.0f} s")


def wait_for_udp_echo(port, proc, limit_s=30.0):
    """The TCP port may listen before the UDP one is bound: wait for a UDP echo too."""
    deadline = time.monotonic() + limit_s
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                s.sendto(b"ping", ("127.0.0.1", port))
                s.recvfrom(16)
                return
            except OSError:
                time.sleep(0.2)
    proc.kill()
    sys.exit(f"callgrind_per_message: no UDP echo on port {port}")


def parse_functions(path):
    """Exclusive instruction counts per function, and the program total."""
    text = subprocess.run(["callgrind_annotate", "--threshold=100", "--inclusive=no", "--auto=no", path],
                          check=True, capture_output=True, text=True).stdout
    total = None
    functions = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?PROGRAM TOTALS", line)
        if m:
            total = int(m.group(1).replace(",", ""))
            continue
        m = re.match(r"^\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*?)(?:\s+\[([^\]]*)\])?$", line)
        if m and ":" in m.group(2):
            # "file:function [object]"; libuv without symbols shows ???:0xADDRESS
            name = m.group(2).split(":", 1)[1]
            if name.startswith("0x") and m.group(3):
                name = f"{os.path.basename(m.group(3))}+{name}"
            functions[name] = functions.get(name, 0) + int(m.group(1).replace(",", ""))
    if total is None:
        sys.exit(f"callgrind_per_message: no PROGRAM TOTALS in {path}")
    return total, functions


def run_once(server_cmd, client, port, connections, size, count, pipeline, udp, workdir, tag):
    out = os.path.join(workdir, f"callgrind.{tag}")
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + server_cmd
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc)
        if udp:
            wait_for_udp_echo(port, proc)
        result = subprocess.run([client, "--host", "127.0.0.1", "--port", str(port), "--connections",
                                 str(connections), "--size", str(size), "--count", str(count),
                                 "--pipeline", str(pipeline), "--duration", "600", "--timeout", "120"]
                                + (["--udp"] if udp else []),
                                capture_output=True, text=True, timeout=900)
        lines = [json.loads(l) for l in result.stdout.splitlines() if l.startswith("{")]
        messages = sum(l.get("messages", 0) for l in lines)
        errors = sum(l.get("errors", 0) for l in lines)
        if result.returncode != 0 or messages == 0 or errors:
            sys.exit(f"callgrind_per_message: the client failed (status {result.returncode}): "
                     f"{result.stdout[-500:]} {result.stderr[-500:]}")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return messages, parse_functions(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="meson build directory (with -Dbench=true for the C servers)")
    ap.add_argument("--server", choices=sorted(SERVERS), default="nr")
    ap.add_argument("--server-path", help="this nr-echo-server binary instead of the build's (e.g. a baseline)")
    ap.add_argument("--port", type=int, default=27002)
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--pipeline", type=int, default=1)
    ap.add_argument("--udp", action="store_true", help="UDP datagrams (--connections sockets) instead of TCP")
    ap.add_argument("--counts", type=int, nargs=2, default=[20, 120], metavar=("FEW", "MANY"),
                    help="messages per connection in the two runs")
    ap.add_argument("--top", type=int, default=15, help="functions to list")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args()

    rel, tail = SERVERS[args.server]
    path = args.server_path or os.path.join(args.build, rel)
    server_cmd = [path] + [a.format(port=args.port) for a in tail]
    client = os.path.join(args.build, "apps/nr-echo-client/nr-echo-client")
    with tempfile.TemporaryDirectory(prefix="cg-echo-") as workdir:
        few = run_once(server_cmd, client, args.port, args.connections, args.size, args.counts[0],
                       args.pipeline, args.udp, workdir, "few")
        many = run_once(server_cmd, client, args.port, args.connections, args.size, args.counts[1],
                        args.pipeline, args.udp, workdir, "many")
    messages = many[0] - few[0]
    total = (many[1][0] - few[1][0]) / messages
    per_function = {name: (count - few[1][1].get(name, 0)) / messages for name, count in many[1][1].items()}
    top = sorted(per_function.items(), key=lambda kv: -kv[1])[: args.top]
    if args.json:
        print(json.dumps({"server": path, "proto": "udp" if args.udp else "tcp",
                          "connections": args.connections, "size": args.size,
                          "pipeline": args.pipeline, "messages": messages, "instructions_per_message": total,
                          "functions": dict(top)}))
        return
    print(f"{path}: {total:.1f} instructions per message "
          f"({'UDP' if args.udp else 'TCP'}, {args.connections} connections x {args.size} B, "
          f"{args.pipeline} in flight; "
          f"{messages} messages between the two runs)")
    for name, per in top:
        print(f"{per:8.1f}  {name}")


if __name__ == "__main__":
    main()
