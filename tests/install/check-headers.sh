#!/usr/bin/env bash
# Checks that netreactor's public headers expose no libuv or c-ares type, that
# each one compiles on its own, and that compiling one before C++20 stops at
# netreactor's own #error (not deep inside a header).
#
#   tests/install/check-headers.sh INCLUDE_DIR...
#
# INCLUDE_DIRs are searched in order for netreactor/**/*.hpp (an installed
# include/, or the source and build lib/include/). Each header is compiled
# alone with uv.h and ares.h shadowed by headers that #error, so an include of
# either, direct or through another header, fails; and the headers are grepped
# for libuv/c-ares type names that a forward declaration could smuggle in.
# $CXX (default c++) compiles. Exits 1 on any finding.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 INCLUDE_DIR..." >&2; exit 2; }
cxx=(${CXX:-c++})

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/shadow"
for h in uv.h ares.h ares_dns.h uv/unix.h; do
  mkdir -p "$(dirname "$work/shadow/$h")"
  echo "#error \"a public netreactor header includes <$h>\"" > "$work/shadow/$h"
done

includes=(-I"$work/shadow")
headers=()
declare -A seen=()
for dir in "$@"; do
  includes+=(-I"$dir")
  while IFS= read -r h; do
    name=${h#"$dir"/netreactor/}
    [ -n "${seen[$name]:-}" ] && continue
    seen[$name]=1
    headers+=("$h")
  done < <(find "$dir/netreactor" -name '*.hpp' | sort)
done
[ ${#headers[@]} -gt 0 ] || { echo "no headers found in $*" >&2; exit 1; }

status=0
# libuv types are uv_*_t / struct uv_*_s; c-ares types are ares_channel,
# ares_socket_t, struct ares_*.
pattern='\buv_[a-z0-9_]+_[ts]\b|\bstruct +uv_|\bares_(channel|socket_t|addrinfo|options|addr)\b|\bstruct +ares_|[<"](uv|ares)(\.h|/)'
if grep -nE "$pattern" "${headers[@]}"; then
  echo "FAIL: public headers name libuv or c-ares types (above)" >&2
  status=1
fi

for h in "${headers[@]}"; do
  name=${h#*/netreactor/}
  if ! echo "#include <netreactor/$name>" |
      "${cxx[@]}" -std=c++20 -Wall -Wextra -Wpedantic -Werror -fsyntax-only "${includes[@]}" -x c++ - ; then
    echo "FAIL: netreactor/$name does not compile on its own without libuv/c-ares" >&2
    status=1
  fi
done

# Before C++20 the first error must be the one export.hpp gives.
for h in "${headers[@]}"; do
  name=${h#*/netreactor/}
  out=$(echo "#include <netreactor/$name>" |
        "${cxx[@]}" -std=c++17 -Wfatal-errors -fsyntax-only "${includes[@]}" -x c++ - 2>&1 || true)
  if ! grep -q "netreactor's headers need C++20" <<<"$out"; then
    echo "FAIL: netreactor/$name compiled as C++17 does not stop at netreactor's C++20 #error:" >&2
    echo "$out" | head -5 >&2
    status=1
  fi
done

[ $status -eq 0 ] && echo "ok: ${#headers[@]} public headers, self-contained, no libuv/c-ares types"
exit $status
