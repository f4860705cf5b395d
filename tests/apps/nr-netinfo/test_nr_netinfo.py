"""End-to-end tests of nr-netinfo: every value is compared with an independent
source -- Python's socket module (which calls the C library), /etc/services
read line by line, `ip -j addr` (iproute2), `getent` and the ipaddress module.
"""
import ipaddress
import json
import shutil
import socket
import struct
import subprocess
import sys
import unittest

import nrtest

TOOL = "nr-netinfo"


def check(value, definition=None):
    """Validates against docs/json/nr-netinfo.schema.json, and one of its $defs if named."""
    nrtest.validate(TOOL, value, definition)


def hosts_file_names():
    names = set()
    with open("/etc/hosts") as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            names.update(fields[1:])
    return names


def services_file():
    """(name, port, proto, aliases) for every line of /etc/services, in order."""
    entries = []
    with open("/etc/services") as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if len(fields) < 2:
                continue
            port, proto = fields[1].split("/")
            entries.append((fields[0], int(port), proto, fields[2:]))
    return entries


class Host(unittest.TestCase):
    def test_host_name_and_its_addresses_agree_with_the_c_library(self):
        name = socket.gethostname()
        if name not in hosts_file_names():
            # Resolving a name the hosts file does not know could query DNS.
            self.skipTest(f"{name} is not in /etc/hosts")
        r = nrtest.run_tool(TOOL, "host")
        self.assertEqual(r.returncode, 0, r)
        report = r.json
        check(report, "host")
        self.assertEqual(report["hostname"], name)
        expected = []
        for family, _, _, _, sockaddr in socket.getaddrinfo(name, None, 0, socket.SOCK_STREAM):
            entry = {"family": "ipv4" if family == socket.AF_INET else "ipv6", "address": sockaddr[0]}
            if entry not in expected:
                expected.append(entry)
        self.assertEqual(report["addresses"], expected)
        self.assertTrue(expected)
        # getent ahosts (NSS, another program) knows the same set of addresses.
        getent = subprocess.run(["getent", "ahosts", name], capture_output=True, text=True, timeout=10)
        self.assertEqual(getent.returncode, 0, getent.stderr)
        self.assertEqual({line.split()[0] for line in getent.stdout.splitlines()},
                         {a["address"] for a in report["addresses"]})
        # gethostbyname, the seed's call, gives the first IPv4 address.
        first_v4 = next(a["address"] for a in report["addresses"] if a["family"] == "ipv4")
        self.assertEqual(first_v4, socket.gethostbyname(name))

    def test_no_lookup_prints_no_addresses(self):
        r = nrtest.run_tool(TOOL, "host", "--no-lookup")
        self.assertEqual(r.returncode, 0, r)
        check(r.json, "host")
        self.assertNotIn("addresses", r.json)
        self.assertEqual(r.json["hostname"], socket.gethostname())

    @unittest.skipUnless(shutil.which("ip"), "iproute2 not installed")
    def test_interfaces_agree_with_iproute2(self):
        r = nrtest.run_tool(TOOL, "host", "--no-lookup")
        ours = {i["name"]: i for i in r.json["interfaces"]}
        ip = json.loads(subprocess.run(["ip", "-j", "addr"], capture_output=True, text=True, timeout=10,
                                       check=True).stdout)
        self.assertEqual(set(ours), {link["ifname"] for link in ip})
        self.assertEqual({name: i["index"] for name, i in ours.items()},
                         {name: index for index, name in socket.if_nameindex()})
        compared_flags = {"up", "broadcast", "loopback", "multicast", "noarp", "pointopoint", "promisc"}
        for link in ip:
            mine = ours[link["ifname"]]
            self.assertEqual(mine["index"], link["ifindex"])
            if link.get("address") and link.get("link_type") in ("ether", "loopback"):
                self.assertEqual(mine["mac"], link["address"], link["ifname"])
            self.assertEqual(set(mine["flags"]) & compared_flags,
                             {f.lower() for f in link["flags"]} & compared_flags, link["ifname"])
            self.assertEqual(mine["internal"], "LOOPBACK" in link["flags"])
            want = sorted((a["family"].replace("inet6", "ipv6").replace("inet", "ipv4"), a["local"], a["prefixlen"])
                          for a in link["addr_info"])
            got = sorted((a["family"], a["address"], a["prefix_length"]) for a in mine["addresses"])
            self.assertEqual(got, want, link["ifname"])
            for a in mine["addresses"]:
                mask_bits = bin(int(ipaddress.ip_address(a["netmask"]))).count("1")
                self.assertEqual(mask_bits, a["prefix_length"])
                if "broadcast" in a:
                    self.assertEqual(a["broadcast"], next(x["broadcast"] for x in link["addr_info"]
                                                          if x["local"] == a["address"]))


