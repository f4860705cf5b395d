#!/usr/bin/env bash
# Proves that netreactor installs and embeds as documented:
#   1. `meson install --destdir` of BUILD_DIR into a temporary staging directory;
#   2. the installed layout: shared library with its soname and only public
#      symbols exported, static library, public headers (each self-contained,
#      no libuv/c-ares type, a clear #error before C++20), version.hpp,
#      netreactor.pc, and with -Dtools=true every tool (--version), its man
#      page (renders with `man -l`, no groff warning) and its bash completion
#      (one file, the tools' names symlinks to it; completes the options
#      --help lists);
#   3. examples/ built out of tree with pkg-config against the staged install,
#      once with `pkg-config --libs` (loads the staged libnetreactor.so) and
#      once with `pkg-config --static --libs` (needs no libnetreactor.so),
#      each run against loopback peers (tests/install/run_examples.py);
#   4. tests/install/consumer, a project that pulls netreactor in as a meson
#      subproject (dependency('netreactor') with a fallback), built and run;
#   5. `ninja uninstall` of the staged install leaves no file behind.
#
#   scripts/check-install.sh [BUILD_DIR]      # default: build (configured already)
#
# Everything happens in a temporary directory (NR_KEEP=1 keeps it); servers
# listen on 127.0.0.1 only. Exits 1 if any check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
build=${1:-build}
[ -f "$build/build.ninja" ] || { echo "check-install: $build is not a configured meson build dir" >&2; exit 2; }
build=$(cd "$build" && pwd)
cxx=(${CXX:-c++})

work=$(mktemp -d "${TMPDIR:-/tmp}/nr-check-install.XXXXXX")
if [ "${NR_KEEP:-0}" = 1 ]; then echo "check-install: keeping $work"; else trap 'rm -rf "$work"' EXIT; fi

failures=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() {  # description, command...
  local what="$1"; shift
  if "$@" >"$work/last.log" 2>&1; then ok "$what"; else fail "$what"; sed 's/^/     /' "$work/last.log" | tail -20; fi
}

# ---- 1. install ---------------------------------------------------------------
stage="$work/stage"
echo "== meson install -C $build --destdir $stage"
meson install -C "$build" --destdir "$stage" --quiet >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; echo "FAIL meson install"; exit 1; }

# Installation directories as configured (absolute), and the project version.
eval "$(meson introspect "$build" --buildoptions --projectinfo | python3 -c '
import json, shlex, sys
info = json.load(sys.stdin)
opts = {o["name"]: o["value"] for o in info["buildoptions"]}
for key in ("libdir", "includedir", "bindir", "mandir", "datadir"):
    value = opts[key] if opts[key].startswith("/") else opts["prefix"] + "/" + opts[key]
    print(key + "=" + shlex.quote(value))
print("with_tools=" + ("1" if opts.get("tools", True) else "0"))
print("version=" + shlex.quote(info["projectinfo"]["version"]))
')"
[ -n "${libdir:-}" ] || { echo "check-install: cannot read the install directories" >&2; exit 1; }
L="$stage$libdir"; I="$stage$includedir"; B="$stage$bindir"
echo "   version $version, libdir $libdir"

# The tools the tree has (apps/<tool>/meson.build present), if built.
tools=()
[ "$with_tools" = 1 ] && for d in apps/nr-*/; do
  t=$(basename "$d")
  [ -f "$d/meson.build" ] && tools+=("$t")
done

# ---- 2. installed layout --------------------------------------------------------
echo "== installed library, headers, pkg-config"
soversion=$(sed -n 's/^#define NETREACTOR_SOVERSION \([0-9]*\)$/\1/p' "$I/netreactor/version.hpp" 2>/dev/null || true)
check "version.hpp installed with NETREACTOR_SOVERSION" test -n "$soversion"
check "libnetreactor.so.$version installed" test -f "$L/libnetreactor.so.$version"
check "libnetreactor.so.$soversion and libnetreactor.so link to it" \
  test "$(readlink -f "$L/libnetreactor.so.$soversion")" = "$(readlink -f "$L/libnetreactor.so.$version")" -a \
       "$(readlink -f "$L/libnetreactor.so")" = "$(readlink -f "$L/libnetreactor.so.$version")"
