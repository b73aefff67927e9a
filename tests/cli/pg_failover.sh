#!/bin/bash
# Two daemons on one PostgreSQL store (a private server): the first leads
# (plans, queues) and sends, the second follows: it sends what is queued
# beside the first and serves its pages.  The first is killed with SIGKILL
# in the middle of the batch: the second takes the lead, and the rows the
# first had claimed once their lease ran out.  At the SMTP server every
# message arrives, and at most one twice (one connection: one message in
# flight when the first died).  Then an import on another connection
# wakes the idle daemon through the database.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
. "$T_TESTS_DIR/pg_send.sh"
command -v curl >/dev/null || t_skip_all "curl not installed"
N=${FAILOVER_MESSAGES:-1000}
pg_send_server
pg_send_sink
# 200 messages a second: the batch takes a few seconds, long enough to
# die in the middle of it.
pg_send_conf "$dir/a.conf" a 200
pg_send_conf "$dir/b.conf" b 200
ctl() { "$CTL" -c "$dir/a.conf" "$@"; }
pg_send_birthdays "$N" "$dir/c.csv"
t_like "$(ctl import customers "$dir/c.csv" --no-progress)" "imported $N customers" \
	"$N customers with a birthday today, in PostgreSQL"
received() { find "$dir/mail/new" -name '*.eml' 2>/dev/null | wc -l; }
sent_by() { grep -c '^.*sent .* via smtp' "$dir/$1.log" 2>/dev/null; }

t_bg "$dir/a.pid" "$D" -c "$dir/a.conf" --foreground --log-level info
a=$T_BG_PID
t_wait_until 60 eval '[ "$(received)" -ge 100 ]' || t_bail "the first daemon sends nothing"
t_bg "$dir/b.pid" "$D" -c "$dir/b.conf" --foreground --log-level info
b=$T_BG_PID
t_wait_until 20 grep -q 'following' "$dir/b.log"
t_like "$(grep following "$dir/b.log")" "following: another outreachd leads" \
	"the second daemon follows"
t_wait_port "$(cat "$dir/b/http.port")" 20 "$b"
t_is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(cat "$dir/b/http.port")/healthz")" \
	200 "  and serves its pages meanwhile"
t_wait_until 20 eval '[ "$(sent_by b)" -gt 0 ]'
t_ok "  and sends beside the first ($(sent_by b) so far)" test "$(sent_by b)" -gt 0
before=$(received)
t_like "$before" '^[0-9]+$' "the two daemons have sent $before of $N"
kill -9 "$a"
wait "$a" 2>/dev/null
t0=$(date +%s)
t_wait_until 30 grep -q 'taking the lead' "$dir/b.log"
t_like "$(grep 'taking the lead' "$dir/b.log")" "taking the lead: the leader's lock is ours" \
	"killed, the lead is taken over ($(( $(date +%s) - t0 )) s)"
t_wait_until 90 eval '[ "$(pg_send_sent "$dir/a.conf")" = "$N" ]'
t_is "$(pg_send_sent "$dir/a.conf")" "$N" "every message ends up sent"
pg_send_keys
t_is "$unique" "$N" "the server received every message: lost = $((N - unique))"
dups=$((total - unique))
t_like "$dups" '^[01]$' "duplicates: $dups (at most the one in flight at the kill)"

# Idle now, its next scan an hour away: a command on another connection
# wakes it through the database (NOTIFY), not a signal.
printf 'external_id,name,email,birthday,channel\nW00001,Late One,late@example.test,1980-%s,email\n' \
	"$(TZ=UTC date +%m-%d)" >"$dir/w.csv"
t_ok "import of one more birthday" ctl import customers "$dir/w.csv" --no-progress
t_wait_until 20 eval '[ "$(received)" -gt "$total" ]'
t_is "$(grep -l 'late@example.test' "$dir"/mail/new/*.eml | wc -l)" 1 \
	"the daemon, woken by NOTIFY, planned and sent it at once"
t_kill "$dir/b.pid"
t_done
