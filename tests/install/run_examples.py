#!/usr/bin/env python3
"""Runs netreactor's example programs against loopback peers started here, and
checks what they do against independent expectations (Python computes the
expected replies, counts datagrams, serves DNS).

    run_examples.py BIN_DIR

BIN_DIR holds the examples (built by meson or out of tree with pkg-config).
Each one found there is checked: by a function below named like it, and by
tests/examples/test_<name>.py when that exists (run with the binaries of
BIN_DIR; e.g. tcp_forwarder's 50 MB slow-reader test, health_check's checks).
An example with neither fails the run, so a new example needs a check.
Everything listens on 127.0.0.1 only; the DNS example is pointed at a DNS
server started here. Exits 1 on any failure.
"""
import os
import queue
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "."
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


class Proc:
    """A started example; its stdout lines arrive on a queue, stderr goes to a buffer."""

    def __init__(self, *args):
        self.p = subprocess.Popen([os.path.join(BIN, args[0]), *args[1:]], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.lines, self.err = queue.Queue(), []
        threading.Thread(target=lambda: [self.lines.put(l.rstrip("\n")) for l in self.p.stdout], daemon=True).start()
        threading.Thread(target=lambda: [self.err.append(l) for l in self.p.stderr], daemon=True).start()

    def wait_line(self, predicate, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if predicate(line):
                return line
        return None

    def stderr_has(self, text, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(text in l for l in self.err):
                return True
            time.sleep(0.02)
        return False

    def stop(self, signum=signal.SIGTERM, timeout=5):
        if self.p.poll() is None:
            self.p.send_signal(signum)
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return None


def run(*args, timeout=20):
    start = time.monotonic()
    r = subprocess.run([os.path.join(BIN, args[0]), *args[1:]], capture_output=True, text=True, timeout=timeout)
    return r, time.monotonic() - start


def line_server():
    server = Proc("line_server", "--port", "0", "--high-water", "65536")
    try:
        listening = server.wait_line(lambda l: l.startswith("listening "))
        check(listening is not None, "line_server prints its address")
        if not listening:
            return
        port = int(listening.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"hello world\nMixed Case 123\n")
            got = b""
            while got.count(b"\n") < 2:
                got += s.recv(4096)
            check(got == b"HELLO WORLD\nMIXED CASE 123\n", "line_server upper-cases each line")

        # A peer that sends 16 MiB without reading: the server must pause it,
        # then deliver every reply once the peer reads.
        lines = [b"line %08d abcdefghijklmnopqrstuvwxyz 0123456789 padding-pad\n" % i for i in range(262144)]
        payload = b"".join(lines)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            def send_all():
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
            sender = threading.Thread(target=send_all, daemon=True)
            sender.start()
            check(server.stderr_has("paused", timeout=15), "line_server pauses a peer that does not read")
            chunks = []
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
            sender.join(10)
            received = b"".join(chunks)
            check(received == payload.upper(), f"line_server delivers all {len(payload)} bytes in order after pausing")
        check(server.stderr_has("resumed", timeout=5), "line_server resumes once the replies drain")
    finally:
        check(server.stop() == 0, "line_server exits 0 on SIGTERM")


def udp_peer(replies_from):
    """A UDP peer on loopback that answers datagram number >= replies_from (1-based) with b"pong:" + it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    seen = []

    def serve():
        while True:
            try:
                data, peer = sock.recvfrom(2048)
            except OSError:
                return
            seen.append(data)
            if replies_from and len(seen) >= replies_from:
                sock.sendto(b"pong:" + data, peer)
    threading.Thread(target=serve, daemon=True).start()
    return sock, seen


def udp_client():
    sock, seen = udp_peer(replies_from=2)  # loses the first request
    port = sock.getsockname()[1]
    r, _ = run("udp_client", "--server", f"127.0.0.1:{port}", "--timeout", "0.3", "--retries", "3", "hello")
    check(r.returncode == 0, "udp_client exits 0 when a retry is answered")
    check(r.stdout.strip() == "reply after 2 attempt(s): pong:hello", "udp_client reports the reply and 2 attempts")
    check(seen == [b"hello", b"hello"], "udp_client sent exactly 2 requests")
    sock.close()

    sock, seen = udp_peer(replies_from=0)  # never answers
    port = sock.getsockname()[1]
    r, elapsed = run("udp_client", "--server", f"127.0.0.1:{port}", "--timeout", "0.2", "--retries", "2", "x")
    check(r.returncode == 1, "udp_client exits 1 when nothing answers")
    time.sleep(0.1)
    check(len(seen) == 3, f"udp_client tried 1 + 2 retries (peer saw {len(seen)})")
    check(0.55 <= elapsed < 5, f"udp_client gave up after 3 timeouts of 0.2 s ({elapsed:.2f} s)")
    sock.close()


def dns_server(delay):
    """A DNS server on 127.0.0.1: hN.example.test has A 127.0.x.y (N = 256x + y)
    and no AAAA; every other name is NXDOMAIN. Each answer waits `delay` seconds,
    so lookups only finish fast if they are in flight together."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    state = {"in_flight": 0, "max_in_flight": 0, "queries": 0}
    lock = threading.Lock()

    def answer(query, peer):
        qid, flags = struct.unpack("!HH", query[:4])
        pos, labels = 12, []
        while query[pos]:
            labels.append(query[pos + 1:pos + 1 + query[pos]].decode().lower())
            pos += 1 + query[pos]
        qtype = struct.unpack("!H", query[pos + 1:pos + 3])[0]
        question = query[12:pos + 5]
        name = ".".join(labels)
        records, rcode = b"", 3
        if len(labels) == 3 and labels[1:] == ["example", "test"] and labels[0][1:].isdigit() and labels[0][0] == "h":
            rcode, n = 0, int(labels[0][1:])
            if qtype == 1:
                records = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + bytes([127, 0, n // 256, n % 256])
        header = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100) | rcode, 1, 1 if records else 0, 0, 0)
        sock.sendto(header + question + records, peer)
        with lock:
            state["in_flight"] -= 1
        return name

    def serve():
        while True:
            try:
                query, peer = sock.recvfrom(4096)
            except OSError:
                return
            with lock:
                state["queries"] += 1
                state["in_flight"] += 1
                state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
            threading.Timer(delay, answer, (query, peer)).start()
    threading.Thread(target=serve, daemon=True).start()
    return sock, state


def hosts_addresses(name):
    found = set()
    with open("/etc/hosts") as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if len(fields) > 1 and name in fields[1:]:
                found.add(fields[0])
    return found


def dns_lookups():
    sock, state = dns_server(delay=0.3)
    server = f"127.0.0.1:{sock.getsockname()[1]}"
    names = [f"h{n}.example.test" for n in range(100)] + ["localhost"]
    r, elapsed = run("dns_lookups", "--dns-server", server, "--concurrency", "64", "--timeout", "3", *names)
    check(r.returncode == 0, "dns_lookups exits 0 when every name resolves")
    results = {l.split()[0]: l.split()[1:] for l in r.stdout.splitlines() if l.strip()}
    expected = {f"h{n}.example.test": [f"127.0.{n // 256}.{n % 256}"] for n in range(100)}
    check(all(results.get(k) == v for k, v in expected.items()), "dns_lookups prints each name's address")
    check(set(results.get("localhost", [])) == hosts_addresses("localhost") != set(),
          "dns_lookups answers localhost from /etc/hosts")
    # 100 names x (A + AAAA) at 0.3 s each take 60 s one at a time.
    check(state["max_in_flight"] >= 32, f"dns_lookups keeps many queries in flight (max {state['max_in_flight']})")
    check(elapsed < 8, f"dns_lookups finishes 100 slow lookups concurrently ({elapsed:.2f} s)")

    r, _ = run("dns_lookups", "--dns-server", server, "missing.example.test")
    check(r.returncode == 1, "dns_lookups exits 1 when a name fails")
    check(r.stdout.strip() == "missing.example.test error NXDOMAIN", "dns_lookups reports NXDOMAIN")
    sock.close()


def daemon():
    d = Proc("daemon", "--interval", "0.1", "--stats-interval", "0.25")
    try:
        check(d.wait_line(lambda l: l == "started") is not None, "daemon starts")
        check(d.wait_line(lambda l: l == "tick 3") is not None, "daemon ticks every interval")
        check(d.wait_line(lambda l: l.startswith("stats ticks=")) is not None, "daemon prints stats")
        d.p.send_signal(signal.SIGHUP)
        check(d.wait_line(lambda l: l == "reload") is not None, "daemon reloads on SIGHUP")
        check(d.p.poll() is None, "daemon keeps running after SIGHUP")
        d.p.send_signal(signal.SIGTERM)
        check(d.wait_line(lambda l: l == "stopped SIGTERM") is not None, "daemon stops on SIGTERM")
        rc = d.p.wait(5)
        check(rc == 0, "daemon returns from Loop::run() and exits 0")
    finally:
        d.stop(signal.SIGKILL)


def echo_peer():
    """A TCP echo server on 127.0.0.1 (one thread per connection)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve(conn):
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)

    def accept():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
    threading.Thread(target=accept, daemon=True).start()
    return listener


def echo_through(port, payload):
    """Sends payload to 127.0.0.1:port, half-closes, returns everything read back until EOF."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def co_echo_server():
    server = Proc("co_echo_server", "0")
    try:
        listening = server.wait_line(lambda l: l.startswith("listening "))
        check(listening is not None, "co_echo_server prints its address")
        if listening:
            payload = os.urandom(1 << 20)
            check(echo_through(int(listening.rsplit(":", 1)[1]), payload) == payload,
                  "co_echo_server echoes 1 MiB and closes after the client's FIN")
    finally:
        server.stop(signal.SIGKILL)


def co_port_forwarder():
    peer = echo_peer()
    forwarder = Proc("co_port_forwarder", "0", "localhost", str(peer.getsockname()[1]))
    try:
        listening = forwarder.wait_line(lambda l: l.startswith("listening "))
        check(listening is not None, "co_port_forwarder prints its address")
        if listening:
            payload = os.urandom(4 << 20)
            check(echo_through(int(listening.rsplit(":", 1)[1]), payload) == payload,
                  "co_port_forwarder carries 4 MiB both ways to an echo peer by name, FIN passed on")
    finally:
        forwarder.stop(signal.SIGKILL)
        peer.close()


def co_http_get():
    """A one-shot HTTP server on loopback: the request line must name the
    file asked; the body must come out on stdout; a refused port is a failure."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    body = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    requests = []

    def serve():
        conn, _ = listener.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            requests.append(data)
            conn.sendall(body)
    threading.Thread(target=serve, daemon=True).start()
    r, _ = run("co_http_get", "--host", "localhost", "--port", str(listener.getsockname()[1]), "--path", "/x.txt")
    listener.close()
    # run() reads text, which turns \r\n into \n.
    check(r.returncode == 0 and r.stdout == body.decode().replace("\r\n", "\n"), "co_http_get prints the whole response, exits 0")
    check(bool(requests) and requests[0].startswith(b"GET /x.txt HTTP/1.0\r\n"), "co_http_get sends GET /x.txt HTTP/1.0")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    r, _ = run("co_http_get", "--host", "127.0.0.1", "--port", str(port))
    check(r.returncode == 1 and r.stderr.strip() != "", "co_http_get reports a refused connection and exits 1")


def example_test(name, script):
    """tests/examples/test_<name>.py against BIN_DIR's binaries: it finds them
    as $NR_BUILD_DIR/examples/<name> (and tcp_forwarder as $TCP_FORWARDER)."""
    tree = tempfile.mkdtemp(prefix="nr-examples-")
    try:
        os.symlink(os.path.abspath(BIN), os.path.join(tree, "examples"))
        env = dict(os.environ, NR_BUILD_DIR=tree, TCP_FORWARDER=os.path.join(os.path.abspath(BIN), "tcp_forwarder"),
                   PYTHONPATH=os.path.join(SOURCE, "tests", "e2e"), PYTHONDONTWRITEBYTECODE="1")
        r = subprocess.run([sys.executable, script], env=env, capture_output=True, text=True, timeout=300)
        check(r.returncode == 0, f"{name}: tests/examples/{os.path.basename(script)} passes")
        if r.returncode != 0:
            print((r.stdout + r.stderr)[-3000:], flush=True)
    finally:
        shutil.rmtree(tree, ignore_errors=True)


SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CHECKS = {f.__name__: f for f in (line_server, udp_client, dns_lookups, daemon, co_echo_server, co_port_forwarder,
                                   co_http_get)}
examples = sorted(n for n in os.listdir(BIN) if os.access(os.path.join(BIN, n), os.X_OK)
                  and os.path.isfile(os.path.join(BIN, n)) and os.path.exists(os.path.join(SOURCE, "examples", n + ".cpp")))
check(len(examples) > 0, f"examples found in {BIN}")
for name in examples:
    script = os.path.join(SOURCE, "tests", "examples", f"test_{name}.py")
    if name not in CHECKS and not os.path.exists(script):
        check(False, f"{name}: no check (add one to tests/install/run_examples.py or tests/examples/test_{name}.py)")
        continue
    try:
        if name in CHECKS:
            CHECKS[name]()
        if os.path.exists(script):
            example_test(name, script)
    except Exception as e:  # a crash in one check must not hide the others
        check(False, f"{name}: {type(e).__name__}: {e}")

print(f"examples: {len(examples)} run, {len(failures)} failed checks", flush=True)
sys.exit(1 if failures else 0)
