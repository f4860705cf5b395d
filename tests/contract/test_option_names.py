"""One name, one meaning (docs/exit-status.md, "Command lines").

A table of every option name the tools' --help lists (subcommands included):
what it means, the kinds of value it takes and the tools that have it. Each
tool's --help is read and checked against it: every name is in the table, the
names of one option all mean the same thing, the value is of the kinds
listed, and the tools are exactly those listed. So a new option, an option
name added to one more tool, or a name given a second meaning fails here
until someone decides, in this table, that the meaning is the same.
Deprecated names (hidden from --help) are checked apart: they still work,
with one notice on stderr.
"""
import re
import subprocess
import unittest

import nrtest

SERVERS = {"nr-echo-server", "nr-sntp-server", "nr-sockopt reuse-demo"}
CLIENTS = {"nr-fetch", "nr-echo-client", "nr-sntp"}
RESOLVING = {"nr-fetch", "nr-echo-client", "nr-sntp", "nr-resolve"}
TOOLS = ["nr-fetch", "nr-echo-client", "nr-sntp", "nr-resolve", "nr-echo-server", "nr-sntp-server", "nr-sockopt",
         "nr-netinfo"]
SUBCOMMANDS = {"nr-netinfo host", "nr-netinfo ipv4", "nr-netinfo ip", "nr-netinfo service", "nr-netinfo byteorder",
               "nr-sockopt reuse-demo"}
EVERYWHERE = set(TOOLS) | SUBCOMMANDS
FLAG = ""

