"""NTP wire format for the tests, written from RFC 5905 independently of the
C++ codec: pack and unpack the 48-byte header, convert Unix nanoseconds to and
from NTP timestamps, ask a server for the time with a random nonce."""
import os
import socket
import struct
import time

NTP_UNIX_DELTA = 2208988800
ERA = 1 << 32
HEADER = struct.Struct("!BBbbIII8s8s8s8s")


def to_ntp(unix_ns):
    """Unix nanoseconds -> 64-bit NTP timestamp (era dropped)."""
    seconds, nanos = divmod(unix_ns, 10**9)
    fraction = ((nanos << 32) + 500_000_000) // 10**9
    return (((seconds + NTP_UNIX_DELTA) % ERA) << 32) | fraction


def from_ntp(ts, pivot_ns):
    """64-bit NTP timestamp -> Unix nanoseconds, in the era nearest pivot."""
    seconds, fraction = ts >> 32, ts & 0xFFFFFFFF
    pivot = pivot_ns // 10**9 + NTP_UNIX_DELTA
    candidate = (pivot // ERA) * ERA + seconds
    if candidate - pivot >= ERA // 2:
        candidate -= ERA
    elif pivot - candidate > ERA // 2:
        candidate += ERA
    return (candidate - NTP_UNIX_DELTA) * 10**9 + ((fraction * 10**9 + (1 << 31)) >> 32)


def pack(leap=0, version=4, mode=4, stratum=2, poll=0, precision=-20, root_delay=0, root_dispersion=0, ref_id=0,
         reference=0, origin=0, receive=0, transmit=0):
    return HEADER.pack((leap << 6) | (version << 3) | mode, stratum, poll, precision, root_delay, root_dispersion,
                       ref_id, *(t.to_bytes(8, "big") for t in (reference, origin, receive, transmit)))


def unpack(data):
    first, stratum, poll, precision, root_delay, root_dispersion, ref_id, *stamps = HEADER.unpack(data[:48])
    reference, origin, receive, transmit = (int.from_bytes(s, "big") for s in stamps)
    return dict(leap=first >> 6, version=(first >> 3) & 7, mode=first & 7, stratum=stratum, poll=poll,
                precision=precision, root_delay=root_delay, root_dispersion=root_dispersion, ref_id=ref_id,
                reference=reference, origin=origin, receive=receive, transmit=transmit)


def query(host, port, timeout=1.0, version=4, raw=None):
    """One SNTP exchange. Returns the reply's fields plus t1..t4 (ns), offset
    and delay (ns), or None on timeout. `raw` sends those bytes instead."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.connect((host, port))
        nonce = int.from_bytes(os.urandom(8), "big") | 1
        request = raw if raw is not None else pack(version=version, mode=3, stratum=0, precision=0, transmit=nonce)
        t1 = time.time_ns()
        m1 = time.monotonic_ns()
        s.send(request)
        try:
            data = s.recv(1024)
        except (socket.timeout, ConnectionRefusedError):
            return None
        t4 = t1 + time.monotonic_ns() - m1
    reply = unpack(data)
    reply["nonce"] = nonce
    reply["t1"], reply["t4"] = t1, t4
    reply["t2"], reply["t3"] = from_ntp(reply["receive"], t1), from_ntp(reply["transmit"], t1)
    reply["offset"] = ((reply["t2"] - t1) + (reply["t3"] - t4)) // 2
    reply["delay"] = (t4 - t1) - (reply["t3"] - reply["t2"])
    return reply


def rfc3339_to_ns(text):
    """'2040-06-01T12:00:00.250000000Z' -> Unix nanoseconds (any year)."""
    import calendar
    date, clock = text.rstrip("Z").split("T")
    hms, nanos = clock.split(".")
    y, mo, d = map(int, date.split("-"))
    h, mi, s = map(int, hms.split(":"))
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) * 10**9 + int(nanos)
