# Sourced by scripts/demo.sh: nr-resolve against NSD serving a lab zone on
# loopback (never the system's nameserver). Response rate limiting is off:
# NSD's default (200 answers/s) would turn a bulk run into timeouts.
section "nr-resolve against NSD on 127.0.0.1 serving lab.test"
dns_dir=$(mktemp -d)
dns_port=$(free_port)
printf '$ORIGIN lab.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\n@ MX 10 mail\nns A 127.0.0.1\nwww A 192.0.2.10\nwww AAAA 2001:db8::10\nmail A 192.0.2.25\nftp CNAME www\n_sip._udp SRV 10 60 5060 www\n@ TXT "v=spf1 -all"\n' >"$dns_dir/lab.test.zone"
printf 'server:\n port: %s\n ip-address: 127.0.0.1\n username: ""\n chroot: ""\n zonesdir: "%s"\n pidfile: ""\n database: ""\n xfrdfile: xfrd.state\n zonelistfile: zone.list\n logfile: nsd.log\n rrl-ratelimit: 0\nremote-control:\n control-enable: no\nzone:\n name: lab.test\n zonefile: lab.test.zone\n' "$dns_port" "$dns_dir" >"$dns_dir/nsd.conf"
"$(command -v nsd || echo /usr/sbin/nsd)" -d -c "$dns_dir/nsd.conf" &
nsd_pid=$!
pids+=("$nsd_pid")
dns=127.0.0.1:$dns_port
for _ in $(seq 50); do nr-resolve www.lab.test -s "$dns" --timeout 0.2 >/dev/null 2>&1 && break; sleep 0.1; done
step 0 'nr-resolve www.lab.test -s "$dns" | jq -c "{name, status, addresses, rtt_ms}"'
echo "every record of three types for two names; questions without such records are NODATA (exit status 3)"
step 3 'nr-resolve lab.test _sip._udp.lab.test -t MX,SRV,TXT -s "$dns" | jq -c "{name, type, status, data: [.answers[]?.data]}"'
echo "an unknown name: the error object"
step 3 'nr-resolve nosuch.lab.test -s "$dns" 2>/dev/null | jq -c "{name, status, error}"'
echo "bulk mode reads names from a file or stdin; the summary line comes last"
step 3 'printf "www.lab.test\nmail.lab.test\nnosuch.lab.test\nftp.lab.test\n" | nr-resolve -f - -s "$dns" 2>/dev/null | jq -c "select(.event == \"summary\")"'
kill "$nsd_pid"; wait "$nsd_pid" 2>/dev/null || true
pids=("${pids[@]/$nsd_pid}")
rm -rf "$dns_dir"
