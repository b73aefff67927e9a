#!/bin/bash
# One sender per store, whatever the configuration says: a second daemon
# with its own state directory, `outreachctl send` with another
# configuration and --db, or the same store named through a symbolic link
# are all refused while a daemon sends from it (each one's start-up
# recovery used to resend the other's in-flight messages).  Commands that
# only read never create a store where none is.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)

conf() { # FILE STATE-DIR STORE
	cat >"$1" <<CONF
store = "$3";
timezone = "Asia/Shanghai";
templates = "$top/templates";
daemon: { state_dir = "$2"; scan_interval = 3600; };
http: { listen = "127.0.0.1:0"; };
CONF
	mkdir -p "$2"
}
conf "$dir/a.conf" "$dir/a" "$dir/live.db"
conf "$dir/b.conf" "$dir/b" "$dir/live.db"
ln -s "$dir" "$dir/link"
conf "$dir/c.conf" "$dir/c" "$dir/link/./live.db"
"$CTL" -c "$dir/a.conf" init >/dev/null
"$D" -c "$dir/a.conf" --foreground >"$dir/a.log" 2>&1 &
dpid=$!
t_cleanup_push "kill -9 $dpid 2>/dev/null"
t_ok "the first daemon holds the store's lock" t_wait_until 10 test -s "$dir/live.db.lock"

out=$("$D" -c "$dir/b.conf" --foreground 2>&1); rc=$?
t_is "$rc" 75 "a second daemon with another state directory exits EX_TEMPFAIL"
t_like "$out" "another outreachd \\(pid $dpid\\) is sending from this store" "naming the first one's pid"
out=$("$D" -c "$dir/c.conf" --foreground 2>&1); rc=$?
t_is "$rc" 75 "the same store through a symbolic link: refused too"
out=$("$CTL" -c "$dir/b.conf" --db "$dir/live.db" send 2>&1); rc=$?
t_is "$rc" 75 "outreachctl send with another configuration and --db: refused"
out=$("$CTL" -c "$dir/b.conf" --db "$dir/live.db" scan 2>&1); rc=$?
t_is "$rc" 75 "outreachctl scan likewise"
t_ok "reading commands still work beside the daemon" "$CTL" -c "$dir/b.conf" --db "$dir/live.db" stats
kill -TERM "$dpid"
wait "$dpid"
t_ok "once the daemon stopped, send runs" "$CTL" -c "$dir/b.conf" --db "$dir/live.db" send

# Reading commands on a store that is not there.
for cmd in stats outbox "customer list" plan "task list"; do
	out=$("$CTL" -c "$dir/a.conf" --db "$dir/typo.db" $cmd 2>&1); rc=$?
	t_ok "$cmd on a missing store fails (rc=$rc)" test "$rc" -ne 0
	t_like "$out" "typo.db: no store here" "$cmd says there is no store"
done
t_ok "and none was created" test ! -e "$dir/typo.db"
t_ok "init still creates one" "$CTL" -c "$dir/a.conf" --db "$dir/new.db" init
t_ok "which stats then reads" "$CTL" -c "$dir/a.conf" --db "$dir/new.db" stats
t_done