class Ipv4(unittest.TestCase):
    VALID = ["127.0.0.1", "192.168.0.1", "127.1", "0x7f.1", "0177.0.0.1", "2130706433", "10.1", "1.2.65535",
             "255.255.255.255", "0.0.0.0", "169.254.3.4", "224.0.0.251", "172.31.255.255", "172.32.0.0",
             "100.64.1.1", "192.0.2.200", "240.1.2.3", "1.2.3.4 trailing"]
    INVALID = ["256.1.1.1", "1.2.3.4.5", "08", "0x", "1.2.3.", "", "abc", "1.2.3.4x", "4294967296"]

    def test_each_input_agrees_with_inet_aton(self):
        args = []
        for good, bad in zip(self.VALID, self.INVALID + [None] * len(self.VALID)):
            args.append(good)
            if bad is not None:
                args.append(bad)
        r = nrtest.run_tool(TOOL, "ipv4", *args)
        self.assertEqual(r.returncode, 1, r)  # some inputs are invalid
        self.assertEqual([e["input"] for e in r.lines], args)
        for entry in r.lines:
            check(entry)
            text = entry["input"]
            try:
                packed = socket.inet_aton(text)
            except OSError:
                check(entry, "entry_error")
                self.assertEqual(entry["error"]["code"], "EINVAL")
                continue
            check(entry, "ipv4")
            self.assertEqual(entry["packed_hex"], packed.hex(), text)
            self.assertEqual(entry["address"], socket.inet_ntoa(packed))
            self.assertEqual(entry["host_order"], struct.unpack("!I", packed)[0])
            self.assertEqual(entry["network_order"], struct.unpack("=I", packed)[0])
            self.assertEqual(entry["syntax"], "aton")
            self.assertEqual(entry["parts"], text.split()[0].count(".") + 1)
            self.assertEqual("ignored_suffix" in entry, " " in text)
            addr = ipaddress.IPv4Address(packed)
            flags = entry["flags"]
            self.assertEqual(flags["loopback"], addr.is_loopback, text)
            self.assertEqual(flags["multicast"], addr.is_multicast, text)
            self.assertEqual(flags["link_local"], addr.is_link_local, text)
            self.assertEqual(flags["unspecified"], addr.is_unspecified, text)
            self.assertEqual(flags["reserved"], addr.is_reserved, text)
            for special in ("private", "documentation", "benchmarking", "broadcast"):
                if flags[special]:
                    self.assertTrue(addr.is_private, f"{text} {special}")

    def test_seed_values(self):
        # The seed's recipe 1.3: inet_aton('192.168.0.1') packs to c0a80001.
        r = nrtest.run_tool(TOOL, "ipv4", "192.168.0.1")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.json["packed_hex"], socket.inet_aton("192.168.0.1").hex())

    def test_strict_follows_inet_pton(self):
        args = ["127.0.0.1", "127.1", "0x7f.0.0.1", "01.2.3.4", "1.2.3.4", "255.255.255.255", "1.2.3.4 x"]
        r = nrtest.run_tool(TOOL, "ipv4", "--strict", *args)
        self.assertEqual(r.returncode, 1, r)
        for entry in r.lines:
            check(entry)
            try:
                packed = socket.inet_pton(socket.AF_INET, entry["input"])
            except OSError:
                self.assertIn("error", entry, entry)
                continue
            self.assertEqual(entry["packed_hex"], packed.hex())
            self.assertEqual(entry["syntax"], "strict")

    def test_all_valid_exits_zero(self):
        r = nrtest.run_tool(TOOL, "ipv4", "10.0.0.1", "127.1")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(len(r.lines), 2)


