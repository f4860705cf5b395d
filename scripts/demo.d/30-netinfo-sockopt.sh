# Sourced by scripts/demo.sh: the small recipes (1.1, 1.3-1.6, 1.8-1.10).
section "nr-netinfo: IPv4 forms (inet_aton accepts 127.1), services, byte order"
step 0 'nr-netinfo ipv4 192.168.0.1 127.1 | jq -c "{input, address, packed_hex}"'
step 0 'nr-netinfo service 80/tcp 53/udp | jq -c .'
step 0 'nr-netinfo byteorder 1234 | jq -c .'

section "nr-sockopt: send buffer before and after asking for 4096 (Linux doubles it)"
step 0 'nr-sockopt --sndbuf 4096 | jq -c "{before: .before.sndbuf, after: .after.sndbuf}"'
