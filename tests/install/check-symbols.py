#!/usr/bin/env python3
"""Fails when libnetreactor.so exports a symbol that is not public API.

    check-symbols.py LIBNETREACTOR_SO INCLUDE_DIR...

Lists the library's dynamic symbols (`nm -D --defined-only -C`) and accepts
only netreactor's own API: functions and data in namespace netreactor (and its
typeinfo and vtables) whose top-level name is declared in a public header
under INCLUDE_DIR/netreactor/. Refused outright: anything outside namespace
netreactor (libuv, c-ares, standard-library template instances), the private
Impl of any class, `detail` namespaces, anonymous namespaces, and the
library's internal classes (AresChannel, HostsFile, the *Access friends).
Also fails when the list looks wrong (fewer than a handful of symbols, or a
few known API functions missing), so a broken build cannot pass by exporting
nothing. Exits 1 with the offending symbols listed.
"""
import os
import re
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit(__doc__)
library, include_dirs = sys.argv[1], sys.argv[2:]
nm = os.environ.get("NM", "nm")

lines = subprocess.run([nm, "-D", "--defined-only", "-C", library], capture_output=True, text=True,
                       check=True).stdout.splitlines()
symbols = []
for line in lines:
    parts = line.split(None, 2)  # address, type, name (undefined ones have no address; none here)
    if len(parts) == 3:
        symbols.append((parts[1], parts[2]))

# Every identifier a public header declares (class, function, namespace...).
public_names = set()
for directory in include_dirs:
    for root, _, files in os.walk(os.path.join(directory, "netreactor")):
        for name in files:
            if name.endswith(".hpp") or name.endswith(".hpp.in"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    public_names.update(re.findall(r"[A-Za-z_]\w*", f.read()))

INTERNAL = re.compile(r"::Impl\b|::detail::|\(anonymous namespace\)|\bAresChannel\b|\bHostsFile\b|"
                      r"\bLoopAccess\b|\bTcpConnectionAccess\b|\buv_|\bares_")
PREFIXES = ("typeinfo name for ", "typeinfo for ", "vtable for ", "VTT for ", "construction vtable for ")

bad = []
for kind, name in symbols:
    entity = name
    for prefix in PREFIXES:
        if entity.startswith(prefix):
            entity = entity[len(prefix):]
            break
    if not entity.startswith("netreactor::"):
        bad.append((kind, name, "outside namespace netreactor"))
        continue
    if INTERNAL.search(entity.split("(", 1)[0]):
        bad.append((kind, name, "internal"))
        continue
    # netreactor::[co::]Name...: Name must be declared in a public header.
    path = re.sub(r"<.*", "", entity.split("(", 1)[0]).split("::")
    top = path[2] if len(path) > 2 and path[1] == "co" else path[1] if len(path) > 1 else ""
    top = re.sub(r"\[abi:\w+\]$", "", top)
    if top.startswith("operator"):
        continue
    if top not in public_names:
        bad.append((kind, name, f"'{top}' is declared in no public header"))

required = ["netreactor::Loop::run()", "netreactor::version()", "netreactor::Error::describe[abi:cxx11]() const"]
names = {name for _, name in symbols}
missing = [r for r in required if r not in names]

for kind, name, why in bad:
    print(f"not public API ({why}): {kind} {name}")
for r in missing:
    print(f"missing from the exports: {r}")
if len(symbols) < 20:
    print(f"only {len(symbols)} symbols exported: the export list looks broken")
if bad or missing or len(symbols) < 20:
    sys.exit(1)
print(f"ok: {len(symbols)} exported symbols, all netreactor public API")
