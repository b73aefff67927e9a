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
live=$(t_store "$dir/live.db")
conf "$dir/a.conf" "$dir/a" "$live"
conf "$dir/b.conf" "$dir/b" "$live"
ln -s "$dir" "$dir/link"
conf "$dir/c.conf" "$dir/c" "$dir/link/./live.db"
"$CTL" -c "$dir/a.conf" init >/dev/null
"$D" -c "$dir/a.conf" --foreground >"$dir/a.log" 2>&1 &
dpid=$!
t_cleanup_push "kill -9 $dpid 2>/dev/null"
# SQLite's lock is a file beside the store, PostgreSQL's an advisory lock
# of the daemon's session (src/store_lease.c).
locked() {
	if t_pg; then
		test "$(t_sql "$live" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		    AND granted AND objid = 7310452")" = 1
	else
		test -s "$dir/live.db.lock"
	fi
}
t_ok "the first daemon holds the store's lock" t_wait_until 10 locked

# On PostgreSQL a second daemon waits as a standby instead (README,
# "Scaling out"; tests/cli/pg_failover.sh), and a store is no file to
# reach through a link.
if t_sqlite_only 3; then
	out=$("$D" -c "$dir/b.conf" --foreground 2>&1); rc=$?
	t_is "$rc" 75 "a second daemon with another state directory exits EX_TEMPFAIL"
	t_like "$out" "another outreachd \\(pid $dpid\\) is sending from this store" "naming the first one's pid"
	out=$("$D" -c "$dir/c.conf" --foreground 2>&1); rc=$?
	t_is "$rc" 75 "the same store through a symbolic link: refused too"
fi
out=$("$CTL" -c "$dir/b.conf" --db "$live" send 2>&1); rc=$?
t_is "$rc" 75 "outreachctl send with another configuration and --db: refused"
out=$("$CTL" -c "$dir/b.conf" --db "$live" scan 2>&1); rc=$?
t_is "$rc" 75 "outreachctl scan likewise"
t_ok "reading commands still work beside the daemon" "$CTL" -c "$dir/b.conf" --db "$live" stats
kill -TERM "$dpid"
wait "$dpid"
t_ok "once the daemon stopped, send runs" "$CTL" -c "$dir/b.conf" --db "$live" send

# Reading commands on a store that is not there (on PostgreSQL: an empty
# database).
typo=$(t_store "$dir/typo.db")
for cmd in stats outbox "customer list" plan "task list"; do
	out=$("$CTL" -c "$dir/a.conf" --db "$typo" $cmd 2>&1); rc=$?
	t_ok "$cmd on a missing store fails (rc=$rc)" test "$rc" -ne 0
	t_like "$out" "${typo##*/}: no store here" "$cmd says there is no store"
done
if t_pg; then
	t_is "$(t_sql "$typo" "SELECT count(*) FROM information_schema.tables
	    WHERE table_schema = 'public'")" 0 "and none was created"
else
	t_ok "and none was created" test ! -e "$typo"
fi
new=$(t_store "$dir/new.db")
t_ok "init still creates one" "$CTL" -c "$dir/a.conf" --db "$new" init
t_ok "which stats then reads" "$CTL" -c "$dir/a.conf" --db "$new" stats
t_done
