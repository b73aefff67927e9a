#!/bin/bash
# Two daemons on one PostgreSQL store (a private server), one of them
# killed with SIGKILL at a random moment again and again and started
# again: whichever holds the sender's lock sends, the other (or the
# killed one, started again first) takes over when it dies.  At the SMTP
# server every message arrives, and no more duplicates than kills (one
# connection: one message in flight at a kill).  The day's plan has each
# item once.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
. "$T_TESTS_DIR/pg_send.sh"
N=${KILLS_MESSAGES:-2000}
KILLS=${KILLS:-20}
pg_send_server
pg_send_sink
pg_send_conf "$dir/a.conf" a 100
pg_send_conf "$dir/b.conf" b 100
ctl() { "$CTL" -c "$dir/a.conf" "$@"; }
pg_send_birthdays "$N" "$dir/c.csv"
t_like "$(ctl import customers "$dir/c.csv" --no-progress)" "imported $N customers" \
	"$N customers with a birthday today, in PostgreSQL"
start() { # NAME: started again, in the background
	"$D" -c "$dir/$1.conf" --foreground --log-level info >>"$dir/$1.log" 2>&1 &
	echo $! >"$dir/$1.pid"
}
start a
sleep 0.3
start b
t_cleanup_push "kill \$(cat '$dir/a.pid' '$dir/b.pid') 2>/dev/null"
kills=0
for round in $(seq 1 "$KILLS"); do
	[ "$(pg_send_sent "$dir/a.conf")" = "$N" ] && break
	sleep "$((RANDOM % 2)).$((RANDOM % 10))"
	who=$([ $((RANDOM % 2)) = 0 ] && echo a || echo b)
	pid=$(cat "$dir/$who.pid")
	if kill -9 "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null
		kills=$((kills + 1))
	fi
	start "$who"
done
t_wait_until 120 eval '[ "$(pg_send_sent "$dir/a.conf")" = "$N" ]'
t_is "$(pg_send_sent "$dir/a.conf")" "$N" "every message ends up sent after $kills kills"
pg_send_keys
t_is "$unique" "$N" "the server received every message: lost = $((N - unique))"
dups=$((total - unique))
t_diag "kills: $kills, messages received: $total, duplicates: $dups"
t_ok "duplicates ($dups) <= kills ($kills)" test "$dups" -le "$kills"
t_ok "kills happened while it sent" test "$kills" -ge $((KILLS / 2))
psql_at() { "$PG_BINDIR/psql" -X -At -d "$PG_URI" -c "$1"; }
t_is "$(psql_at "SELECT count(*) - count(DISTINCT dedup_key) FROM plan_items")" \
	0 "the plan has each item once"
t_is "$(psql_at "SELECT count(*) FROM plan_items WHERE rule = 'birthday'")" \
	"$N" "  one birthday greeting per customer"
t_done