# Canonical name -> (meaning, kinds of value (FLAG: none), where it is: "tool" or "tool subcommand").
MEANINGS = {
    "--help": ("print the help and exit", {FLAG}, EVERYWHERE),
    "--version": ("print the version and exit", {FLAG}, set(TOOLS)),
    "--pretty": ("indent the JSON output for humans", {FLAG}, set(TOOLS)),
    "--host": ("the server's address: the peer a client talks to, the address a server listens on",
               {"HOST", "HOST[:PORT]", "ADDRESS"}, CLIENTS | SERVERS),
    "--port": ("the server's port (for a client, when the host has none; 0 for a server: the kernel picks)",
               {"PORT"}, CLIENTS | SERVERS),
    "--ipv4": ("one address family: IPv4 (names: A records only)", {FLAG}, RESOLVING | {"nr-sockopt"}),
    "--ipv6": ("one address family: IPv6 (names: AAAA records only)", {FLAG}, RESOLVING | {"nr-sockopt"}),
    "--dns-server": ("DNS servers to ask instead of the system's, numeric, repeatable", {"IP[:PORT]"}, RESOLVING),
    "--timeout": ("a time limit in seconds, 0: no limit", {"SECONDS"}, RESOLVING | {"nr-sockopt"}),
    "--proto": ("the transport, tcp or udp", {"tcp|udp", "tcp|udp|tcp,udp|udp,tcp"},
                {"nr-echo-client", "nr-echo-server", "nr-sockopt"}),
    "--count": ("how many exchanges with each peer, one after the other", {"N"}, {"nr-echo-client", "nr-sntp"}),
    "--file": ("a file of inputs, one per line ('-': stdin)", {"TEXT"}, {"nr-resolve"}),
    "--path": ("the resource to GET", {"TEXT"}, {"nr-fetch"}),
    # One tool's own ideas.
    "--path-as-is": ("send the path with its dot segments", {FLAG}, {"nr-fetch"}),
    "--connect-timeout": ("limit of the whole connect phase, seconds", {"SECONDS"}, {"nr-fetch"}),
    "--location": ("follow HTTP redirects", {FLAG}, {"nr-fetch"}),
    "--max-redirs": ("the most redirects to follow", {"N"}, {"nr-fetch"}),
    "--json": ("a JSON summary instead of the body", {FLAG}, {"nr-fetch"}),
    "--fail": ("exit 1 on an HTTP status of 400 or above", {FLAG}, {"nr-fetch"}),
    "--udp": ("the same as --proto udp", {FLAG}, {"nr-echo-client"}),
    "--message": ("the text to send", {"TEXT"}, {"nr-echo-client"}),
    "--size": ("send N random bytes", {"N"}, {"nr-echo-client"}),
    "--seed": ("seed of the random payload", {"N"}, {"nr-echo-client"}),
    "--connections": ("load mode: connections", {"N"}, {"nr-echo-client"}),
    "--duration": ("load mode: seconds to run", {"SECONDS"}, {"nr-echo-client"}),
    "--warmup": ("load mode: seconds of load before --duration, not counted", {"SECONDS"}, {"nr-echo-client"}),
    "--pipeline": ("load mode: messages in flight per connection", {"N"}, {"nr-echo-client"}),
    "--interval": ("pause between two queries to one address, seconds", {"SECONDS"}, {"nr-sntp"}),
    "--format": ("the output format", {"json|text"}, {"nr-sntp"}),
    "--type": ("DNS record types to ask", {"TEXT"}, {"nr-resolve"}),
    "--reverse": ("the inputs are addresses: look up their PTR names", {FLAG}, {"nr-resolve"}),
    "--tries": ("rounds over the DNS servers", {"N"}, {"nr-resolve"}),
    "--concurrency": ("questions in flight at most", {"N"}, {"nr-resolve"}),
    "--hosts-file": ("answer from /etc/hosts first", {"on|off"}, {"nr-resolve"}),
    "--ordered": ("print answers in input order", {FLAG}, {"nr-resolve"}),
    "--id-offset": ("add N to every id", {"N"}, {"nr-resolve"}),
    "--backlog": ("the listen backlog", {"N"}, {"nr-echo-server"}),
    "--workers": ("loops on their own threads", {"N"}, {"nr-echo-server"}),
    "--max-connections": ("refuse connections beyond this many", {"N"}, {"nr-echo-server"}),
    "--idle-timeout": ("close a connection silent this long, seconds", {"SECONDS"}, {"nr-echo-server"}),
    "--drain-timeout": ("on a stop signal, wait this long for echoes, seconds", {"SECONDS"}, {"nr-echo-server"}),
    "--stall-timeout": ("close a peer whose echo makes no progress this long, seconds", {"SECONDS"},
                        {"nr-echo-server"}),
    "--high-water": ("stop reading a peer whose unsent echo exceeds this, bytes", {"N"}, {"nr-echo-server"}),
    "--max-queued": ("stop reading peers once all queue this many bytes", {"N"}, {"nr-echo-server"}),
    "--log-connections": ("print accepted/closed events", {FLAG}, {"nr-echo-server"}),
    "--stratum": ("the stratum to announce", {"N"}, {"nr-sntp-server"}),
    "--leap": ("the leap indicator to announce", {"N"}, {"nr-sntp-server"}),
    "--ref-id": ("the reference id to announce", {"TEXT"}, {"nr-sntp-server"}),
    "--family": ("the socket's address family", {"ipv4|ipv6"}, {"nr-sockopt"}),
    "--sndbuf": ("SO_SNDBUF to ask for", {"N"}, {"nr-sockopt"}),
    "--rcvbuf": ("SO_RCVBUF to ask for", {"N"}, {"nr-sockopt"}),
    "--bind": ("the local address to bind the socket to", {"ADDR[:PORT]"}, {"nr-sockopt"}),
    "--nodelay": ("set TCP_NODELAY", {FLAG}, {"nr-sockopt"}),
    "--no-nodelay": ("clear TCP_NODELAY", {FLAG}, {"nr-sockopt"}),
    "--reuseaddr": ("set SO_REUSEADDR", {FLAG}, {"nr-sockopt"}),
    "--no-reuseaddr": ("clear SO_REUSEADDR", {FLAG}, {"nr-sockopt"}),
    "--keepalive": ("set SO_KEEPALIVE", {FLAG}, {"nr-sockopt"}),
    "--no-keepalive": ("clear SO_KEEPALIVE", {FLAG}, {"nr-sockopt"}),
    "--nonblocking": ("set O_NONBLOCK", {FLAG}, {"nr-sockopt"}),
    "--blocking": ("clear O_NONBLOCK", {FLAG}, {"nr-sockopt"}),
    "--no-old-reuseaddr": ("first listener without SO_REUSEADDR", {FLAG}, {"nr-sockopt reuse-demo"}),
    "--no-lookup": ("do not resolve the host name", {FLAG}, {"nr-netinfo host"}),
    "--strict": ("accept only what inet_pton accepts", {FLAG}, {"nr-netinfo ipv4"}),
    "--width": ("which byte-order forms", {"16|32|both"}, {"nr-netinfo byteorder"}),
}

# Other names of an option -> its canonical name: a name listed here never names anything else.
ALIASES = {"-h": "--help", "-4": "--ipv4", "-6": "--ipv6", "-s": "--dns-server", "--server": "--dns-server",
           "--samples": "--count", "-f": "--file", "-t": "--type", "-x": "--reverse", "-c": "--concurrency",
           "-L": "--location"}

# Names kept for old scripts, hidden from --help: (tool, deprecated name) -> (its current name, a value,
# a command line it completes that runs without a server: a refused connection on a free port).
DEPRECATED = {("nr-fetch", "--file"): ("--path", "/x", ["--host", "127.0.0.1", "--port", "{dead}"])}

