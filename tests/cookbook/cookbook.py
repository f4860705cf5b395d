#!/usr/bin/python3
"""Runs every command of docs/cookbook.md and checks (or, with --regenerate,
rewrites) the output printed under it, so the cookbook never goes stale.

The cookbook is Markdown; its ```console blocks hold shell lines:

    $ COMMAND          run with bash (pipefail), its stdout is the output below it
    $ COMMAND &        a server, started in the background (job %1, %2... in order)
    $ kill %N [%M...]  SIGTERM to those jobs; their remaining stdout is the output
    # ...              a comment: shown, never run (remote names live here)
    anything else      the output of the command above

Every command runs in one scratch directory, with the tools of the build
directory first on PATH. The ports the cookbook names (9900, 12300, 5353,
8000, 8001, 8282) are replaced in each command by free loopback ports picked
for the run, and mapped back in the output, so the page shows stable ports and
the run never collides with another. Every server is started here and stopped
by pid; nothing leaves loopback (names come from /etc/hosts or from the NSD
zone the cookbook itself serves).

Checking compares output line by line: JSON lines structurally (the same keys
at every level and the same types; equal values except for keys that change
run to run: times, latencies, byte and message counts of load runs, peers,
seeds), other lines exactly. A command whose line ends in `# varies` has every
value compared by type only (text lines by shape: words and numbers masked).

    cookbook.py [--build DIR] [--doc docs/cookbook.md] [--regenerate]
"""
import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("NR_SOURCE_DIR", os.path.join(HERE, "..", ".."))
DOC_PORTS = {9900: "both", 12300: "udp", 5353: "both", 8000: "tcp", 8001: "tcp", 8282: "tcp"}
COMMAND_TIMEOUT = 30
TOTAL_TIMEOUT = 150

# Keys whose values change run to run: compared by type only.
VOLATILE_KEY = re.compile(
    r"(_us|_ns|_ms|_s|_time|_raw|_per_s)$"
    r"|^(time|offset|delay|jitter|root_distance|timings|latency_us|precision|peer|seed|messages|lost|best_sample"
    r"|bytes_in|bytes_out|bytes_sent|bytes_received|datagrams|datagram_bytes|headers|hostname"
    r"|interfaces|uptime_s|reference_time|rtt_ms)$")


# ---------------------------------------------------------------- parsing

class Item:
    """One line of a console block: a command with its output, or a comment."""

    def __init__(self, kind, text):
        self.kind = kind          # "cmd" or "comment"
        self.text = text
        self.output = []

    @property
    def command(self):
        return self.text[2:]

    @property
    def varies(self):
        return re.search(r"\s#\s*varies\b", self.command) is not None


def parse(doc_text):
    """Returns (chunks, blocks): chunks alternate literal text and block indexes."""
    chunks, blocks = [], []
    lines = doc_text.split("\n")
    i, literal = 0, []
    while i < len(lines):
        if lines[i].strip() == "```console":
            literal.append(lines[i])
            chunks.append("\n".join(literal))
            literal = []
            items = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                line = lines[i]
                if line.startswith("$ "):
                    items.append(Item("cmd", line))
                elif line.startswith("#"):
                    items.append(Item("comment", line))
                elif items and items[-1].kind == "cmd":
                    items[-1].output.append(line)
                else:
                    raise SystemExit(f"cookbook: output without a command: {line!r}")
                i += 1
            chunks.append(len(blocks))
            blocks.append(items)
            literal = [lines[i]] if i < len(lines) else []
        else:
            literal.append(lines[i])
        i += 1
    chunks.append("\n".join(literal))
    return chunks, blocks


def render(chunks, blocks):
    out = []
    for chunk in chunks:
        if isinstance(chunk, int):
            lines = []
            for item in blocks[chunk]:
                lines.append(item.text)
                lines.extend(item.output)
            out.append("\n".join(lines))
        else:
            out.append(chunk)
    return "\n".join(out)


# ---------------------------------------------------------------- ports

def free_port(kind):
    import random
    kinds = {"tcp": [socket.SOCK_STREAM], "udp": [socket.SOCK_DGRAM],
             "both": [socket.SOCK_STREAM, socket.SOCK_DGRAM]}[kind]
    for _ in range(500):
        port = random.randint(20000, 32000)
        ok = True
        for k in kinds:
            s = socket.socket(socket.AF_INET, k)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            return port
    raise RuntimeError("no free port")


def port_pattern(port):
    return re.compile(rf"(?<![0-9]){port}(?![0-9])")


# ---------------------------------------------------------------- running

