#!/usr/bin/env bash
# Installs the Debian packages the build, the demo and the tests need, and
# any further packages named as arguments (bench/deps.sh names the
# benchmarks' own). Skips apt entirely when everything is already installed.
#
#   scripts/deps.sh [PACKAGE...]
set -euo pipefail

packages=(
  # build
  g++ meson ninja-build pkg-config
  libuv1-dev libc-ares-dev nlohmann-json3-dev libcli11-dev libgtest-dev
  # demo and tests
  python3 python3-jsonschema jq iproute2 procps util-linux
  # docs: man pages from --help, API reference, rendering checks
  help2man doxygen man-db groff-base
  # real peers the tests start on loopback
  nsd chrony dnsutils
  # nr-resolve: the shards test runs it under GNU parallel
  parallel
  # asked for by the caller
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Services in these packages (nsd, chrony) must not start system-wide: the
# tests start their own instances on loopback ports.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