class Ip(unittest.TestCase):
    def test_ipv6_and_ipv4_agree_with_inet_pton_and_ipaddress(self):
        args = ["::1", "::", "2001:db8::1", "fe80::1%lo", "fd12:3456::7", "ff02::1", "fec0::1", "::ffff:10.0.0.1",
                "2001:0DB8:0000:0000:0000:0000:0000:0001", "10.1.2.3", "127.0.0.1", "1:2:3:4:5:6:7:8",
                "not-an-address", "1::2::3", "127.1"]
        r = nrtest.run_tool(TOOL, "ip", *args)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual([e["input"] for e in r.lines], args)
        for entry in r.lines:
            check(entry)
            text, _, scope = entry["input"].partition("%")
            family = socket.AF_INET6 if ":" in text else socket.AF_INET
            try:
                packed = socket.inet_pton(family, text)
            except OSError:
                check(entry, "entry_error")
                continue
            check(entry, "ip")
            self.assertEqual(entry["packed_hex"], packed.hex())
            self.assertEqual(entry["address"], socket.inet_ntop(family, packed))
            addr = ipaddress.ip_address(packed)
            self.assertEqual(entry["family"], f"ipv{addr.version}")
            self.assertEqual(entry["flags"]["loopback"], addr.is_loopback)
            self.assertEqual(entry["flags"]["multicast"], addr.is_multicast)
            self.assertEqual(entry["flags"]["link_local"], addr.is_link_local)
            self.assertEqual(entry["flags"]["unspecified"], addr.is_unspecified)
            if addr.version == 6:
                self.assertEqual(entry["exploded"], addr.exploded)
                self.assertEqual(entry["flags"]["site_local"], addr.is_site_local)
                mapped = addr.ipv4_mapped
                self.assertEqual(entry["flags"]["ipv4_mapped"], mapped is not None)
                if mapped is not None:
                    self.assertEqual(entry["ipv4_mapped"], str(mapped))
                if entry["flags"]["unique_local"]:
                    self.assertTrue(addr.is_private)
            if scope:
                self.assertEqual(entry["scope"], scope)
                self.assertEqual(entry["scope_id"], socket.if_nametoindex(scope))


    # Inputs where the tool and Python's ipaddress must agree, and the zone
    # rules of RFC 4007 with the limits of an interface name (issue 11).
    DIFFERENTIAL = ["::1", "[::1]", "[::1]:53", "[fe80::1%lo]", "fe80::1%", "fe80::1%lo%lo", "fe80::1%%",
                    "fe80::1%lo", "fe80::1%1", "ff02::1%eth0.100", "::1%x", "%lo", "127.0.0.1%lo",
                    "127.0.0.1", "127.1", "01.2.3.4", "256.1.1.1", "1.2.3.4.", "::ffff:1.2.3.4",
                    "::ffff:1.2.3", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::",
                    "::1 ", " ::1", "g::1", "", "[]", "[1,2]", "fe80::1%" + "z" * 15]
    # Zones Python's ipaddress accepts but no interface name can be.
    LONGER_THAN_AN_INTERFACE_NAME = ["fe80::1%" + "z" * 16, "fe80::1%" + "a" * 300, "fe80::1%a b"]

    def test_as_strict_as_inet_pton_and_ipaddress(self):
        args = self.DIFFERENTIAL + self.LONGER_THAN_AN_INTERFACE_NAME
        r = nrtest.run_tool(TOOL, "ip", *args)
        self.assertEqual([e["input"] for e in r.lines], args, "every input reported exactly as written")
        for entry in r.lines:
            check(entry)
            text = entry["input"]
            try:
                python = ipaddress.ip_address(text)
            except ValueError:
                python = None
            if text in self.LONGER_THAN_AN_INTERFACE_NAME:
                self.assertIsNotNone(python, text)
                self.assertIn("error", entry, text)
                continue
            self.assertEqual("error" not in entry, python is not None, entry)
            if python is None:
                check(entry, "entry_error")
                self.assertEqual(entry["error"]["code"], "EINVAL")
                continue
            address, _, zone = text.partition("%")
            family = socket.AF_INET6 if python.version == 6 else socket.AF_INET
            self.assertEqual(entry["packed_hex"], socket.inet_pton(family, address).hex(), text)
            self.assertEqual(entry.get("scope", ""), zone, text)
        self.assertEqual(r.returncode, 1, r)

    def test_brackets_are_judged_as_written(self):
        r = nrtest.run_tool(TOOL, "ip", "[::1]")
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(r.lines[0]["input"], "[::1]")
        self.assertIn("brackets", r.lines[0]["error"]["message"])