class Job:
    def __init__(self, argv_text, proc):
        self.text = argv_text
        self.proc = proc
        self.buffer = b""

    def read_lines(self, timeout):
        """Reads what stdout has within `timeout`; returns complete lines."""
        if self.proc.stdout is None:
            return []
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            self.buffer += chunk
        *lines, self.buffer = self.buffer.split(b"\n")
        return [line.decode(errors="replace") for line in lines]


class Session:
    def __init__(self, build_dir):
        self.dir = tempfile.mkdtemp(prefix="nr-cookbook-")
        self.ports = {doc: free_port(kind) for doc, kind in DOC_PORTS.items()}
        tool_dirs = [os.path.join(build_dir, "apps", t) for t in sorted(os.listdir(os.path.join(build_dir, "apps")))
                     if t.startswith("nr-")]
        self.env = dict(os.environ)
        self.env["PATH"] = ":".join(tool_dirs + [self.env.get("PATH", "/usr/bin:/bin"), "/usr/sbin", "/sbin"])
        self.env["LC_ALL"] = "C.UTF-8"
        self.env["TZ"] = "UTC"
        self.jobs = []
        self.deadline = time.monotonic() + TOTAL_TIMEOUT

    def to_run(self, command):
        for doc, real in self.ports.items():
            command = port_pattern(doc).sub(str(real), command)
        return command

    def to_doc(self, line):
        for doc, real in self.ports.items():
            line = port_pattern(real).sub(str(doc), line)
        return line

    def run(self, item):
        if time.monotonic() > self.deadline:
            raise AssertionError(f"the cookbook took longer than {TOTAL_TIMEOUT}s")
        command = item.command
        bare = re.sub(r"\s+#\s.*$", "", command).strip()
        kill = re.fullmatch(r"kill((?:\s+%\d+)+)", bare)
        if kill:
            lines = []
            for n in re.findall(r"%(\d+)", kill.group(1)):
                lines += self.stop(int(n))
            return [self.to_doc(line) for line in lines]
        if bare.endswith("&"):
            return [self.to_doc(line) for line in self.start(bare[:-1].strip())]
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", self.to_run(command)], cwd=self.dir, env=self.env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=COMMAND_TIMEOUT)
        if proc.returncode != 0:
            raise AssertionError(f"`{command}` exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
        return [self.to_doc(line) for line in proc.stdout.decode(errors="replace").splitlines()]

    def start(self, command):
        real = self.to_run(command)
        program = os.path.basename(real.split()[0])
        ours = program.startswith("nr-")
        proc = subprocess.Popen(["bash", "-c", "exec " + real], cwd=self.dir, env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE if ours else subprocess.DEVNULL,
                                stderr=open(os.path.join(self.dir, f"job{len(self.jobs) + 1}.stderr"), "wb"))
        job = Job(command, proc)
        self.jobs.append(job)
        deadline = time.monotonic() + 10
        lines = []
        if ours:
            while not any('"listening"' in line for line in lines):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"`{command}` did not start: {lines}")
                lines += job.read_lines(0.2)
            lines += job.read_lines(0.3)
            return lines
        if program == "nsd":  # its port is in nsd.conf
            port = self.ports[5353]
        else:
            port = next((int(p) for p in re.findall(r"(?<![0-9])(\d{4,5})(?![0-9])", real)
                         if int(p) in self.ports.values()), None)
        while not self.probe(program, port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"`{command}` did not start (exit {proc.poll()})")
            time.sleep(0.05)
        return lines

    def probe(self, program, port):
        if port is None:
            return True
        if program == "nsd":  # an SOA query for the zone's apex must be answered
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.settimeout(0.1)
            query = struct.pack(">HHHHHH", 0x4242, 0, 1, 0, 0, 0) + b"\x03lab\x04test\x00" + struct.pack(">HH", 6, 1)
            try:
                s.sendto(query, ("127.0.0.1", port))
                return len(s.recv(512)) >= 12
            except OSError:
                return False
            finally:
                s.close()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def stop(self, n):
        job = self.jobs[n - 1]
        if job.proc.poll() is None:
            job.proc.send_signal(signal.SIGTERM)
        try:
            job.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            job.proc.kill()
            job.proc.wait(timeout=10)
            raise AssertionError(f"`{job.text}` did not stop on SIGTERM")
        lines = job.read_lines(0.5)
        if job.buffer:
            lines.append(job.buffer.decode(errors="replace"))
            job.buffer = b""
        return lines

    def close(self):
        for job in self.jobs:
            if job.proc.poll() is None:
                job.proc.kill()
                job.proc.wait(timeout=10)
            if job.proc.stdout:
                job.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------- comparing

