#!/bin/bash
# Two daemons on one PostgreSQL store (a private server): the first sends,
# the second waits in standby and serves its pages; the first is killed
# with SIGKILL in the middle of a batch, and the second takes the sending
# over.  At the SMTP server every message arrives, and at most one twice
# (one connection: one message in flight when the first died).
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$T_PEERS_DIR/postgres.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || t_skip_all "python3-aiosmtpd not installed"
command -v curl >/dev/null || t_skip_all "curl not installed"
bt=$(cd "${top_builddir:-..}" 2>/dev/null && pwd) || bt=$PWD/..
grep -q '^#define HAVE_POSTGRESQL 1' "$bt/config.h" 2>/dev/null ||
	t_skip_all "built without PostgreSQL (configure --with-postgresql)"
N=${FAILOVER_MESSAGES:-1000}
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
# 200 messages a second: the batch takes a few seconds, long enough to
# die in the middle of it.
mkconf() { # NAME
	local http
	http=$(t_freeport)
	mkdir -p "$dir/$1"
	echo "$http" >"$dir/$1/http.port"
	cat >"$dir/$1/o.conf" <<CONF
store = "$PG_URI";
templates = "$top/templates";
daemon: { state_dir = "$dir/$1"; scan_interval = 3600; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; batch = 100000;
  retry_base_seconds = 1; retry_max_seconds = 1; max_attempts = 50; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$port"; tls = "none";
  from = "greetings@acme.example"; connections = 1;
  rate = { messages = 200; seconds = 1; }; };
http: { listen = "127.0.0.1:$http"; base_url = "http://127.0.0.1:$http"; };
CONF
}
mkconf a
mkconf b
ctl() { "$CTL" -c "$dir/a/o.conf" "$@"; }
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

t_bg "$dir/a.pid" "$D" -c "$dir/a/o.conf" --foreground --log-level info
a=$T_BG_PID
t_wait_until 60 eval '[ "$(received)" -ge 100 ]' || t_bail "the first daemon sends nothing"
t_bg "$dir/b.pid" "$D" -c "$dir/b/o.conf" --foreground --log-level info
b=$T_BG_PID
t_wait_until 20 grep -q 'standby' "$dir/b.log"
t_like "$(cat "$dir/b.log")" "standby: another outreachd sends from this store" \
	"the second daemon waits in standby"
t_wait_port "$(cat "$dir/b/http.port")" 20 "$b"
t_is "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(cat "$dir/b/http.port")/healthz")" \
	200 "  and serves its pages meanwhile"
before=$(received)
t_like "$before" '^[0-9]+$' "the first daemon has sent $before of $N"
kill -9 "$a"
wait "$a" 2>/dev/null
t0=$(date +%s)
t_wait_until 30 grep -q 'taking over' "$dir/b.log"
t_like "$(cat "$dir/b.log")" "taking over: the sender's lock is ours" \
	"killed, its sending is taken over ($(( $(date +%s) - t0 )) s)"
sent() { ctl outbox --state sent --json | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
t_wait_until 90 eval '[ "$(sent)" = "$N" ]'
t_is "$(sent)" "$N" "every message ends up sent"
grep -h '^X-Outreachd-Key:' "$dir"/mail/new/*.eml | sort >"$dir/keys"
total=$(wc -l <"$dir/keys")
unique=$(sort -u "$dir/keys" | wc -l)
t_is "$unique" "$N" "the server received every message: lost = $((N - unique))"
dups=$((total - unique))
t_like "$dups" '^[01]$' "duplicates: $dups (at most the one in flight at the kill)"

# Idle now, its next scan an hour away: a command on another connection
# wakes it through the database (NOTIFY), not a signal.
printf 'external_id,name,email,birthday,channel\nW00001,Late One,late@example.test,1980-%s,email\n' \
	"${today:5}" >"$dir/w.csv"
t_ok "import of one more birthday" ctl import customers "$dir/w.csv" --no-progress
t_wait_until 20 eval '[ "$(received)" -gt "$total" ]'
t_is "$(grep -c 'late@example.test' "$dir"/mail/new/*.eml | awk -F: '{ n += $2 } END { print n }')" 1 \
	"the daemon, woken by NOTIFY, planned and sent it at once"
t_kill "$dir/b.pid"
t_done
