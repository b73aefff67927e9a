#!/bin/bash
# The database goes away in the middle of a batch: a daemon sending from a
# PostgreSQL store (a private server) sees the server stopped for a few
# seconds and started again.  It logs, waits, resumes, and loses nothing:
# at the SMTP server every message arrives, at most the few in flight
# when the server went away twice.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$T_PEERS_DIR/postgres.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || t_skip_all "python3-aiosmtpd not installed"
bt=$(cd "${top_builddir:-..}" 2>/dev/null && pwd) || bt=$PWD/..
grep -q '^#define HAVE_POSTGRESQL 1' "$bt/config.h" 2>/dev/null ||
	t_skip_all "built without PostgreSQL (configure --with-postgresql)"
N=${FAULT_MESSAGES:-600}
dir=$(t_tmpdir)
pgdir=$dir/pg
pg_start "$pgdir" >"$dir/pg_start.log" 2>&1
rc=$?
[ $rc = 77 ] && t_skip_all "$(tail -1 "$dir/pg_start.log")"
t_cleanup_push "pg_stop '$pgdir'"
[ $rc = 0 ] || t_bail "PostgreSQL did not start: $(tail -3 "$dir/pg_start.log")"
. "$pgdir/env"
today=$(TZ=UTC date +%F)

t_bg "$dir/smtpd.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
	--portfile "$dir/port" --maildir "$dir/mail" --owner-pid $$ --quiet
t_wait_file "$dir/port" 10
port=$(cat "$dir/port")
t_wait_port "$port" 10
http=$(t_freeport)
cat >"$dir/o.conf" <<CONF
store = "$PG_URI";
templates = "$top/templates";
daemon: { state_dir = "$dir"; scan_interval = 3600; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; batch = 100000;
  retry_base_seconds = 1; retry_max_seconds = 1; max_attempts = 50; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$port"; tls = "none";
  from = "greetings@acme.example"; connections = 1;
  rate = { messages = 100; seconds = 1; }; };
http: { listen = "127.0.0.1:$http"; base_url = "http://127.0.0.1:$http"; };
CONF
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
/usr/bin/python3 - "$N" "$today" >"$dir/c.csv" <<'PY'
import sys
n, today = int(sys.argv[1]), sys.argv[2]
print("external_id,name,email,birthday,channel")
for i in range(n):
    print("K%05d,Customer %d,k%05d@example.test,1980-%s,email" % (i, i, i, today[5:]))
PY
t_like "$(ctl import customers "$dir/c.csv" --no-progress)" "imported $N customers" \
	"$N customers with a birthday today, in PostgreSQL"
received() { find "$dir/mail/new" -name '*.eml' 2>/dev/null | wc -l; }

t_bg "$dir/d.pid" "$D" -c "$dir/o.conf" --foreground --log-level info
d=$T_BG_PID
t_wait_until 60 eval '[ "$(received)" -ge 100 ]' || t_bail "the daemon sends nothing"
pg_stop "$pgdir" >>"$dir/pg_ops.log" 2>&1
at_stop=$(received)
sleep 4
t_ok "the daemon is still running with the database gone" kill -0 "$d"
pg_resume "$pgdir" >>"$dir/pg_ops.log" 2>&1 || t_bail "PostgreSQL did not start again"
sent() { ctl outbox --state sent --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
t_wait_until 120 eval '[ "$(sent)" = "$N" ]'
t_is "$(sent)" "$N" "every message ends up sent (server stopped after $at_stop)"
t_ok "the daemon ran through it" kill -0 "$d"
t_like "$(cat "$dir/d.log")" "connection|server closed|terminating|could not connect" \
	"it logged the lost database"
grep -h '^X-Outreachd-Key:' "$dir"/mail/new/*.eml | sort >"$dir/keys"
total=$(wc -l <"$dir/keys")
unique=$(sort -u "$dir/keys" | wc -l)
t_is "$unique" "$N" "the server received every message: lost = $((N - unique))"
dups=$((total - unique))
t_like "$dups" '^[0-9]$' "duplicates: $dups (only what was in flight)"
t_kill "$dir/d.pid"
t_done
