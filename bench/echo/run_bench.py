#!/usr/bin/env python3
"""Echo benchmark: nr-echo-server against two reference servers, in one run.

The servers (raw epoll in C, canonical libuv in C, nr-echo-server, and
co-echo-server: the same echo written with netreactor's coroutines) run side by
side, each pinned to core 0; nr-echo-client's load mode, pinned to core 1,
drives one at a time, cell after cell, the servers taking turns within each
cell so drift hits them alike. For every cell it reports messages per second,
the server's CPU time per message (from /proc/PID/stat before and after, or with
--task-clock from perf's task-clock: see TaskClock), and
the ratios to raw epoll; then the server memory per idle connection with
10,000 connections open. Each cell is run --repeat times per server, the
servers taking turns; messages/s is the median run, CPU per message the total
CPU over the total messages the server echoed while measured: the client's
window's and those it drained after it (the echoes still in flight when the
window closed: the server's CPU covers them too).

Warm-up: before a cell's measured rounds, every server runs the cell once,
unmeasured (a --warmup seconds window, then the drain), in the first round's
order. The first run of a cell that needs more kernel memory than the runs
before it (socket buffers: 16,000 datagrams of 64 KiB in flight are ~1 GB at
the server and ~1 GB at the client) pays for bringing that memory in: on the
2-vCPU VM of docs/benchmarks.md (whose balloon device reports free guest
pages to the host) ~1 s more CPU for the server and again for the client,
8x a normal run's CPU per message in udp:1000x65507:p16, an empty window.
Without the warm-up that cost fell on one server in every run of the grid,
the one whose turn came first in the cell's first round. The warm-up takes
it for every server alike; --json records it (`warmup` beside `runs`).
nr-echo-client's own --warmup cannot stand in for it: the server's CPU is read
before and after the whole client run, so a warm-up inside a measured run puts
its CPU, cold cost included, in the figure (dividing by warmup_messages too
would dilute that cost, not remove it); and it would run once per round, not
once per cell. Only the client's window (messages/s) would leave it out.

UDP cells: a datagram that finds its receiving socket's buffer full is dropped,
and a flow whose datagram is lost waits the loss timeout before sending again,
so a cell whose datagrams in flight do not fit in the server's buffer measures
fewer flows than its name says. None of the four servers sets SO_RCVBUF, so
their sockets take net.core.rmem_default (~208 KiB: three 64 KiB datagrams).
With UDP cells to run and as root, the script raises net.core.rmem_default
before starting the servers to what the largest chosen cell needs (connections
x in flight x the buffer space one datagram takes, measured at start, plus
half), the same for every server and for the client's sockets, and restores
it at the end, also on an error, Ctrl-C or SIGTERM. TCP sockets take theirs
from net.ipv4.tcp_rmem: the TCP cells are unchanged. Not root: a warning, the
default kept, and the loss shows in the UDP lost column. The client's UDP loss
timeout is 10 s (as TCP's) when the buffers hold every datagram in flight, 1 s
otherwise (see udp_loss_timeout). docs/benchmarks.md explains the choice.

Build first:  meson setup build-bench -Dbench=true && ninja -C build-bench
Run:          python3 bench/echo/run_bench.py --build build-bench [--quick]
Rerun a few:  python3 bench/echo/run_bench.py --build build-bench --servers nr,co
                  --cells tcp:100x65536:p1,udp:100x65507:p1 --repeat 15 --idle-connections 0
A/A control:  --servers nr,nr2,co runs a second nr-echo-server beside the two: nr2/nr
              is how far noise alone moves a cell's ratio in that run (a pooled table
              after the per-cell ones gives each pair's geometric means and its cells
              within the bars).

A cell is named PROTO:CONNSxSIZE:pIN_FLIGHT, as the tables' first four columns
read: tcp:100x65536:p1 is TCP, 100 connections, 64 KiB messages, one in flight
per connection (a UDP size above 65507 means 65507, the largest datagram).
"""
import argparse
import contextlib
import json
import math
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# In the order turns rotate. "nr2" is a second nr-echo-server (the A/A
# control, not run by default): two identical servers measured alike, whose
# ratios show how far run-to-run noise alone moves a cell's ratio.
# "nrb" is nr-echo-server from a second build (--nrb-build): an A/B of two
# builds of the library in one run, against the same reference servers.
SERVERS = ["epoll", "uv", "nr", "nr2", "nrb", "co"]
DEFAULT_SERVERS = ["epoll", "uv", "nr", "co"]
LABELS = {"epoll": "raw epoll (C)", "uv": "libuv canonical (C)", "nr": "nr-echo-server",
          "nr2": "nr-echo-server, second instance (A/A control)",
          "nrb": "nr-echo-server of --nrb-build", "co": "co-echo-server (coroutines)"}