OPTION_LINE = re.compile(r"^  ((?:-[A-Za-z0-9],)?--?[A-Za-z0-9][A-Za-z0-9-]*(?:,--?[A-Za-z0-9][A-Za-z0-9-]*)*)"
                         r"(?: (\S+))?")


def help_text(where):
    tool, *sub = where.split(" ")
    proc = subprocess.run([nrtest.tool_path(tool), *sub, "--help"], capture_output=True, text=True, timeout=10,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, (where, proc.stderr)
    return proc.stdout


def section(text, title):
    """The lines of one section of CLI11's help ("Options:", "Subcommands:")."""
    if "\n" + title + "\n" not in text:
        return []
    return text.split("\n" + title + "\n", 1)[1].split("\n\n", 1)[0].splitlines()


def options_of(where):
    """(names, kind of value) of every option `where`'s --help lists."""
    out = []
    for line in section(help_text(where), "Options:"):
        match = OPTION_LINE.match(line)
        if not match:
            continue
        value = match.group(2) or FLAG
        if value == "Excludes:":
            value = FLAG
        out.append((match.group(1).split(","), value.split("=", 1)[0]))
    return out


def canonical(name):
    return ALIASES.get(name, name)


class OptionNames(unittest.TestCase):
    def test_the_tools_and_subcommands_are_all_checked(self):
        found = set(TOOLS)
        for tool in TOOLS:
            for line in section(help_text(tool), "Subcommands:"):
                if re.match(r"^  [a-z]", line):
                    found.add(f"{tool} {line.split()[0]}")
        self.assertEqual(found, EVERYWHERE)

    def test_every_name_means_one_thing_in_every_tool(self):
        seen = {}  # canonical name -> where it was found
        problems = []
        for where in sorted(EVERYWHERE):
            for names, value in options_of(where):
                meanings = {canonical(name) for name in names}
                if len(meanings) != 1:
                    problems.append(f"{where}: {','.join(names)} names {len(meanings)} ideas: {sorted(meanings)}")
                    continue
                name = meanings.pop()
                if name not in MEANINGS:
                    problems.append(f"{where}: {name} is not in the table: say what it means (docs/exit-status.md)")
                    continue
                meaning, kinds, _ = MEANINGS[name]
                if value not in kinds:
                    problems.append(f"{where}: {name} takes {value or 'no value'}, not {sorted(kinds)} ({meaning})")
                seen.setdefault(name, set()).add(where)
        for name, (meaning, _, tools) in MEANINGS.items():
            if seen.get(name, set()) != tools:
                problems.append(f"{name} ({meaning}) is in {sorted(seen.get(name, []))}, the table says {sorted(tools)}")
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def test_the_table_is_consistent(self):
        for alias, name in ALIASES.items():
            self.assertIn(name, MEANINGS, alias)
            self.assertNotIn(alias, MEANINGS, f"{alias} is both an alias of {name} and a name of its own")
        for (tool, old), (new, _, _) in DEPRECATED.items():
            self.assertIn(canonical(new), MEANINGS)
            self.assertIn(tool, MEANINGS[canonical(new)][2])

    def test_deprecated_names_are_hidden_and_still_work(self):
        dead = str(nrtest.free_port("tcp"))
        for (tool, old), (new, value, base) in DEPRECATED.items():
            listed = [name for names, _ in options_of(tool) for name in names]
            self.assertNotIn(old, listed, f"{tool} --help lists its deprecated {old}")
            self.assertIn(new, listed, tool)
            base = [arg.replace("{dead}", dead) for arg in base]
            runs = {}
            for name in (old, new):
                runs[name] = subprocess.run([nrtest.tool_path(tool), *base, name, value], capture_output=True,
                                            text=True, timeout=10, stdin=subprocess.DEVNULL)
            # The same run and stdout; one notice more on stderr, first.
            self.assertEqual(runs[old].returncode, runs[new].returncode, runs)
            self.assertNotEqual(runs[old].returncode, 2, runs[old])
            self.assertEqual(re.sub(r'[0-9.e-]+', 'N', runs[old].stdout), re.sub(r'[0-9.e-]+', 'N', runs[new].stdout))
            self.assertEqual(runs[old].stderr.splitlines(),
                             [f"{tool}: {old} is deprecated; use {new} (same meaning)"] + runs[new].stderr.splitlines())
            # Given with its current name: a usage error that names both.
            proc = subprocess.run([nrtest.tool_path(tool), *base, old, value, new, value], capture_output=True,
                                  text=True, timeout=10, stdin=subprocess.DEVNULL)
            self.assertEqual(proc.returncode, 2, proc)
            self.assertIn(f"{new} and {old} cannot be given together", proc.stderr)

if __name__ == "__main__":
    unittest.main(verbosity=2)