check "soname is libnetreactor.so.$soversion" \
  sh -c "readelf -d '$L/libnetreactor.so.$version' | grep -q 'SONAME.*\[libnetreactor.so.$soversion\]'"
check "libnetreactor.a installed" test -f "$L/libnetreactor.a"
expected_headers=$( (cd lib/include/netreactor && find . -name '*.hpp'; echo ./version.hpp) | sort -u | tr '\n' ' ')
installed_headers=$( (cd "$I/netreactor" && find . -type f) | sort | tr '\n' ' ')
check "installed headers are exactly the public ones ($installed_headers)" test "$expected_headers" = "$installed_headers"
IFS=. read -r major minor patch <<<"$version"
cat >"$work/version_check.cpp" <<CPP
#include <netreactor/version.hpp>
#include <string_view>
static_assert(NETREACTOR_VERSION_MAJOR == $major && NETREACTOR_VERSION_MINOR == $minor && NETREACTOR_VERSION_PATCH == $patch);
static_assert(std::string_view(NETREACTOR_VERSION_STRING) == "$version");
int main() {}
CPP
check "version.hpp macros match the project version $version" \
  "${cxx[@]}" -std=c++20 -fsyntax-only -I"$I" "$work/version_check.cpp"
check "public headers: self-contained, no libuv/c-ares type, #error before C++20" \
  env CXX="${cxx[*]}" tests/install/check-headers.sh "$I"
check "libnetreactor.so exports only public API" /usr/bin/python3 tests/install/check-symbols.py "$L/libnetreactor.so.$version" "$I"

export PKG_CONFIG_SYSROOT_DIR="$stage" PKG_CONFIG_PATH="$L/pkgconfig"
check "pkg-config finds netreactor $version" test "$(pkg-config --modversion netreactor)" = "$version"
check "pkg-config --cflags points at the staged headers" sh -c "pkg-config --cflags netreactor | grep -q -- '-I$I'"
check "pkg-config --static --libs adds libuv and c-ares" sh -c "pkg-config --static --libs netreactor | grep -- -luv | grep -q -- -lcares"

echo "== tools, man pages, bash completion"
for t in "${tools[@]}"; do
  check "$t installed, --version says $version" sh -c "test \"\$('$B/$t' --version)\" = '$t $version'"
done
if command -v help2man >/dev/null; then
  for t in "${tools[@]}"; do
    page="$stage$mandir/man1/$t.1"
    check "man page $t.1 installed" test -f "$page"
    check "man page $t.1 renders with man -l (NAME, OPTIONS, EXIT STATUS)" sh -c "
      out=\$(MANWIDTH=80 man -l '$page' 2>&1) &&
      echo \"\$out\" | grep -q '^NAME' && echo \"\$out\" | grep -q '^OPTIONS' &&
      echo \"\$out\" | grep -q '^EXIT STATUS' && echo \"\$out\" | grep -q -- '--version'"
    check "man page $t.1 has no groff warning" sh -c "test -z \"\$(groff -man -Tutf8 -ww -z '$page' 2>&1)\""
  done
else
  echo "note: help2man is not installed: no man pages to check"
