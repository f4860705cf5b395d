#!/usr/bin/env bash
# Installs the Debian packages the benchmarks need beside the project's own
# (not CI, not the tests): scripts/deps.sh installs both, skipping apt when all
# are there.
#   dnsperf      bench/dns: the DNS operators' load tool, a reference beside the c-ares loop
#   gnuplot-nox  bench/plot.py renders bench/plots/*.svg
#   valgrind     callgrind: instructions per answer / per message on a shared machine
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/deps.sh dnsperf gnuplot-nox valgrind
