"""Misbehaving echo servers for nr-echo-client's tests, on loopback.

    python3 echo_peers.py BEHAVIOUR [HOST]

Binds a free port (TCP, or UDP for the udp-* behaviours), prints
{"event":"listening","proto":...,"port":...} and serves until killed:

  silent       accepts and reads, never answers
  close        accepts, reads the first bytes, closes without echoing
  short        echoes all but the last byte of what it reads first, then closes
  reset        echoes half of what it reads first, then resets (RST)
  corrupt      echoes everything with byte 5 of the stream flipped
  corrupt-late echoes faithfully, but flips one byte after 100,000 bytes
  extra        echoes what it reads plus one byte more
  backlog      listens with a full accept queue: connections are never established
  slow-start   echoes faithfully, but the first echo of each connection SLOW_START s late
  udp-silent   receives datagrams, never answers
  udp-short    echoes every datagram without its last byte
  udp-corrupt  echoes every datagram with its first byte flipped
  udp-slow-start echoes faithfully, but the first datagram SLOW_START s late (those
               behind it wait, in order)
"""
import json
import socket
import struct
import sys
import threading
import time

# How late slow-start's first echoes are, seconds.
SLOW_START = 0.4


def flip(data, index):
    return data[:index] + bytes([data[index] ^ 0xFF]) + data[index + 1:]


def serve_tcp(conn, behaviour):
    try:
        if behaviour == "silent":
            while conn.recv(65536):
                pass
            return
        if behaviour == "corrupt-late":
            seen = 0
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                if seen <= 100_000 < seen + len(data):
                    data = flip(data, 100_000 - seen)
                seen += len(data)
                conn.sendall(data)
        data = conn.recv(65536)
        if behaviour == "close":
            return
        if behaviour == "short":
            conn.sendall(data[:-1])
            return
        if behaviour == "reset":
            conn.sendall(data[:len(data) // 2])
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if behaviour == "corrupt":
            conn.sendall(flip(data, min(5, len(data) - 1)))
        elif behaviour == "extra":
            conn.sendall(data + b"!")
        elif behaviour == "slow-start":
            time.sleep(SLOW_START)
            conn.sendall(data)
        while data:
            data = conn.recv(65536)
            conn.sendall(data)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    behaviour = sys.argv[1]
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if behaviour.startswith("udp-"):
        sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.bind((host, 0))
        print(json.dumps({"event": "listening", "proto": "udp", "port": sock.getsockname()[1]}), flush=True)
        first = True
        while True:
            data, peer = sock.recvfrom(65536)
            if behaviour == "udp-slow-start":
                if first:
                    time.sleep(SLOW_START)  # in line: the datagrams behind it keep their order
                    first = False
                sock.sendto(data, peer)
            elif behaviour == "udp-short":
                sock.sendto(data[:-1], peer)
            elif behaviour == "udp-corrupt":
                sock.sendto(flip(data, 0), peer)
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, 0))
    port = listener.getsockname()[1]
    if behaviour == "backlog":
        # A backlog of 0 still queues one connection: fill it, then never
        # accept, so further handshakes are never answered.
        listener.listen(0)
        fillers = []
        for _ in range(2):
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect((host, port))
            except BlockingIOError:
                pass
            fillers.append(s)
        print(json.dumps({"event": "listening", "proto": "tcp", "port": port}), flush=True)
        threading.Event().wait()
    listener.listen(128)
    print(json.dumps({"event": "listening", "proto": "tcp", "port": port}), flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve_tcp, args=(conn, behaviour), daemon=True).start()


if __name__ == "__main__":
    main()