SHORT = {"epoll": "e", "uv": "u", "nr": "n", "nr2": "n2", "nrb": "nb", "co": "co"}  # in the UDP lost column
# The pairs the summary compares (numerator, denominator), when both ran: the
# issues' bars are <= 1.05x CPU per message and >= 0.95x messages/s.
PAIRS = [("nr", "epoll"), ("co", "nr"), ("nr2", "nr"), ("nrb", "epoll"), ("nrb", "nr")]
CPU_BAR, RATE_BAR = 1.05, 0.95
# The largest UDP datagram over IPv4: UDP's "64 KiB" cells use it.
MAX_DATAGRAM = 65507
# Every UDP socket's receive buffer limit at creation (the servers set none of their own).
RMEM_DEFAULT = "/proc/sys/net/core/rmem_default"
# The largest value the sysctl (an int) takes.
RMEM_CEILING = 2**31 - 1


def server_argv(build, name):
    if name == "epoll":
        return [os.path.join(build, "bench", "echo", "epoll-echo-server"), "0"]
    if name == "uv":
        return [os.path.join(build, "bench", "echo", "uv-echo-server"), "0"]
    if name == "co":
        return [os.path.join(build, "bench", "echo", "co-echo-server"), "0"]
    return [os.path.join(build, "apps", "nr-echo-server", "nr-echo-server"), "--port", "0"]


