#!/bin/bash
# The database goes away in the middle of a batch: a daemon sending from a
# PostgreSQL store (a private server) sees the server stopped for a few
# seconds and started again.  It logs, waits, resumes, and loses nothing:
# at the SMTP server every message arrives, at most the few in flight
# when the server went away twice.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
. "$T_TESTS_DIR/pg_send.sh"
N=${FAULT_MESSAGES:-600}
pg_send_server
pg_send_sink
pg_send_conf "$dir/o.conf" d 100
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
pg_send_birthdays "$N" "$dir/c.csv"
t_like "$(ctl import customers "$dir/c.csv" --no-progress)" "imported $N customers" \
	"$N customers with a birthday today, in PostgreSQL"
received() { find "$dir/mail/new" -name '*.eml' 2>/dev/null | wc -l; }

t_bg "$dir/d.pid" "$D" -c "$dir/o.conf" --foreground --log-level info
d=$T_BG_PID
t_wait_until 60 eval '[ "$(received)" -ge 100 ]' || t_bail "the daemon sends nothing"
pg_stop "$dir/pg" >>"$dir/pg_ops.log" 2>&1
at_stop=$(received)
sleep 4
t_ok "the daemon is still running with the database gone" kill -0 "$d"
pg_resume "$dir/pg" >>"$dir/pg_ops.log" 2>&1 || t_bail "PostgreSQL did not start again"
t_wait_until 120 eval '[ "$(pg_send_sent "$dir/o.conf")" = "$N" ]'
t_is "$(pg_send_sent "$dir/o.conf")" "$N" "every message ends up sent (server stopped after $at_stop)"
t_ok "the daemon ran through it" kill -0 "$d"
t_ok "it logged the lost database" grep -Eq \
	"connection|server closed|terminating|could not connect" "$dir/d.log"
pg_send_keys
t_is "$unique" "$N" "the server received every message: lost = $((N - unique))"
dups=$((total - unique))
t_like "$dups" '^[0-9]$' "duplicates: $dups (only what was in flight)"
t_kill "$dir/d.pid"
t_done
