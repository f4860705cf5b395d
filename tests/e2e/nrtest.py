"""Shared helpers for the end-to-end tests: run the real tools, start and stop
servers on loopback by pid, parse JSON Lines, validate against docs/json.

Standard library only (plus python3-jsonschema for schema checks), so the
tests run on a fresh Debian machine with the packages the README installs.
"""
import contextlib
import json
import os
import random
import select
import signal
import socket
import subprocess
import time
import unittest

BUILD_DIR = os.environ.get("NR_BUILD_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "build"))
SOURCE_DIR = os.environ.get("NR_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def tool_path(name):
    """Path of a built tool, e.g. tool_path('nr-echo-server')."""
    return os.path.join(BUILD_DIR, "apps", name, name)


def parse_lines(text):
    """Parses JSON Lines; fails loudly on any line that is not JSON."""
    out = []
    for line in text.splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out


class Result:
    def __init__(self, proc, stdout, stderr, elapsed):
        self.returncode = proc.returncode
        self.stdout = stdout
        self.stderr = stderr
        self.elapsed = elapsed
        self.lines = parse_lines(stdout)

    @property
    def json(self):
        """The single JSON object printed (asserts there is exactly one)."""
        assert len(self.lines) == 1, f"expected one JSON line, got {len(self.lines)}: {self.stdout!r}"
        return self.lines[0]

    def __repr__(self):
        return f"Result(rc={self.returncode}, stdout={self.stdout!r}, stderr={self.stderr!r})"


def run_tool(name, *args, timeout=30, input=None, env=None, preexec_fn=None):
    """Runs a tool to completion (bounded by `timeout`) and returns a Result."""
    start = time.monotonic()
    proc = subprocess.Popen([tool_path(name), *map(str, args)], stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, preexec_fn=preexec_fn)
    try:
        stdout, stderr = proc.communicate(input=input.encode() if isinstance(input, str) else input, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        raise AssertionError(f"{name} {args} did not finish within {timeout}s; stderr={stderr!r}")
    return Result(proc, stdout.decode(errors="replace"), stderr.decode(errors="replace"), time.monotonic() - start)


def free_port(proto="tcp", host="127.0.0.1"):
    """A port free for `proto` (tcp, udp or both) on host, outside the kernel's
    ephemeral range (32768-60999) so no outgoing socket can take it meanwhile."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    kinds = {"tcp": [socket.SOCK_STREAM], "udp": [socket.SOCK_DGRAM], "both": [socket.SOCK_STREAM, socket.SOCK_DGRAM]}[proto]
    for _ in range(200):
        port = random.randint(20000, 32000)
        ok = True
        for kind in kinds:
            s = socket.socket(family, kind)
            try:
                s.bind((host, port))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            return port
    raise RuntimeError("no free port found")


def blackhole_listener(family, host, port):
    """A listener on (host, port) whose accept queue is full: SYNs are dropped.
    Returns the sockets to keep open."""
    s = socket.socket(family, socket.SOCK_STREAM)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((host, port))
    s.listen(0)
    fillers = []
    for _ in range(2):
        c = socket.socket(family, socket.SOCK_STREAM)
        c.setblocking(False)
        c.connect_ex((host, port))
        fillers.append(c)
    time.sleep(0.1)
    return [s] + fillers


@contextlib.contextmanager
def silent_addresses(port, ips):
    """A full-accept-queue listener on each of `ips` at `port`, for the time of
    the `with` block: connecting to any of them hangs."""
    holes = []
    try:
        for ip in ips:
            holes += blackhole_listener(socket.AF_INET6 if ":" in ip else socket.AF_INET, ip, port)
        yield
    finally:
        for s in holes:
            s.close()


class Server:
    """A server process started for one test and stopped by pid.

    For our own tools, `wait_for` is the number of {"event":"listening"} lines
    to read before the server counts as ready; `events` keeps every line read.
    """

    def __init__(self, argv, wait_for=1, timeout=10, env=None, preexec_fn=None, stdin=subprocess.DEVNULL):
        self.argv = [str(a) for a in argv]
        self.proc = subprocess.Popen(self.argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, preexec_fn=preexec_fn)
        self.pid = self.proc.pid
        self.events = []
        self._buffer = b""
        deadline = time.monotonic() + timeout
        while len([e for e in self.events if e.get("event") == "listening"]) < wait_for:
            line = self.read_line(deadline - time.monotonic())
            if line is None:
                err = self.proc.stderr.read1(65536) if self.proc.poll() is not None else b""
                self.kill()
                raise AssertionError(f"{self.argv} did not start: {self.events} {err!r}")

    @classmethod
    def tool(cls, name, *args, **kw):
        return cls([tool_path(name), *args], **kw)

    def listening(self, proto="tcp"):
        for e in self.events:
            if e.get("event") == "listening" and e.get("proto") == proto:
                return e
        raise KeyError(proto)

    @property
    def port(self):
        return self.events[0]["port"]

    def read_line(self, timeout):
        """Reads and parses one stdout line, or None on timeout/EOF."""
        deadline = time.monotonic() + max(timeout, 0)
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        value = json.loads(line)
        self.events.append(value)
        return value

    def rss_kib(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def fd_count(self):
        return len(os.listdir(f"/proc/{self.pid}/fd"))

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Sends `sig`, waits for exit, returns (returncode, remaining JSON lines, stderr)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rest, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.argv} did not exit within {timeout}s of signal {sig}")
        text = self._buffer + rest
        self._buffer = b""
        lines = parse_lines(text.decode(errors="replace"))
        self.events.extend(lines)
        return self.proc.returncode, lines, err.decode(errors="replace")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(Exception):
                stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()


def load_schema(tool):
    with open(os.path.join(SOURCE_DIR, "docs", "json", f"{tool}.schema.json")) as f:
        return json.load(f)


_validators = {}


def validate(tool, value, definition=None):
    """Validates one JSON value against docs/json/<tool>.schema.json, and also
    against its $defs/<definition> when one is named. Each validator is built
    (its schema checked) once per process: building one per value is slow."""
    import jsonschema
    for name in (None, definition) if definition else (None,):
        if (tool, name) not in _validators:
            schema = load_schema(tool)
            if name:
                schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{name}"}
            jsonschema.Draft202012Validator.check_schema(schema)
            _validators[(tool, name)] = jsonschema.Draft202012Validator(schema)
        _validators[(tool, name)].validate(value)


def main():
    unittest.main(verbosity=2)
