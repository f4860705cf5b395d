# Sourced by scripts/demo.sh: nr-sntp against nr-sntp-server on loopback (seed recipes 1.11, 1.12).
section "nr-sntp-server on 127.0.0.1 (free port), nr-sntp against it"
sntp_events=$(mktemp)
nr-sntp-server --port 0 >"$sntp_events" &
sntp_pid=$!
pids+=("$sntp_pid")
wait_for "$sntp_events" listening
sntp_port=$(jq -r 'select(.event == "listening") | .port' "$sntp_events")
step 0 'nr-sntp "127.0.0.1:$sntp_port" | jq "{server, stratum, ref_id, offset, delay, time}"'
echo "the seed's line:"
step 0 'nr-sntp "127.0.0.1:$sntp_port" --format text'
kill -TERM "$sntp_pid"; wait "$sntp_pid" || true
pids=("${pids[@]/$sntp_pid}")
rm -f "$sntp_events"
