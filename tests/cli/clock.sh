#!/bin/bash
# The wall clock stepping under a running daemon (libfaketime, following a
# file): scans are timed on the monotonic clock, so setting the clock back
# 2 h does not stop planning for 2 h, and a step makes it plan again at
# once, saying so.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
ft=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
[ -n "$ft" ] || t_skip_all "libfaketime not installed"
dir=$(t_tmpdir)
cat >"$dir/c.conf" <<CONF
store = "$(t_store "$dir/c.db")";
timezone = "Asia/Shanghai";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; scan_interval = 2; };
http: { listen = "127.0.0.1:0"; };
CONF
mkdir -p "$dir/state"
"$CTL" -c "$dir/c.conf" init >/dev/null
echo "+0" >"$dir/clock"
LD_PRELOAD="$ft" FAKETIME_TIMESTAMP_FILE="$dir/clock" FAKETIME_NO_CACHE=1 \
	FAKETIME_DONT_FAKE_MONOTONIC=1 "$D" -c "$dir/c.conf" --foreground \
	--log-level info >"$dir/d.log" 2>&1 &
dpid=$!
t_cleanup_push "kill -9 $dpid 2>/dev/null"
scans() { grep -c 'planned ' "$dir/d.log"; }
t_ok "the daemon scans every 2 s" t_wait_until 10 sh -c "test \$(grep -c 'planned ' '$dir/d.log') -ge 2"
echo "-2h" >"$dir/clock"
t_ok "a step back of 2 h is noticed" t_wait_until 6 grep -q 'the clock stepped by -7[12][0-9][0-9] s: planning again' "$dir/d.log"
n=$(scans)
t_ok "and scans go on every 2 s (not 2 h later)" t_wait_until 8 sh -c "test \$(grep -c 'planned ' '$dir/d.log') -ge $((n + 2))"
echo "+1d" >"$dir/clock"
t_ok "a step forward of a day is noticed too" t_wait_until 6 grep -q 'the clock stepped by +[0-9]* s: planning again' "$dir/d.log"
kill -TERM "$dpid"
wait "$dpid"
t_is "$?" 0 "SIGTERM: exit 0"
t_done
