#!/usr/bin/env bash
# Installs the Debian packages only the benchmarks need (not CI, not the
# tests: scripts/deps.sh has those). Skips apt when all are installed.
set -euo pipefail

packages=(
  dnsperf      # bench/dns: the DNS operators' load tool, a reference beside the c-ares loop
  gnuplot-nox  # bench/plot.py renders bench/plots/*.svg
  valgrind     # callgrind: instructions per answer / per message on a shared machine
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
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