class Service(unittest.TestCase):
    def test_every_port_of_the_services_file_both_directions(self):
        entries = services_file()
        self.assertGreater(len(entries), 10)
        first_by_port = {}
        first_by_name = {}
        for name, port, proto, aliases in entries:
            first_by_port.setdefault((port, proto), (name, aliases))
            for known_as in [name, *aliases]:  # the C library matches aliases too
                first_by_name.setdefault((known_as, proto), port)
        port_specs = [f"{port}/{proto}" for (port, proto) in first_by_port]
        name_specs = [f"{name}/{proto}" for (name, proto) in first_by_name]
        r = nrtest.run_tool(TOOL, "service", *port_specs, *name_specs)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(len(r.lines), len(port_specs) + len(name_specs))
        for entry in r.lines:
            check(entry, "service")
            spec, proto = entry["input"].split("/")
            self.assertEqual(entry["protocol"], proto)
            if entry["query"] == "port":
                name, aliases = first_by_port[(int(spec), proto)]
                self.assertEqual((entry["port"], entry["name"], entry["aliases"]), (int(spec), name, aliases))
                self.assertEqual(entry["name"], socket.getservbyport(int(spec), proto))
            else:
                self.assertEqual(entry["port"], first_by_name[(spec, proto)])
                self.assertEqual(entry["port"], socket.getservbyname(spec, proto))

    def test_seed_lookups_and_protocol_defaults(self):
        args = ["80/tcp", "25/tcp", "53/udp", "http", "domain/udp", "smtp"]
        r = nrtest.run_tool(TOOL, "service", *args)
        self.assertEqual(r.returncode, 0, r)
        by_input = {e["input"]: e for e in r.lines}
        self.assertEqual(by_input["80/tcp"]["name"], socket.getservbyport(80, "tcp"))
        self.assertEqual(by_input["25/tcp"]["name"], socket.getservbyport(25, "tcp"))
        self.assertEqual(by_input["53/udp"]["name"], socket.getservbyport(53, "udp"))
        self.assertEqual(by_input["http"]["port"], socket.getservbyname("http"))
        self.assertEqual(by_input["domain/udp"]["port"], socket.getservbyname("domain", "udp"))
        self.assertEqual(by_input["smtp"]["port"], socket.getservbyname("smtp"))

    def test_unknown_and_malformed_give_error_entries(self):
        known_tcp_ports = {port for _, port, proto, _ in services_file() if proto == "tcp"}
        unknown_port = next(p for p in range(1, 65536) if p not in known_tcp_ports)
        args = ["http", "no-such-service-xyz", f"{unknown_port}/tcp", "65536", "80/", "ssh"]
        r = nrtest.run_tool(TOOL, "service", *args)
        self.assertEqual(r.returncode, 1, r)
        codes = [e.get("error", {}).get("code") for e in r.lines]
        self.assertEqual(codes, [None, "ENOENT", "ENOENT", "EINVAL", "EINVAL", None])
        for entry in r.lines:
            check(entry)
        with self.assertRaises(OSError):
            socket.getservbyport(unknown_port, "tcp")


class ByteOrder(unittest.TestCase):
    def test_conversions_agree_with_the_c_library(self):
        values = ["1234", "0", "1", "80", "65535", "0x1234", "65536", "4294967295", "3523477504"]
        r = nrtest.run_tool(TOOL, "byteorder", *values)
        self.assertEqual(r.returncode, 1, r)  # 65536 and above have no 16-bit form
        for entry in r.lines:
            check(entry, "byteorder")
            n = int(entry["input"], 0)
            self.assertEqual(entry["value"], n)
            self.assertEqual(entry["host_byte_order"], sys.byteorder)
            self.assertEqual(entry["htonl"], socket.htonl(n))
            self.assertEqual(entry["ntohl"], socket.ntohl(n))
            try:
                expected16 = (socket.htons(n), socket.ntohs(n))
            except OverflowError:
                self.assertNotIn("htons", entry)
                self.assertEqual(entry["error"]["code"], "ERANGE")
                continue
            self.assertEqual((entry["htons"], entry["ntohs"]), expected16)
            self.assertNotIn("error", entry)

    def test_width_32_has_no_range_error(self):
        r = nrtest.run_tool(TOOL, "byteorder", "--width", "32", "70000")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.json["htonl"], socket.htonl(70000))
        self.assertNotIn("htons", r.json)

    def test_invalid_numbers(self):
        r = nrtest.run_tool(TOOL, "byteorder", "12", "4294967296", "0x", "12abc")
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual([("error" in e) for e in r.lines], [False, True, True, True])
        for entry in r.lines[1:]:
            check(entry, "entry_error")


class Usage(unittest.TestCase):
    def test_no_subcommand_is_a_usage_error(self):
        r = nrtest.run_tool(TOOL)
        self.assertEqual(r.returncode, 2, r)
        check(r.json, "usage_error")
        self.assertIn("EUSAGE", r.stderr)

    def test_bad_width(self):
        r = nrtest.run_tool(TOOL, "byteorder", "--width", "8", "1")
        self.assertEqual(r.returncode, 2, r)
        check(r.json, "usage_error")

    def run_text(self, *args):
        return subprocess.run([nrtest.tool_path(TOOL), *args], capture_output=True, text=True, timeout=10)

    def test_help_of_every_subcommand_has_an_example(self):
        for sub in ([], ["host"], ["ipv4"], ["ip"], ["service"], ["byteorder"]):
            r = self.run_text(*sub, "--help")
            self.assertEqual(r.returncode, 0, r)
            self.assertIn("nr-netinfo " + (sub[0] if sub else ""), r.stdout)
            self.assertRegex(r.stdout, r"Examples?:")

    def test_version_and_pretty(self):
        r = self.run_text("--version")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("nr-netinfo", r.stdout)
        r = self.run_text("--pretty", "ipv4", "127.1")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(json.loads(r.stdout)["address"], "127.0.0.1")
        self.assertGreater(len(r.stdout.splitlines()), 3)


if __name__ == "__main__":
    nrtest.main()
