#!/bin/bash
# Two daemons on one PostgreSQL store (a private server), one of them
# killed with SIGKILL at a random moment again and again and started
# again: whichever holds the sender's lock sends, the other (or the
# killed one, started again first) takes over when it dies.  At the SMTP server every message arrives, and no more
# duplicates than kills (one connection: one message in flight at a
# kill).  The day's plan has each item once.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$T_PEERS_DIR/postgres.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || t_skip_all "python3-aiosmtpd not installed"
bt=$(cd "${top_builddir:-..}" 2>/dev/null && pwd) || bt=$PWD/..
grep -q '^#define HAVE_POSTGRESQL 1' "$bt/config.h" 2>/dev/null ||
	t_skip_all "built without PostgreSQL (configure --with-postgresql)"
N=${KILLS_MESSAGES:-2000}
KILLS=${KILLS:-20}
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
mkconf() { # NAME
	local http
	http=$(t_freeport)
	mkdir -p "$dir/$1"
	cat >"$dir/$1/o.conf" <<CONF
store = "$PG_URI";
templates = "$top/templates";
daemon: { state_dir = "$dir/$1"; scan_interval = 3600; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; batch = 100000;
  retry_base_seconds = 1; retry_max_seconds = 1; max_attempts = 50; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$port"; tls = "none";
  from = "greetings@acme.example"; connections = 1;
  rate = { messages = 150; seconds = 1; }; };
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
sent() { ctl outbox --state sent --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
start() { # NAME: started again, in the background
	"$D" -c "$dir/$1/o.conf" --foreground --log-level info >>"$dir/$1.log" 2>&1 &
	echo $! >"$dir/$1.pid"
}
start a
sleep 0.3
start b
t_cleanup_push "kill \$(cat '$dir/a.pid' '$dir/b.pid') 2>/dev/null"
kills=0
for round in $(seq 1 "$KILLS"); do
	[ "$(sent)" = "$N" ] && break
	sleep "$((RANDOM % 2)).$((RANDOM % 10))"
	who=$([ $((RANDOM % 2)) = 0 ] && echo a || echo b)
	pid=$(cat "$dir/$who.pid")
	if kill -9 "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null
		kills=$((kills + 1))
	fi
	start "$who"
done
t_wait_until 120 eval '[ "$(sent)" = "$N" ]'
t_is "$(sent)" "$N" "every message ends up sent after $kills kills"
grep -h '^X-Outreachd-Key:' "$dir"/mail/new/*.eml | sort >"$dir/keys"
total=$(wc -l <"$dir/keys")
unique=$(sort -u "$dir/keys" | wc -l)
t_is "$unique" "$N" "the server received every message: lost = $((N - unique))"
dups=$((total - unique))
t_diag "kills: $kills, messages received: $total, duplicates: $dups"
t_ok "duplicates ($dups) <= kills ($kills)" test "$dups" -le "$kills"
t_ok "kills happened while it sent" test "$kills" -ge $((KILLS / 2))
t_is "$("$PG_BINDIR/psql" -X -At -d "$PG_URI" -c "SELECT count(*) - count(DISTINCT dedup_key) FROM plan_items")" \
	0 "the plan has each item once"
t_is "$("$PG_BINDIR/psql" -X -At -d "$PG_URI" -c "SELECT count(*) FROM plan_items WHERE rule = 'birthday'")" \
	"$N" "  one birthday greeting per customer"
t_done
