# Sourced by scripts/demo.sh: the echo pair (seed recipes 1.9, 1.10, 1.13).
section "nr-echo-server on 127.0.0.1, TCP and UDP on one free port"
echo_events=$(mktemp)
nr-echo-server --port 0 --log-connections >"$echo_events" &
echo_pid=$!
pids+=("$echo_pid")
wait_for "$echo_events" '"udp"'
port=$(jq -r 'select(.event == "listening" and .proto == "tcp") | .port' "$echo_events")
jq -c . "$echo_events"

section "nr-echo-client: the seed's exchange, checked byte for byte"
step 0 'nr-echo-client --host 127.0.0.1 --port "$port" | jq .'

section "nr-echo-client over UDP, 1 KiB random payload"
step 0 'nr-echo-client --host 127.0.0.1 --port "$port" --udp --size 1024 | jq -c "{proto, bytes_sent, bytes_received, match}"'

section "nr-echo-client load mode: 50 connections, 2 s, 16 messages in flight"
step 0 'nr-echo-client --host 127.0.0.1 --port "$port" --connections 50 --duration 2 --pipeline 16 --size 64 | jq -c "{messages, messages_per_s, latency_us, errors, mismatches}"'

section "a port nobody listens on: the error object, exit status 4"
step 4 'nr-echo-client --host 127.0.0.1 --port 1 2>/dev/null | jq -c .'

section "nr-echo-server: SIGTERM, drain, summary"
kill -TERM "$echo_pid"
step 0 'wait "$echo_pid"'
pids=("${pids[@]/$echo_pid}")
step 0 'jq -c "select(.event == \"shutdown\")" "$echo_events"'
rm -f "$echo_events"
