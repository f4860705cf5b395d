#!/usr/bin/env bash
# The main job: builds the tools and shows them working against local peers
# on loopback, their JSON piped through jq.
#
# It is also a test (scripts/test.sh runs it): every command states the exit
# status it must end with (0, or the documented status of an expected
# failure), and the demo stops with status 1 at the first command that ends
# otherwise, naming it. Each section lives in scripts/demo.d/.
#
#   scripts/demo.sh            # uses (and builds) ./build
#   NR_BUILD_DIR=dir scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
build=${NR_BUILD_DIR:-build}
[ -d "$build" ] || meson setup "$build" >/dev/null
ninja -C "$build" >/dev/null

# The tools by name, as a user who installed them would type them.
for tool in "$build"/apps/nr-*/; do PATH="$(realpath "$tool"):$PATH"; done
export PATH

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# step STATUS COMMAND...: shows the command, runs it (pipes included, with
# pipefail, so the tool's status is what counts) and fails the demo unless it
# exits with STATUS.
step() {
  local want=$1; shift
  printf '\033[36m$ %s\033[0m\n' "$*"
  local rc=0
  eval "$*" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    printf 'demo: FAILED: expected exit status %s, got %s from: %s\n' "$want" "$rc" "$*" >&2
    exit 1
  fi
  if [ "$want" -ne 0 ]; then printf '(exit status %s, as documented in docs/exit-status.md)\n' "$rc"; fi
}

# A TCP/UDP port free on 127.0.0.1 now, for peers that cannot take port 0.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for FILE PATTERN: waits (up to 5 s) until FILE holds PATTERN.
wait_for() {
  for _ in $(seq 100); do grep -q "$2" "$1" && return 0; sleep 0.05; done
  printf 'demo: FAILED: %s never showed %s\n' "$1" "$2" >&2
  cat "$1" >&2
  exit 1
}

for part in scripts/demo.d/*.sh; do
  # shellcheck source=/dev/null
  source "$part"
done

printf '\n\033[1mdemo: every section ran as documented\033[0m\n'
