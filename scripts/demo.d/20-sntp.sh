# Sourced by scripts/demo.sh: nr-sntp against nr-sntp-server on loopback.
section "nr-sntp-server on 127.0.0.1 (free port), nr-sntp against it"
sntp_events=$(mktemp)
$bin/nr-sntp-server/nr-sntp-server --port 0 >"$sntp_events" &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$sntp_events" && break; sleep 0.05; done
sntp_port=$(jq -r 'select(.event == "listening") | .port' "$sntp_events")
$bin/nr-sntp/nr-sntp "127.0.0.1:$sntp_port" | jq '{server, stratum, ref_id, offset, delay, time}'
echo "the seed's line:"
$bin/nr-sntp/nr-sntp "127.0.0.1:$sntp_port" --format text
kill -TERM "${pids[-1]}"; wait "${pids[-1]}" || true; unset 'pids[-1]'
rm -f "$sntp_events"
