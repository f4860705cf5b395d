# Sourced by scripts/demo.sh: nr-fetch against a local HTTP server, then a closed port.
section "nr-fetch: GET from a local HTTP server, then a refused connection"
www=$(mktemp -d)
echo "hello from loopback" >"$www/hello.txt"
http_port=$((20000 + RANDOM % 10000))
(cd "$www" && exec python3 -m http.server "$http_port" --bind 127.0.0.1 >/dev/null 2>&1) &
pids+=($!)
for _ in $(seq 50); do $bin/nr-fetch/nr-fetch --host 127.0.0.1 --port "$http_port" --path /hello.txt >/dev/null 2>&1 && break; sleep 0.1; done
$bin/nr-fetch/nr-fetch --host 127.0.0.1 --port "$http_port" --path /hello.txt
$bin/nr-fetch/nr-fetch --host 127.0.0.1 --port "$http_port" --path /hello.txt --json | jq -c '{status, body_bytes, timings}'
$bin/nr-fetch/nr-fetch --host 127.0.0.1 --port 1 --path / 2>/dev/null | jq -c . || echo "(exit status $?: connect failure)"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'
rm -rf "$www"
