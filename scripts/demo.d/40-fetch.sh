# Sourced by scripts/demo.sh: nr-fetch against a local HTTP server, then a closed port (seed recipe 1.7).
section "nr-fetch: GET from a local HTTP server, then a refused connection"
www=$(mktemp -d)
echo "hello from loopback" >"$www/hello.txt"
http_port=$(free_port)
(cd "$www" && exec python3 -m http.server "$http_port" --bind 127.0.0.1 >/dev/null 2>&1) &
http_pid=$!
pids+=("$http_pid")
for _ in $(seq 50); do nr-fetch --host 127.0.0.1 --port "$http_port" --path /hello.txt >/dev/null 2>&1 && break; sleep 0.1; done
step 0 'nr-fetch --host 127.0.0.1 --port "$http_port" --path /hello.txt'
step 0 'nr-fetch --host 127.0.0.1 --port "$http_port" --path /hello.txt --json | jq -c "{status, body_bytes, timings}"'
step 4 'nr-fetch --host 127.0.0.1 --port 1 --path / 2>/dev/null | jq -c .'
kill "$http_pid"; wait "$http_pid" 2>/dev/null || true
pids=("${pids[@]/$http_pid}")
rm -rf "$www"
