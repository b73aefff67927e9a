#!/bin/bash
# The public HTTP port against connection floods: slowloris connections
# (a header line every few seconds) and idle keep-alives from one address
# while a rep's calendar, from another loopback address, must still be
# served; the deadline for a whole request; keeping slots for new
# clients when nearly full; and SIGTERM with 300 slow clients connected.
# Loopback accepts all of 127/8, so 127.0.0.2 stands for "another IP".
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
"$T_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2", 0))' 2>/dev/null ||
	t_skip_all "127.0.0.2 is not a local address here"
dir=$(t_tmpdir)
conf="$dir/o.conf"
port=$(t_freeport)
B="http://127.0.0.1:$port"
flood() { "$T_PY" "$top/tests/http_flood.py" "$@"; }
mkconf() { # HTTP-SETTINGS
	cat >"$conf" <<CONF
store = "$(t_store "$dir/o.db")";
templates = "$top/templates";
daemon: { state_dir = "$dir"; scan_interval = 86400; };
http: { listen = "127.0.0.1:$port"; base_url = "$B"; $1 };
CONF
}
mkconf ""
"$CTL" -c "$conf" rep add ann --name Ann >/dev/null
feed=$("$CTL" -c "$conf" rep token ann 2>/dev/null | sed -n 1p)
start() {
	t_bg "$dir/d.pid" "$OUTREACHD" -c "$conf" --foreground --log-level info
	pid=$T_BG_PID
	t_wait_port "$port" 10 "$pid" && t_wait_until 10 eval "curl -s '$B/healthz' | grep -q ok"
}
stop() {
	kill -TERM "$pid" 2>/dev/null
	t_wait_until 10 eval "! t_alive $pid"
	wait "$pid" 2>/dev/null
}
# The JSON a helper printed, field by field.
jf() { printf '%s' "$1" | js "$2"; }

# --- 1. the flood of the review, default settings ------------------------
# 300 slowloris connections and 2,000 idle keep-alives from 127.0.0.1; 12
# feed requests from 127.0.0.2, one every half second, 3 s each at most.
t_ok "outreachd starts with the default limits" start
"$T_PY" "$top/tests/http_flood.py" hold "$port" --slow 300 --idle 2000 --interval 5 --seconds 60 \
	--ready "$dir/ready1" >"$dir/hold1.json" 2>"$dir/hold1.err" &
hpid=$!
t_wait_file "$dir/ready1" 10
sleep 2
legit=$(flood legit "$feed" --src 127.0.0.2 --count 12 --gap 0.5 --timeout 3)
held=$(ss -tnpH state established "( sport = :$port )" | grep -c "pid=$pid,")
kill -TERM "$hpid"
wait "$hpid"
t_diag "flood: $(cat "$dir/hold1.json") legit: $legit; connections the daemon holds: $held"
t_is "$(jf "$legit" 'd["served"]')" 12 "during the flood all 12 feed requests from another address are served"
t_like "$(jf "$legit" 'd["max_latency"] < 2')" True "each within 2 s"
t_like "$(echo "$held <= 64" | bc)" 1 \
	"the flooding address holds no more than max_connections_per_ip (64) connections"
m=$(curl -s --interface 127.0.0.2 "$B/metrics")
t_like "$m" $'\noutreachd_http_connections_refused_total\\{reason="per_ip"\\} [1-9][0-9]*(\n|$)' \
	"/metrics counts the connections refused over the per-address limit"
t_ok "once the flood stops, its address is served again" \
	t_wait_until 5 eval "curl -s '$B/healthz' | grep -q ok"
stop

# --- 2. the deadline for a whole request ---------------------------------
mkconf "request_timeout = 2;"
t_ok "outreachd starts with request_timeout = 2" start
r=$(flood slowclose "$port" --count 3 --interval 0.5 --seconds 8)
t_like "$(jf "$r" 'all(x is not None and 1.5 <= x <= 3.5 for x in d["closed_after"])')" True \
	"a header line every 0.5 s does not keep a connection: closed after 2 s ($r)"
# (Not through t_ok: it runs its command with stdin from /dev/null.)
r=$("$T_PY" - "$port" 2>&1 <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=6)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
assert s.recv(4096).startswith(b"HTTP/1.1 200"), "no answer"
t0 = time.monotonic()
while s.recv(4096):
    pass
dt = time.monotonic() - t0
print("closed after %.2f s" % dt)
EOF
)
t_like "$r" '^closed after (1\.[5-9]|2\.|3\.[0-4])[0-9]* s$' "an idle keep-alive is closed after 2 s too ($r)"
m=$(curl -s --interface 127.0.0.2 "$B/metrics")
t_like "$m" $'\noutreachd_http_connections_closed_total\\{reason="request_timeout"\\} [1-9][0-9]*(\n|$)' \
	"/metrics counts the connections closed at the deadline"
stop

# --- 3. nearly full: idle keep-alives make room --------------------------
# No per-address limit (as behind a reverse proxy on this host): the flood
# may take every slot, and new clients must still get one.
mkconf "max_connections = 64; max_connections_per_ip = 0;"
t_ok "outreachd starts with max_connections = 64, no per-address limit" start
"$T_PY" "$top/tests/http_flood.py" hold "$port" --slow 30 --idle 200 --interval 5 --seconds 60 \
	--ready "$dir/ready3" >"$dir/hold3.json" 2>"$dir/hold3.err" &
hpid=$!
t_wait_file "$dir/ready3" 10
sleep 2
legit=$(flood legit "$feed" --src 127.0.0.2 --count 12 --gap 0.5 --timeout 3)
kill -TERM "$hpid"
wait "$hpid"
t_diag "flood: $(cat "$dir/hold3.json") legit: $legit"
t_is "$(jf "$legit" 'd["served"]')" 12 "every slot taken: all 12 feed requests are still served"
t_like "$(jf "$legit" 'd["max_latency"] < 2')" True "each within 2 s"
m=$(curl -s --interface 127.0.0.2 "$B/metrics")
t_like "$m" $'\noutreachd_http_connections_closed_total\\{reason="evicted"\\} [1-9][0-9]*(\n|$)' \
	"/metrics counts the idle connections closed to make room"
stop

# --- 4. SIGTERM with 300 slow clients ------------------------------------
# Half sent part of a head, half a byte of their body; all are silent
# since.  More than max_connections (256): every thread of libmicrohttpd
# is full, stops watching the listening socket, and so was woken neither
# by its shutdown nor by its clients (26-30 s to stop before).
mkconf "max_connections_per_ip = 0; request_timeout = 60;"
t_ok "outreachd starts (no per-address limit, a 60 s request deadline)" start
"$T_PY" "$top/tests/http_flood.py" silent "$port" --count 300 --seconds 40 --ready "$dir/ready4" \
	>"$dir/hold4.json" 2>"$dir/hold4.err" &
hpid=$!
t_wait_file "$dir/ready4" 10
sleep 1
t0=$(date +%s.%N)
kill -TERM "$pid"
t_wait_until 10 eval "! t_alive $pid" || kill -KILL "$pid"
wait "$pid"
rc=$?
secs=$(echo "$(date +%s.%N) - $t0" | bc)
kill "$hpid" 2>/dev/null
wait "$hpid" 2>/dev/null
t_diag "exit after SIGTERM with 300 slow clients: ${secs}s"
t_is "$rc" 0 "SIGTERM with 300 slow clients connected: exit 0"
t_like "$(echo "$secs < 3" | bc)" 1 "within 3 s (${secs}s)"
t_done