def build_of(args, name):
    """The build directory a server runs from: --nrb-build for nrb, --build for the others."""
    return args.nrb_build if name == "nrb" else args.build


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Server:
    """One reference or nr server, pinned to core 0, port read from its output. With task_clock, its CPU
    time per run is perf's task-clock instead of /proc/PID/stat's ticks (TaskClock)."""

    def __init__(self, build, name, core, task_clock=False):
        self.name = name
        self.task_clock = task_clock
        argv = ["taskset", "-c", str(core)] + server_argv(build, name)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=raise_nofile)
        self.port = None
        for _ in range(2):  # the tcp and udp "listening" lines
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{name} did not start")
            self.port = json.loads(line)["port"]

    def cpu_seconds(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_bytes(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def syscalls(self):
        """Read-type and write-type system calls so far (/proc/PID/io: read/write on sockets count,
        recvmmsg/sendmsg do not, so only the TCP cells have them)."""
        with open(f"/proc/{self.proc.pid}/io") as f:
            fields = dict(line.split(": ") for line in f.read().splitlines() if line)
        return int(fields["syscr"]) + int(fields["syscw"])

    def fd_count(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class TaskClock:
    """A server's time on a CPU over one run, from perf's task-clock: nanoseconds the scheduler ran it
    (interrupts and softirqs taken meanwhile included), where /proc/PID/stat charges a whole tick (4 ms at
    HZ=250) to whichever task a tick lands on. Ticks sample, with a bias that depends on how the task
    sleeps: measured here (2026-12-01, docs/benchmarks.md), the raw epoll server was charged 1.5x its
    task-clock with one 64 KiB UDP datagram in flight, 1.07x at TCP 1 x 64 KiB p16, so a ratio of two
    servers' ticks is not the ratio of their CPU time. Needs perf and permission to attach to the server."""

    def __init__(self, pid):
        self.proc = subprocess.Popen(["perf", "stat", "-x", ",", "-e", "task-clock", "-p", str(pid)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(0.2)  # attached before the load starts (the server is idle meanwhile)

    def stop(self):
        """The task-clock so far, in seconds."""
        self.proc.send_signal(signal.SIGINT)
        _, err = self.proc.communicate(timeout=10)
        for line in err.splitlines():
            fields = line.split(",")
            if len(fields) > 2 and fields[2].startswith("task-clock") and fields[0].replace(".", "", 1).isdigit():
                return float(fields[0]) / 1e3  # milliseconds
        raise RuntimeError(f"perf stat gave no task-clock: {err.strip()}")


def datagram_truesize(size):
    """Bytes one datagram of `size` charges to a receive buffer on loopback: the whole buffer it
    arrived in, skb included (here ~830 for 64 B, ~8,450 for 4 KiB, ~67,600 for 65,507 B).
    Measured by sending more than fit to a socket nobody reads: with a buffer of B bytes the kernel
    keeps a datagram while the queue holds at most B, so n kept means n - 1 datagrams fit in B."""
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        receiver.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)  # Linux doubles it, up to rmem_max
        buffer = receiver.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        receiver.bind(("127.0.0.1", 0))
        receiver.setblocking(False)
        sender.connect(receiver.getsockname())
        sender.setblocking(False)
        payload = b"x" * size
        for _ in range(2 * buffer // max(size, 512) + 8):  # at least twice what fits
            try:
                sender.send(payload)
            except BlockingIOError:
                pass
        kept = 0
        try:
            while receiver.recv(MAX_DATAGRAM + 1):
                kept += 1
        except BlockingIOError:
            pass
        if kept < 2:
            raise RuntimeError(f"could not measure the buffer space of a {size} B datagram ({kept} kept)")
        return -(-buffer // (kept - 1))
    finally:
        receiver.close()
        sender.close()


def udp_receive_buffer(chosen):
    """The receive buffer every UDP cell in `chosen` needs so that no datagram is dropped for lack of
    room: all of a cell's datagrams in flight (connections x in flight) may wait at once in the
    server's one socket, when the client sends faster than the server echoes. Plus half: Linux gives
    the space of datagrams read back to the socket in batches of a quarter of its buffer (udp_rmem_release's
    forward_deficit), so up to a quarter may count as taken while it is free (with a quarter to spare,
    udp:100x65507:p1 still lost one datagram in a run).
    Returns (bytes, the cell that needs them, the bytes per datagram), or None without UDP cells."""
    udp = [cell for cell in chosen if cell[0] == "udp"]
    if not udp:
        return None
    truesize = {size: datagram_truesize(size) for size in {cell[2] for cell in udp}}
    cell = max(udp, key=lambda c: c[1] * c[3] * truesize[c[2]])
    need = cell[1] * cell[3] * truesize[cell[2]]
    return min(need + need // 2, RMEM_CEILING), cell, truesize[cell[2]]


class RaisedReceiveBuffer:
    """net.core.rmem_default raised to `wanted` bytes while in the block, then restored, also on an
    error, Ctrl-C or SIGTERM. Root only: otherwise it changes nothing and says so. The sysctl is the
    machine's (not a network namespace's): UDP sockets other programs create meanwhile get the larger
    limit too; it is a limit, not memory taken. TCP sockets take theirs from net.ipv4.tcp_rmem."""

    def __init__(self, wanted):
        self.wanted = wanted
        self.original = None
        self.applied = None  # the value in force for the run
        self.note = ""

    def __enter__(self):
        with open(RMEM_DEFAULT) as f:
            self.original = int(f.read())
        self.applied = self.original
        if self.wanted <= self.original:
            self.note = f"net.core.rmem_default {self.original:,} (enough; not changed)"
            return self
        if os.geteuid() != 0:
            self.note = (f"net.core.rmem_default {self.original:,} NOT raised to {self.wanted:,}: not root, "
                         "so UDP cells whose datagrams in flight do not fit lose some (see UDP lost)")
            print(f"run_bench.py: warning: {self.note}", file=sys.stderr, flush=True)
            return self
        # SIGTERM ends the run like Ctrl-C does, through __exit__.
        self.previous_sigterm = signal.signal(signal.SIGTERM, _interrupted)
        self._write(self.wanted)
        self.applied = self.wanted
        self.note = f"net.core.rmem_default raised from {self.original:,} to {self.wanted:,} for the run"
        print(f"run_bench.py: {self.note}", file=sys.stderr, flush=True)
        return self

    def __exit__(self, *exc):
        if self.applied != self.original:
            self._write(self.original)
            signal.signal(signal.SIGTERM, self.previous_sigterm)
            print(f"run_bench.py: net.core.rmem_default restored to {self.original:,}", file=sys.stderr, flush=True)
        return False

    @staticmethod
    def _write(value):
        with open(RMEM_DEFAULT, "w") as f:
            f.write(str(value))


def udp_buffer_drops():
    """Datagrams the kernel dropped so far for a full receive buffer (/proc/net/snmp Udp RcvbufErrors,
    this network namespace's, every program's): where a loss the client counts happened."""
    with open("/proc/net/snmp") as f:
        lines = [line.split() for line in f if line.startswith("Udp:")]
    return int(dict(zip(lines[0][1:], lines[1][1:]))["RcvbufErrors"])


def udp_loss_timeout(receive_buffer):
    """Seconds the client waits for an echo before counting the datagram lost. 10, as for TCP, when
    the receive buffers hold every datagram in flight: an echo is then late, not dropped, when the
    queue is long (16,000 datagrams of 64 KiB wait ~3 s at libuv's rate; a 1 s timeout counted 44,416
    of them lost with no datagram dropped). 1 otherwise, so that a run whose datagrams are dropped
    stays short: a flow whose datagram is lost waits the timeout out."""
    return 10 if receive_buffer.applied is not None and receive_buffer.applied >= receive_buffer.wanted else 1


def _interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run_cell(build, server, cell, duration, core, udp_timeout):
    """Drives `server` with one cell; returns the client's JSON plus CPU figures. `udp_timeout`: seconds
    the client waits for a datagram's echo before counting it lost (see udp_loss_timeout)."""
    proto, conns, size, pipeline = cell
    argv = ["taskset", "-c", str(core), os.path.join(build, "apps", "nr-echo-client", "nr-echo-client"),
            "--port", str(server.port), "--connections", str(conns), "--size", str(size), "--pipeline", str(pipeline),
            "--duration", str(duration), "--timeout", str(udp_timeout) if proto == "udp" else "10", "--seed", "1"]
    if proto == "udp":
        argv.append("--udp")
    result, client_cpu, server_cpu = measure(argv, server, duration)
    if "error" in result:
        raise RuntimeError(f"{server.name} {cell}: {result['error']}")
    result["server_cpu_s"] = server_cpu
    result["client_cpu_s"] = client_cpu
    return result


def warm_up(build, servers, order, cell, duration, core, udp_timeout):
    """One unmeasured run of `cell` per server, in `order`, each with a `duration` s window (then the drain,
    which brings in the memory of every message in flight): the first run of a cell whose messages in flight
    need more kernel memory than the cells before pays for bringing it in (see the module's docstring), and
    it must not be one server's measured run. Returns each server's run (its figures, for --json)."""
    return {name: run_cell(build, servers[name], cell, duration, core, udp_timeout) for name in order}


def combine(runs):
    """One cell's figures for one server from its runs: the median messages/s (the client's window);
    CPU (and system calls) per message as total server CPU over total messages the server echoed
    while it was measured, the window's and those drained after it (so the ticks of /proc/PID/stat add
    up, and the echoes still in flight when the window closed, up to conns x in flight, are not
    charged to the window's); CPU shares over the runs' whole wall time; errors, mismatches and losses
    summed."""
    messages = sum(r["messages"] + r["drained"] for r in runs)
    server_cpu = sum(r["server_cpu_s"] for r in runs)
    seconds = sum(r["wall_s"] for r in runs)
    syscalls = sum(r["server_syscalls"] for r in runs)
    return {
        "messages_per_s": statistics.median(r["messages_per_s"] for r in runs),
        "cpu_us_per_msg": server_cpu * 1e6 / messages if messages else None,
        "syscalls_per_msg": syscalls / messages if messages and syscalls else None,
        "server_cpu": server_cpu / seconds,
        "client_cpu": sum(r["client_cpu_s"] for r in runs) / seconds,
        "core_busy": {core: statistics.mean(r["core_busy"][core] for r in runs) for core in runs[0]["core_busy"]},
        "errors": sum(r["errors"] for r in runs),
        "mismatches": sum(r["mismatches"] for r in runs),
        "lost": sum(r.get("lost", 0) for r in runs),
        "runs": runs,
    }


def core_times():
    """(busy, total) clock ticks of each core, from /proc/stat."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            name, *fields = line.split()
            if name.startswith("cpu") and name != "cpu":
                ticks = [int(x) for x in fields[:8]]  # user nice system idle iowait irq softirq steal
                out[int(name[3:])] = (sum(ticks) - ticks[3] - ticks[4], sum(ticks))
    return out


def measure(argv, server, duration):
    """Runs a load client to completion: (its JSON, its CPU seconds, the server's CPU seconds).
    The JSON gains core_busy: the share of each core busy meanwhile (any task, softirq included)."""
    clock = TaskClock(server.proc.pid) if server.task_clock else None
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    syscalls_before = server.syscalls()
    before = server.cpu_seconds()
    cores_before = core_times()
    started = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=duration + 60)
    wall = time.monotonic() - started
    cores_after = core_times()
    server_cpu = server.cpu_seconds() - before
    tick_cpu = server_cpu
    if clock:
        server_cpu = clock.stop()
    server_syscalls = server.syscalls() - syscalls_before
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    result = json.loads(out)
    result["exit"] = proc.returncode
    result["server_syscalls"] = server_syscalls
    result["server_tick_cpu_s"] = tick_cpu  # /proc/PID/stat's, also with --task-clock
    result["wall_s"] = wall  # the whole client run: connecting, the window, the drain
    result["core_busy"] = {core: (cores_after[core][0] - b) / max(cores_after[core][1] - t, 1)
                           for core, (b, t) in cores_before.items()}
    return result, client_cpu, server_cpu


def client_efficiency(build, server, duration):
    """nr-echo-client against a minimal C epoll load generator, both driving the epoll server."""
    rows = []
    for conns, size, pipeline in [(1, 64, 1), (100, 64, 1), (100, 64, 16), (100, 65536, 1)]:
        row = {"cell": ("tcp", conns, size, pipeline)}
        nr_argv = ["taskset", "-c", "1", os.path.join(build, "apps", "nr-echo-client", "nr-echo-client"),
                   "--port", str(server.port), "--connections", str(conns), "--size", str(size),
                   "--pipeline", str(pipeline), "--duration", str(duration), "--seed", "1"]
        c_argv = ["taskset", "-c", "1", os.path.join(build, "bench", "echo", "epoll-echo-load"),
                  str(server.port), str(conns), str(size), str(pipeline), str(duration)]
        for name, argv in (("nr", nr_argv), ("c", c_argv)):
            result, client_cpu, server_cpu = measure(argv, server, duration)
            row[name] = {"messages_per_s": result["messages_per_s"], "client_cpu": client_cpu / result["wall_s"],
                         "server_cpu": server_cpu / result["wall_s"], "core_busy": result["core_busy"]}
        rows.append(row)
    return rows


def parse_cell(text):
    """'tcp:100x65536:p1' -> ("tcp", 100, 65536, 1); raises ValueError on anything else."""
    match = re.fullmatch(r"(tcp|udp):(\d+)x(\d+):p(\d+)", text.strip())
    if not match:
        raise ValueError(f"bad cell {text!r}: expected PROTO:CONNSxSIZE:pIN_FLIGHT, e.g. tcp:100x65536:p1")
    proto, conns, size, pipeline = match[1], int(match[2]), int(match[3]), int(match[4])
    if min(conns, size, pipeline) < 1:
        raise ValueError(f"bad cell {text!r}: connections, size and in flight must be at least 1")
    return proto, conns, min(size, MAX_DATAGRAM) if proto == "udp" else size, pipeline


def parse_servers(text):
    """'nr,co' -> ["nr", "co"], in the canonical order (so the turns rotate the same way)."""
    names = {name.strip() for name in text.split(",") if name.strip()}
    unknown = names - set(SERVERS)
    if unknown or not names:
        raise ValueError(f"bad --servers {text!r}: a comma-separated subset of {','.join(SERVERS)}")
    return [name for name in SERVERS if name in names]


def cells(quick):
    conns = [1, 100] if quick else [1, 10, 100, 1000]
    sizes = [64, 65536] if quick else [64, 4096, 65536]
    out = []
    for proto in ["tcp", "udp"]:
        for c in conns:
            for size in sizes:
                for pipeline in [1, 16]:
                    out.append((proto, c, min(size, MAX_DATAGRAM) if proto == "udp" else size, pipeline))
    return out


def idle_memory(build, name, connections, core):
    """Server RSS growth per idle TCP connection, on a fresh server."""
    server = Server(build, name, core)
    try:
        time.sleep(0.2)
        base_fds, base_rss = server.fd_count(), server.rss_bytes()
        socks = []
        for _ in range(connections):
            s = socket.create_connection(("127.0.0.1", server.port))
            socks.append(s)
        deadline = time.monotonic() + 30
        while server.fd_count() < base_fds + connections and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        grown = server.rss_bytes() - base_rss
        for s in socks:
            s.close()
        return grown / connections
    finally:
        server.stop()


def ratio(a, b):
    return a / b if a and b else None


def fmt(value, digits=2):
    if value is None:
        return "-"
    if isinstance(value, float) and digits == 0:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build-bench", help="meson build directory configured with -Dbench=true")
    parser.add_argument("--quick", action="store_true", help="a subset: 1 and 100 connections, 64 B and 64 KiB")
    parser.add_argument("--duration", type=float, default=1.0, help="seconds per run (default 1)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per server and cell, taking turns (default 2, --quick 1)")
    parser.add_argument("--idle-connections", type=int, default=10000,
                        help="connections held open to measure idle memory per connection (default 10000; 0 skips it)")
    parser.add_argument("--json", help="also write every figure to this file")
    parser.add_argument("--proto", choices=["tcp", "udp"], help="only the cells of this protocol")
    parser.add_argument("--servers", default=",".join(DEFAULT_SERVERS),
                        help=f"only these servers, comma-separated, of {','.join(SERVERS)} "
                             f"(default {','.join(DEFAULT_SERVERS)}; nr2: a second nr-echo-server, the A/A "
                             f"control for how far noise alone moves a ratio); "
                             "e.g. nr,co for the coroutine table alone")
    parser.add_argument("--cells",
                        help="only these cells, comma-separated, each PROTO:CONNSxSIZE:pIN_FLIGHT as the tables "
                             "name them (e.g. tcp:100x65536:p1,udp:100x65507:p1); any cell, not only the grid's. "
                             "Without it: the grid (--quick: its subset), filtered by --proto")
    parser.add_argument("--warmup", type=float, default=0.25,
                        help="seconds of the unmeasured window every server runs each cell with before its measured "
                             "rounds (then the drain, as in every run; default 0.25; 0: no warm-up, as before "
                             "2026-12-02)")
    parser.add_argument("--nrb-build", metavar="BUILD",
                        help="with --servers ...,nrb: the build whose nr-echo-server runs as nrb (an A/B of two builds "
                             "in one run: nrb/nr and nrb/epoll in the pooled table)")
    parser.add_argument("--task-clock", action="store_true",
                        help="server CPU from perf's task-clock (precise; needs perf) instead of /proc/PID/stat's "
                             "ticks, which sample and can be biased by how a server sleeps")
    args = parser.parse_args()
    try:
        names = parse_servers(args.servers)
        chosen = [parse_cell(c) for c in args.cells.split(",")] if args.cells else cells(args.quick)
    except ValueError as e:
        parser.error(str(e))
    if ("nrb" in names) != (args.nrb_build is not None):
        parser.error("--servers ...,nrb and --nrb-build go together")
    duration = args.duration
    repeat = args.repeat or (1 if args.quick else 2)
    raise_nofile()

    chosen = [c for c in chosen if args.proto in (None, c[0])]
    udp_buffer = udp_receive_buffer(chosen)
    rows = []
    receive_buffer = RaisedReceiveBuffer(udp_buffer[0] if udp_buffer else 0)
    # Raised before the servers start: a socket takes rmem_default when it is made.
    drops_before = udp_buffer_drops()
    with receive_buffer if udp_buffer else contextlib.nullcontext():
        servers = {}
        try:
            for name in names:
                servers[name] = Server(build_of(args, name), name, 0, args.task_clock)
            for i, cell in enumerate(chosen):
                runs = {name: [] for name in names}
                warmups = {}
                if args.warmup > 0:
                    first = i % len(names)  # the first round's order
                    warmups = warm_up(args.build, servers, names[first:] + names[:first], cell, args.warmup, 1,
                                      udp_loss_timeout(receive_buffer))
                for r in range(repeat):
                    turn = (i + r) % len(names)
                    for name in names[turn:] + names[:turn]:  # take turns going first
                        runs[name].append(run_cell(args.build, servers[name], cell, duration, 1,
                                                            udp_loss_timeout(receive_buffer)))
                row = {"cell": cell, **{name: combine(runs[name]) for name in names}}
                for name, run in warmups.items():
                    row[name]["warmup"] = run
                rows.append(row)
                proto, conns, size, pipeline = cell
                print(f"{proto} {conns:>4} x {size:>5} B p{pipeline:<2} " +
                      "  ".join(f"{n}={row[n]['messages_per_s']:>10,.0f}/s {fmt(row[n]['cpu_us_per_msg'])}us"
                                for n in names),
                      file=sys.stderr, flush=True)
        finally:
            for server in servers.values():
                server.stop()
    buffer_drops = udp_buffer_drops() - drops_before

    efficiency = []
    if not args.quick and not args.cells and "epoll" in names:
        epoll = Server(args.build, "epoll", 0)
        try:
            efficiency = client_efficiency(args.build, epoll, duration * repeat)
        finally:
            epoll.stop()
    memory = {}
    if args.idle_connections > 0:
        memory = {name: idle_memory(args.build, name, args.idle_connections, 0) for name in names if name not in ("nr2", "nrb")}

    if udp_buffer:
        _, (proto, conns, size, pipeline), truesize = udp_buffer
        print(f"UDP receive buffers: {receive_buffer.note} (the servers' sockets and the client's; the largest "
              f"need: {proto}:{conns}x{size}:p{pipeline}, {conns * pipeline:,} datagrams of {truesize:,} buffer "
              f"bytes each, plus half). Datagrams the kernel dropped meanwhile for a full receive buffer "
              f"(RcvbufErrors, any program's): {buffer_drops:,}. The client's loss timeout: "
              f"{udp_loss_timeout(receive_buffer)} s.\n")
    print_tables(rows, names, memory, efficiency, args.idle_connections)

    if args.json:
        with open(args.json, "w") as f:
            rmem = {"original": receive_buffer.original, "applied": receive_buffer.applied} if udp_buffer else None
            json.dump({"duration_s": duration, "repeat": repeat, "warmup_s": args.warmup,
                       "server_cpu": "perf task-clock" if args.task_clock else "/proc/PID/stat ticks", "servers": names, "rows": rows,
                       "rmem_default": rmem, "udp_rcvbuf_errors": buffer_drops,
                       "udp_timeout_s": udp_loss_timeout(receive_buffer) if udp_buffer else None,
                       "idle_bytes_per_connection": memory, "load_generators": efficiency}, f, indent=1)


def print_tables(rows, names, memory, efficiency, idle_connections):
    """The Markdown tables docs/benchmarks.md quotes: each one whose servers all ran (a table of
    every server's own figures when neither did)."""
    if {"epoll", "uv", "nr"} <= set(names):
        print_epoll_table(rows, names)
    if {"nr", "co"} <= set(names):
        print_co_table(rows)
    if not {"epoll", "uv", "nr"} <= set(names) and not {"nr", "co"} <= set(names):
        print_server_table(rows, names)
    print_pooled_table(rows, names)
    if memory:
        print(f"| server | bytes per idle connection ({idle_connections:,} open) |")
        print("|---|---|")
        for name in memory:
            print(f"| {LABELS[name]} | {memory[name]:,.0f} |")
    if efficiency:
        print_efficiency_table(efficiency)


def print_server_table(rows, names):
    print("Messages per second (median run), server CPU time per message (us) and the server's read and "
          "write system calls per message (TCP only), per server.\n")
    print("| proto | conns | size | in flight | server | msg/s | us/msg | syscalls/msg | errors | UDP lost |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        proto, conns, size, pipeline = row["cell"]
        for name in names:
            s = row[name]
            print(f"| {proto} | {conns} | {size} | {pipeline} | {name} | {s['messages_per_s']:,.0f} "
                  f"| {fmt(s['cpu_us_per_msg'])} | {fmt(s['syscalls_per_msg'], 3) if proto == 'tcp' else '-'} "
                  f"| {s['errors'] + s['mismatches']} | {s['lost'] if proto == 'udp' else '-'} |")
    print()


def print_epoll_table(rows, names):
    print("Messages per second, server CPU time per message (us), ratios to raw epoll. In the raw epoll run: "
          "the server's and the client's CPU use, and how busy core 0 (server) and core 1 (client) were "
          "(any task, softirq included), in % of one core.\n")
    print("| proto | conns | size | in flight | epoll msg/s | libuv msg/s | nr msg/s | nr/epoll | libuv/epoll "
          "| epoll us/msg | libuv us/msg | nr us/msg | nr/epoll CPU | server / client CPU | core 0 / 1 busy "
          f"| errors | UDP lost ({'/'.join(SHORT[name] for name in names)}) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        proto, conns, size, pipeline = row["cell"]
        e, u, n = row["epoll"], row["uv"], row["nr"]
        errors = sum(row[name]["errors"] + row[name]["mismatches"] for name in names)
        lost = "/".join(str(row[name]["lost"]) for name in names) if proto == "udp" else "-"
        print(f"| {proto} | {conns} | {size} | {pipeline} | {e['messages_per_s']:,.0f} | {u['messages_per_s']:,.0f} "
              f"| {n['messages_per_s']:,.0f} | {fmt(ratio(n['messages_per_s'], e['messages_per_s']))} "
              f"| {fmt(ratio(u['messages_per_s'], e['messages_per_s']))} | {fmt(e['cpu_us_per_msg'])} "
              f"| {fmt(u['cpu_us_per_msg'])} | {fmt(n['cpu_us_per_msg'])} "
              f"| {fmt(ratio(n['cpu_us_per_msg'], e['cpu_us_per_msg']))} "
              f"| {e['server_cpu']:.0%} / {e['client_cpu']:.0%} "
              f"| {e['core_busy'][0]:.0%} / {e['core_busy'][1]:.0%} | {errors} | {lost} |")
    print()


def geometric_mean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def print_pooled_table(rows, names):
    """Each pair's ratios pooled over the cells (geometric means), and how many cells meet the bars.
    A single cell's ratio moves with run-to-run noise; the pooled figure averages it out, and the A/A
    pair (nr2/nr: the same server twice) shows how many cells noise alone puts past a bar."""
    pairs = [(a, b) for a, b in PAIRS if a in names and b in names]
    if not pairs or len(rows) < 2:
        return
    print("Pooled over the cells: the geometric mean of each pair's ratios (CPU per message, and messages/s "
          "paired by round), by protocol and over all; and the cells meeting the bars (<= 1.05x CPU, "
          ">= 0.95x messages/s paired). nr2/nr is the A/A control: two identical servers, so its misses "
          "are what noise alone gives in this run.\n")
    print("| pair | CPU ratio, TCP / UDP / all | msg/s paired, TCP / UDP / all | cells CPU <= 1.05x "
          "| cells msg/s >= 0.95x |")
    print("|---|---|---|---|---|")
    for a, b in pairs:
        cpu = [ratio(row[a]["cpu_us_per_msg"], row[b]["cpu_us_per_msg"]) for row in rows]
        rate = [paired_ratio(row[a], row[b]) or ratio(row[a]["messages_per_s"], row[b]["messages_per_s"])
                for row in rows]
        def by_proto(values):
            parts = [geometric_mean([v for v, row in zip(values, rows) if row["cell"][0] == proto])
                     for proto in ("tcp", "udp")]
            return " / ".join(fmt(v, 3) if v else "-" for v in parts + [geometric_mean(values)])
        cpu_ok = sum(1 for v in cpu if v is not None and v <= CPU_BAR)
        rate_ok = sum(1 for v in rate if v is not None and v >= RATE_BAR)
        print(f"| {a}/{b} | {by_proto(cpu)} | {by_proto(rate)} | {cpu_ok} of {len(rows)} | {rate_ok} of {len(rows)} |")
    print()


def paired_ratio(a, b):
    """The median over the rounds of a's messages/s over b's in the same round (None with one round):
    steadier than the ratio of the medians when the machine's load drifts during the run."""
    pairs = [x["messages_per_s"] / y["messages_per_s"] for x, y in zip(a["runs"], b["runs"]) if y["messages_per_s"]]
    return statistics.median(pairs) if len(pairs) > 1 else None


def print_co_table(rows):
    print("The coroutine server (co-echo-server) against the callback one (nr-echo-server), same cells: "
          "messages per second and server CPU per message, and their ratios (the issue's bar: >= 0.95x "
          "messages/s, <= 1.05x CPU per message); and the server's read and write system calls per message "
          "(TCP only), which tell a difference in work from one in batching. Paired: the median over the "
          "rounds of co's messages/s over nr's in the same round (the two ran back to back, so drift in the "
          "machine's load cancels out), with --repeat above 1.\n")
    print("| proto | conns | size | in flight | nr msg/s | co msg/s | co/nr | nr us/msg | co us/msg | co/nr CPU "
          "| syscalls/msg nr / co | co/nr paired |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        proto, conns, size, pipeline = row["cell"]
        n, c = row["nr"], row["co"]
        # /proc/PID/io counts no UDP call (recvmmsg, sendto): a stray timer read is not a figure.
        syscalls = f"{fmt(n['syscalls_per_msg'], 3)} / {fmt(c['syscalls_per_msg'], 3)}" if proto == "tcp" else "- / -"
        print(f"| {proto} | {conns} | {size} | {pipeline} | {n['messages_per_s']:,.0f} | {c['messages_per_s']:,.0f} "
              f"| {fmt(ratio(c['messages_per_s'], n['messages_per_s']))} | {fmt(n['cpu_us_per_msg'])} "
              f"| {fmt(c['cpu_us_per_msg'])} | {fmt(ratio(c['cpu_us_per_msg'], n['cpu_us_per_msg']))} "
              f"| {syscalls} | {fmt(paired_ratio(c, n))} |")
    print()


def print_efficiency_table(efficiency):
    print()
    print("Load generators against the raw epoll server (TCP): nr-echo-client against a minimal C epoll client "
          "(bench/echo/epoll_echo_load.c: no checking, no latencies).\n")
    print("| conns | size | in flight | nr-echo-client msg/s | C client msg/s | nr/C | server CPU (nr / C) "
          "| client CPU (nr / C) | core 0 busy (nr / C) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in efficiency:
        _, conns, size, pipeline = row["cell"]
        n, c = row["nr"], row["c"]
        print(f"| {conns} | {size} | {pipeline} | {n['messages_per_s']:,.0f} | {c['messages_per_s']:,.0f} "
              f"| {fmt(ratio(n['messages_per_s'], c['messages_per_s']))} "
              f"| {n['server_cpu']:.0%} / {c['server_cpu']:.0%} | {n['client_cpu']:.0%} / {c['client_cpu']:.0%} "
              f"| {n['core_busy'][0]:.0%} / {c['core_busy'][0]:.0%} |")


if __name__ == "__main__":
    main()
