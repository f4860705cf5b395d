#!/usr/bin/env bash
# Builds netreactor and runs every test: unit and end-to-end, first in a
# normal build (then the demo, scripts/demo.sh, as a test of its own), then
# with AddressSanitizer and UndefinedBehaviorSanitizer (and the library's unit
# tests with ThreadSanitizer), then a warning-free Clang build, libFuzzer, and
# the install check.
# The tests run inside a network namespace that holds only loopback (when
# the machine allows unshare), so no test can reach beyond 127.0.0.0/8 and ::1.
#
#   scripts/test.sh            # everything
#   scripts/test.sh --quick    # normal build only: no sanitizer pass, no fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1

scripts/deps.sh

# Runs "$@" in a fresh network namespace with only loopback up.
in_loopback_netns() {
  if unshare -n true 2>/dev/null; then
    unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
  else
    echo "note: unshare -n not permitted here; running tests in the host namespace" >&2
    "$@"
  fi
}

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"

passed=0
failed=0
count_results() {  # meson's testlog.json: one JSON object per test
  local log="$1/meson-logs/testlog.json"
  [ -f "$log" ] || return 0
  local p f
  p=$(jq -s '[.[] | select(.result == "OK" or .result == "EXPECTEDFAIL")] | length' "$log")
  f=$(jq -s '[.[] | select(.result != "OK" and .result != "EXPECTEDFAIL" and .result != "SKIP")] | length' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
}

run_suite() {  # build dir, meson options... [-- meson test options...]
  local dir="$1"; shift
  local setup=() testargs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do setup+=("$1"); shift; done
  [ $# -gt 0 ] && shift && testargs=("$@")
  set -- "${setup[@]}"
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
  ninja -C "$dir"
  local rc=0
  in_loopback_netns meson test -C "$dir" --print-errorlogs --num-processes 2 "${testargs[@]}" || rc=$?
  count_results "$dir"
  return $rc
}

status=0
# Builds everything with Clang (Debian's clang 14), warnings as errors: the
# project, the coroutine layer above all, must build warning-free with both of
# Debian's compilers. Build only: the GCC builds run the tests.
clang_build() {
  local dir=build-clang
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" -Dwerror=true >/dev/null
  else
    CC=clang CXX=clang++ meson setup "$dir" -Dwerror=true >/dev/null
  fi
  if ninja -C "$dir" >"$dir/build-output.log" 2>&1; then
    echo "clang build: OK"
  else
    echo "clang build: FAILED"; tail -n 40 "$dir/build-output.log"; return 1
  fi
}

# Warnings are errors in every build CI makes.
run_suite build -Dwerror=true || status=1
# The README's first command is a test too: the demo must run every section as
# documented (it stops at the first command with an unexpected exit status).
if in_loopback_netns env NR_BUILD_DIR=build scripts/demo.sh >build/demo.log 2>&1; then
  passed=$((passed + 1)); echo "demo: OK"
else
  failed=$((failed + 1)); status=1; echo "demo: FAILED"; tail -n 40 build/demo.log
fi
if [ $quick -eq 0 ]; then
  run_suite build-sanitize -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false || status=1
  # The library's unit tests (threading included: Loop::post, echo workers) under ThreadSanitizer.
  run_suite build-tsan -Dwerror=true -Db_sanitize=thread -Db_lundef=false -Dexamples=false -- --suite unit || status=1
  if clang_build; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi
  # libFuzzer targets, 30 s each (seven targets: three and a half minutes of the 30-minute budget), with ASan and
  # UBSan; their corpora are also replayed as regression tests in every build above.
  if scripts/fuzz.sh "${NR_FUZZ_SECONDS:-30}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); status=1
  fi
fi
if in_loopback_netns scripts/check-install.sh build; then passed=$((passed + 1)); else failed=$((failed + 1)); status=1; fi  # install, pkg-config/subproject consumers, examples

echo
echo "tests: ${passed} passed, ${failed} failed"
exit $status
