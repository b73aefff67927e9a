#!/bin/bash
# A mail server that accepts connections and never greets costs the
# deliverer a few timeouts, not one per message: after 3 transfers in a
# row fail before reaching the server, the host is left alone (30 s,
# doubling), the other messages wait without spending attempts, and then
# one message probes it.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
today=$(TZ=Asia/Shanghai date +%m-%d)

# Accepts every connection and says nothing.
t_bg "$dir/mute.pid" /usr/bin/python3 -c '
import socket, sys, os, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$dir/mute.port"
t_wait_file "$dir/mute.port" 10
port=$(cat "$dir/mute.port")
cat >"$dir/b.conf" <<CONF
store = "$(t_store "$dir/b.db")";
timezone = "Asia/Shanghai";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$port"; tls = "none";
  from = "a@acme.example"; connections = 1; timeout_seconds = 1; };
CONF
mkdir -p "$dir/state"
/usr/bin/python3 - "$today" >"$dir/b.csv" <<'PY'
import sys
print("external_id,name,email,birthday")
for i in range(16):
    print("M%02d,Mute %d,m%02d@example.test,1980-%s" % (i, i, i, sys.argv[1]))
PY
c() { "$CTL" -c "$dir/b.conf" "$@"; }
c import customers "$dir/b.csv" >/dev/null
c scan
start=$(date +%s%N)
c send >"$dir/send.out" 2>&1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_ok "16 e-mails to a server that never greets: the pass takes ${ms} ms, not 16 timeouts" test "$ms" -lt 6000
t_like "$(cat "$dir/send.out")" "3 transfers in a row failed before reaching the server .*leaving it alone for 30 s" \
	"the breaker opens after 3 failures, and says so"
j=$(c outbox --json)
t_is "$(echo "$j" | js 'sum(m["attempts"] > 0 for m in d)')" 3 "3 messages spent an attempt"
t_is "$(echo "$j" | js 'sum(m["attempts"] == 0 for m in d)')" 13 "13 wait without spending one"
t_done