def kind(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def compare(doc, got, path, loose):
    """Returns a list of differences between a documented and a real JSON value."""
    if kind(doc) != kind(got):
        return [f"{path}: documented {kind(doc)} {doc!r}, got {kind(got)} {got!r}"]
    if isinstance(doc, dict):
        if list(doc) != list(got):
            return [f"{path}: documented keys {list(doc)}, got {list(got)}"]
        diffs = []
        for key in doc:
            volatile = loose or VOLATILE_KEY.search(key) is not None
            if volatile and isinstance(doc[key], (list, dict)) and kind(doc[key]) == kind(got[key]):
                if isinstance(doc[key], dict) and not loose and list(doc[key]) != list(got[key]) and key != "headers":
                    diffs.append(f"{path}.{key}: documented keys {list(doc[key])}, got {list(got[key])}")
                continue
            diffs += compare(doc[key], got[key], f"{path}.{key}", volatile)
        return diffs
    if isinstance(doc, list):
        if len(doc) != len(got):
            return [f"{path}: documented {len(doc)} elements, got {len(got)}"]
        diffs = []
        for i, (d, g) in enumerate(zip(doc, got)):
            diffs += compare(d, g, f"{path}[{i}]", loose)
        return diffs
    if loose or doc == got:
        return []
    return [f"{path}: documented {doc!r}, got {got!r}"]


def shape(text):
    """A text line that varies, reduced to its shape: every word or number is X, any spacing one space
    (a host name, `Thu Mar  5 14:02:58 2012`, `2026-11-26T14:35:49.178290890Z` keep only their separators)."""
    return re.sub(r"\s+", " ", re.sub(r"[A-Za-z0-9_.-]+", "X", text)).strip()


def compare_lines(doc_lines, got_lines, loose):
    if len(doc_lines) != len(got_lines):
        return [f"documented {len(doc_lines)} lines, got {len(got_lines)}: {got_lines}"]
    diffs = []
    for n, (d, g) in enumerate(zip(doc_lines, got_lines), 1):
        try:
            dj, gj = json.loads(d), json.loads(g)
        except ValueError:
            if (shape(d) if loose else d) != (shape(g) if loose else g):
                diffs.append(f"line {n}: documented {d!r}, got {g!r}")
            continue
        diffs += [f"line {n}: {x}" for x in compare(dj, gj, "$", loose)]
    return diffs


# ---------------------------------------------------------------- main

def run_doc(doc_path, build_dir, regenerate):
    with open(doc_path) as f:
        text = f.read()
    chunks, blocks = parse(text)
    session = Session(build_dir)
    failures, count = [], 0
    try:
        for items in blocks:
            for item in items:
                if item.kind != "cmd":
                    continue
                count += 1
                started = time.monotonic()
                try:
                    got = session.run(item)
                except (AssertionError, subprocess.TimeoutExpired) as e:
                    failures.append(f"{item.text}\n    {e}")
                    print(f"FAIL {item.text}\n    {e}", file=sys.stderr)
                    continue
                elapsed = time.monotonic() - started
                if regenerate:
                    item.output = got
                    print(f"ran  {elapsed:5.2f}s {item.text}", file=sys.stderr)
                    continue
                diffs = compare_lines(item.output, got, item.varies)
                status = "ok  " if not diffs else "FAIL"
                print(f"{status} {elapsed:5.2f}s {item.text}", file=sys.stderr)
                if diffs:
                    failures.append(item.text + "\n" + "\n".join("    " + d for d in diffs))
                    for d in diffs:
                        print("    " + d, file=sys.stderr)
    finally:
        session.close()
    if regenerate and not failures:
        with open(doc_path, "w") as f:
            f.write(render(chunks, blocks))
    return count, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.environ.get("NR_BUILD_DIR", os.path.join(SOURCE_DIR, "build")))
    parser.add_argument("--doc", default=os.path.join(SOURCE_DIR, "docs", "cookbook.md"))
    parser.add_argument("--regenerate", action="store_true", help="rewrite the outputs in the document")
    args = parser.parse_args()
    for program in ("jq", "bash"):
        if shutil.which(program) is None:
            raise SystemExit(f"cookbook: needs {program}")
    started = time.monotonic()
    count, failures = run_doc(args.doc, os.path.abspath(args.build), args.regenerate)
    print(f"{count} commands, {len(failures)} failed, {time.monotonic() - started:.1f}s", file=sys.stderr)
    if count == 0:
        failures.append("no command found in the cookbook")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
