#!/bin/bash
# kill -9 the sender again and again in the middle of a batch of a few
# thousand e-mails, restart it each time, and count at the SMTP server:
# every message arrives (none lost) and duplicates are at most one per kill
# (one connection, so at most one message is in flight when it dies).
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || t_skip_all "python3-aiosmtpd not installed"
N=${CRASH_MESSAGES:-2000}
dir=$(t_tmpdir)
today=$(TZ=UTC date +%F)

t_bg "$dir/smtpd.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
	--portfile "$dir/port" --maildir "$dir/mail" --owner-pid $$ --quiet
t_wait_file "$dir/port" 10
port=$(cat "$dir/port")
t_wait_port "$port" 10
# On PostgreSQL a killed sender's messages stay its own until its claim's
# lease ends (delivery.claim_lease_seconds): a short one, waited out after
# each kill, so that the next run takes them back as the next run on
# SQLite does at once.
lease=3 leasing=
t_pg && leasing=" claim_lease_seconds = $lease;"
cat >"$dir/o.conf" <<CONF
store = "$(t_store "$dir/o.db")";
templates = "$top/templates";
daemon: { state_dir = "$dir"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; batch = 100000;
  retry_base_seconds = 1; retry_max_seconds = 1; max_attempts = 50;$leasing };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$port"; tls = "none";
  from = "greetings@acme.example"; connections = 1; rate = { messages = 1000000; seconds = 60; }; };
CONF
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
/usr/bin/python3 - "$N" "$today" >"$dir/c.csv" <<'PY'
import sys
n, today = int(sys.argv[1]), sys.argv[2]
print("external_id,name,email,birthday,channel")
for i in range(n):
    print("K%05d,Customer %d,k%05d@example.test,1980-%s,email" % (i, i, i, today[5:]))
PY
t_like "$(ctl import customers "$dir/c.csv")" "imported $N customers" "$N customers with a birthday today"

kills=0
for round in $(seq 1 40); do
	# Done when every message is sent (not merely when the queue is empty:
	# a kill before queueing leaves it empty).
	sent=$(ctl outbox --state sent --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$sent" = "$N" ] && break
	"$D" -c "$dir/o.conf" --once --log-level warning >>"$dir/d.log" 2>&1 &
	pid=$!
	# Kill at a random moment while it works; the last rounds run to the end.
	# On PostgreSQL planning and queueing the batch take longer than the
	# moments drawn: there the moment counts from the first message of
	# this run at the server, so that kills meet sends there too.
	if [ "$round" -le 12 ]; then
		if t_pg; then
			n0=$(ls "$dir/mail/new" 2>/dev/null | wc -l)
			t_wait_until 10 eval '! t_alive "$pid" ||
			    [ "$(ls "$dir/mail/new" 2>/dev/null | wc -l)" -gt "$n0" ]'
		fi
		sleep "0.$((RANDOM % 9 + 1))"
		if kill -9 "$pid" 2>/dev/null; then
			kills=$((kills + 1))
			t_pg && sleep "$lease.2"
		fi
	fi
	wait "$pid" 2>/dev/null
done
sent=$(ctl outbox --state sent --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
t_is "$sent" "$N" "every message ends up sent after $kills kills"
grep -h '^X-Outreachd-Key:' "$dir"/mail/new/*.eml | sort >"$dir/keys"
total=$(wc -l <"$dir/keys")
unique=$(sort -u "$dir/keys" | wc -l)
t_is "$unique" "$N" "the server received every message: lost = $((N - unique))"
dups=$((total - unique))
t_diag "kills: $kills, messages received: $total, duplicates: $dups"
t_ok "duplicates ($dups) <= kills ($kills)" test "$dups" -le "$kills"
t_ok "some kills happened mid-batch" test "$kills" -ge 3
t_like "$(cat "$dir/d.log")" "were being sent when the daemon stopped" "recovery noticed interrupted sends"
t_done
