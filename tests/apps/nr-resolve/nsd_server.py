"""An NSD authoritative server on loopback for the nr-resolve tests and the
benchmark: zones written to a temporary directory, run as the current user in
the foreground (-d), stopped by pid. Needs the Debian package `nsd`."""
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

NSD = shutil.which("nsd") or "/usr/sbin/nsd"


def query_packet(name, qtype=1, qid=0x4242):
    """A plain DNS query (RD clear), as bytes."""
    out = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\x00" + struct.pack(">HH", qtype, 1)


class Nsd:
    """Starts NSD serving `zones` ({name: zone file text}) on 127.0.0.1 and ::1.

    `broken_zones` are configured with a zone file that does not exist, so
    NSD answers SERVFAIL for them."""

    def __init__(self, zones, port, broken_zones=(), server_count=1, timeout=10):
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="nr-nsd-")
        conf = [
            "server:",
            f"  port: {port}",
            "  ip-address: 127.0.0.1",
            "  ip-address: ::1",
            '  username: ""',
            '  chroot: ""',
            f"  zonesdir: {self.dir}",
            f"  pidfile: {self.dir}/nsd.pid",
            '  database: ""',
            f"  xfrdfile: {self.dir}/xfrd.state",
            f"  zonelistfile: {self.dir}/zone.list",
            f"  logfile: {self.dir}/nsd.log",
            "  rrl-ratelimit: 0",
            f"  server-count: {server_count}",
            "  verbosity: 1",
            "remote-control:",
            "  control-enable: no",
        ]
        for name, text in zones.items():
            with open(os.path.join(self.dir, f"{name}.zone"), "w") as f:
                f.write(text)
            conf += ["zone:", f"  name: {name}", f"  zonefile: {name}.zone"]
        for name in broken_zones:
            conf += ["zone:", f"  name: {name}", f"  zonefile: {name}.missing.zone"]
        self.conf = os.path.join(self.dir, "nsd.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf) + "\n")
        self.proc = subprocess.Popen([NSD, "-d", "-c", self.conf], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.pid = self.proc.pid
        probe = next(iter(zones))
        deadline = time.monotonic() + timeout
        while not self.answers(probe):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.log()
                self.stop()
                raise AssertionError(f"nsd did not start on port {port}: {err}")
            time.sleep(0.02)

    def answers(self, name):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.1)
        try:
            s.sendto(query_packet(name, 6), ("127.0.0.1", self.port))
            data = s.recv(4096)
            return len(data) >= 12 and data[3] & 0x0F == 0
        except OSError:
            return False
        finally:
            s.close()

    @property
    def server(self):
        return f"127.0.0.1:{self.port}"

    @property
    def server6(self):
        return f"[::1]:{self.port}"

    def log(self):
        try:
            with open(os.path.join(self.dir, "nsd.log")) as f:
                log = f.read()
        except OSError:
            log = ""
        err = b""
        if self.proc.poll() is not None and self.proc.stderr:
            err = self.proc.stderr.read()
        return log + err.decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stderr:
            self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
