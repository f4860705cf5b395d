#!/usr/bin/env bash
# The main job: builds the tools and shows them working against local peers
# on loopback, their JSON piped through jq.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null

bin=build/apps
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

section "nr-echo-server on 127.0.0.1, TCP and UDP on one free port"
events=$(mktemp)
$bin/nr-echo-server/nr-echo-server --port 0 --log-connections >"$events" &
pids+=($!)
for _ in $(seq 50); do grep -q '"udp"' "$events" && break; sleep 0.05; done
port=$(jq -r 'select(.event == "listening" and .proto == "tcp") | .port' "$events")
jq -c . "$events"

section "nr-echo-client: the seed's exchange"
$bin/nr-echo-client/nr-echo-client --host 127.0.0.1 --port "$port" | jq .

section "nr-echo-client over UDP, 1 KiB random payload"
$bin/nr-echo-client/nr-echo-client --host 127.0.0.1 --port "$port" --udp --size 1024 | jq -c '{proto, bytes_sent, bytes_received, match}'

section "nr-echo-client load mode: 50 connections, 2 s, 16 messages in flight"
$bin/nr-echo-client/nr-echo-client --host 127.0.0.1 --port "$port" --connections 50 --duration 2 --pipeline 16 --size 64 \
  | jq '{messages, messages_per_s, latency_us, errors, mismatches}'

section "nr-echo-server: SIGTERM, drain, summary"
kill -TERM "${pids[0]}"
wait "${pids[0]}" || true
pids=()
jq -c 'select(.event == "shutdown")' "$events"
rm -f "$events"

for extra in scripts/demo.d/*.sh; do
  [ -e "$extra" ] || continue
  # shellcheck source=/dev/null
  source "$extra"
done
