#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each one for
# a bounded time over a copy of its seed corpus. Fails on any finding; the
# crashing input is left in fuzz-findings/ to be added to
# tests/fuzz/corpus/<target>/ as a regression test once fixed.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]    (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"

if ! command -v clang++ >/dev/null || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null | grep -q "ok installed"; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev >/dev/null
fi

dir=build-fuzz
if [ ! -d "$dir" ]; then
  CC=clang CXX=clang++ meson setup "$dir" -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dcpp_args=-fsanitize=fuzzer-no-link -Dbuildtype=debugoptimized >/dev/null
fi
targets=$(cd tests/fuzz/corpus && ls)
ninja -C "$dir" $(for t in $targets; do echo "tests/fuzz/fuzz-$t"; done)

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
mkdir -p fuzz-findings

# One target over a copy of its corpus; its summary goes to fuzz-findings/<t>.summary.
fuzz_one() {
  local t=$1 work
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$t/." "$work/"
  if "$dir/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
       -artifact_prefix="fuzz-findings/$t-" -print_final_stats=1 "$work" 2>"fuzz-findings/$t.log"; then
    { echo "== fuzz-$t for ${seconds}s"; grep -E "stat::number_of_executed_units|cov:" "fuzz-findings/$t.log" | tail -2; } \
      >"fuzz-findings/$t.summary"
    rm -rf "$work"; return 0
  fi
  { echo "== fuzz-$t for ${seconds}s"; echo "fuzz-$t: FINDING (see fuzz-findings/$t.log)"; tail -40 "fuzz-findings/$t.log"; } \
    >"fuzz-findings/$t.summary"
  rm -rf "$work"; return 1
}

# The targets run side by side, one per core: the same fuzzing time each,
# in a fraction of the wall time (the whole test command has 30 minutes).
jobs_max=$(nproc 2>/dev/null || echo 1)
for t in $targets; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  rm -f "fuzz-findings/$t.failed"
  { fuzz_one "$t" || touch "fuzz-findings/$t.failed"; } &
done
wait
status=0
for t in $targets; do
  cat "fuzz-findings/$t.summary"
  [ ! -e "fuzz-findings/$t.failed" ] || status=1
done
exit $status