fi
completions="$stage$datadir/bash-completion/completions"
if [ ${#tools[@]} -gt 0 ]; then
  check "one bash completion file (completions/netreactor), every other entry a symlink to it" sh -c "
    test -f '$completions/netreactor' -a ! -L '$completions/netreactor' &&
    test \"\$(find '$completions' -type f | wc -l)\" = 1"
fi
for t in "${tools[@]}"; do
  comp="$completions/$t"
  check "bash completion for $t installed as a symlink to netreactor" \
    test -L "$comp" -a "$(readlink "$comp")" = netreactor -a -f "$comp"
  # What completion offers for "$t --" must be every long option --help lists.
  check "bash completion for $t offers the options of --help" bash --norc --noprofile -c "
    set -e
    source '$comp'
    complete -p $t | grep -q -- '-F _netreactor'
    export PATH='$B':\$PATH
    COMP_WORDS=($t --); COMP_CWORD=1; _netreactor $t
    got=\$(printf '%s\n' \"\${COMPREPLY[@]}\" | grep -- '^--' | sort -u)
    want=\$($t --help | grep -E '^ {1,4}-' | sed -E 's/^ +([^ ]+).*/\\1/' | tr ',' '\\n' | grep -- '^--' | sort -u)
    test -n \"\$want\" && test \"\$got\" = \"\$want\""
done

# ---- 3. examples out of tree, with pkg-config --------------------------------------------
echo "== examples built with pkg-config against the staged install"
mkdir -p "$work/obj" "$work/ex-shared" "$work/ex-static"
cflags=$(pkg-config --cflags netreactor)
libs_shared=$(pkg-config --libs netreactor)
libs_static=$(pkg-config --static --libs netreactor)
built=1
for f in examples/*.cpp; do
  name=$(basename "$f" .cpp)
  # shellcheck disable=SC2086
  if ! "${cxx[@]}" -std=c++20 -Wall -Wextra -Werror -c -o "$work/obj/$name.o" "$f" $cflags >"$work/last.log" 2>&1; then
    fail "example $name compiles with pkg-config --cflags"; cat "$work/last.log"; built=0; continue
  fi
  # shellcheck disable=SC2086
  check "example $name links with pkg-config --libs (shared)" \
    "${cxx[@]}" -o "$work/ex-shared/$name" "$work/obj/$name.o" $libs_shared -Wl,-rpath,"$L"
  # The staged libnetreactor.so sits beside libnetreactor.a, as installed.
  # shellcheck disable=SC2086
  check "example $name links with pkg-config --static --libs" \
    "${cxx[@]}" -o "$work/ex-static/$name" "$work/obj/$name.o" $libs_static
  check "example $name (shared) loads the staged libnetreactor.so.$soversion" \
    sh -c "ldd '$work/ex-shared/$name' | grep -q 'libnetreactor.so.$soversion => $L/'"
  check "example $name (static) needs no shared library (readelf: no NEEDED entry)" \
    sh -c "test -f '$work/ex-static/$name' && ! readelf -d '$work/ex-static/$name' | grep -q NEEDED"
done
for variant in shared static; do
  if [ $built = 1 ]; then
    check "examples ($variant) run against loopback peers" /usr/bin/python3 tests/install/run_examples.py "$work/ex-$variant"
  fi
done

# ---- 4. netreactor as a meson subproject ----------------------------------------------------
echo "== tests/install/consumer: netreactor as a meson subproject"
unset PKG_CONFIG_SYSROOT_DIR PKG_CONFIG_PATH
cp -r tests/install/consumer "$work/consumer"
mkdir -p "$work/consumer/subprojects"
ln -s "$src" "$work/consumer/subprojects/netreactor"
if meson setup "$work/consumer-build" "$work/consumer" --force-fallback-for=netreactor >"$work/consumer-setup.log" 2>&1; then
  ok "consumer configures with netreactor as a subproject"
  check "consumer builds (shared and static netreactor)" ninja -C "$work/consumer-build" -j 2 consumer-shared consumer-static
  for variant in shared static; do
    check "consumer-$variant runs: loopback echo, header and library versions agree" \
      sh -c "test \"\$('$work/consumer-build/consumer-$variant')\" = 'ok $version'"
  done
  check "consumer-shared links libnetreactor.so.$soversion, consumer-static does not" sh -c "
    readelf -d '$work/consumer-build/consumer-shared' | grep -q 'NEEDED.*libnetreactor.so.$soversion' &&
    ! readelf -d '$work/consumer-build/consumer-static' | grep -q 'NEEDED.*libnetreactor'"
else
  fail "consumer configures with netreactor as a subproject"; tail -30 "$work/consumer-setup.log"
fi

# ---- 5. uninstall ------------------------------------------------------------------
echo "== ninja uninstall of the staged install"
# meson logs every file it installed (the staged paths); uninstall removes them.
check "ninja uninstall succeeds" ninja -C "$build" uninstall
check "nothing is left behind (only empty directories)" sh -c "test -z \"\$(find '$stage' ! -type d | head -5 | tee /dev/stderr)\""

echo
if [ $failures -eq 0 ]; then echo "check-install: all checks passed"; else echo "check-install: $failures failed"; fi
[ $failures -eq 0 ]
