# Sourced by scripts/demo.sh: the small recipes.
section "nr-netinfo: IPv4 forms (inet_aton accepts 127.1), services, byte order"
$bin/nr-netinfo/nr-netinfo ipv4 192.168.0.1 127.1 | jq -c '{input, address, packed_hex}'
$bin/nr-netinfo/nr-netinfo service 80/tcp 53/udp | jq -c . || true
$bin/nr-netinfo/nr-netinfo byteorder 1234 | jq -c .

section "nr-sockopt: send buffer before and after asking for 4096 (Linux doubles it)"
$bin/nr-sockopt/nr-sockopt --sndbuf 4096 | jq -c '{before: .before.sndbuf, after: .after.sndbuf}'
