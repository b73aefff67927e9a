#!/bin/bash
# Two, then three daemons sending from one PostgreSQL store (a private
# server) at once, nobody crashing: 10,000 birthday greetings a round,
# e-mails to the SMTP sink (aiosmtpd) and SMS through Kannel's fake SMSC.
# Every message arrives exactly once, and every daemon sent its share
# (the claims do not serialise them).  Then the leader is killed in the
# middle of its scan: another takes the lead, and the day's plan is
# complete with no item twice.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
. "$T_TESTS_DIR/pg_send.sh"
N=${SHARED_MESSAGES:-10000}
NSMS=$((N / 10))	# a tenth by SMS
NMAIL=$((N - NSMS))
pg_send_server
pg_send_sink
"$T_PEERS_DIR/kannel.sh" start "$dir/kannel" >"$dir/kannel.out" 2>&1 ||
	t_skip_all "Kannel did not start: $(tail -1 "$dir/kannel.out")"
t_cleanup_push "'$T_PEERS_DIR/kannel.sh' stop '$dir/kannel' >/dev/null 2>&1"
. "$dir/kannel/env"
printf '%s\n' "$KANNEL_PASS" >"$dir/sms.pw"
psql_at() { "$PG_BINDIR/psql" -X -At -d "$1" -c "$2"; }

# A daemon NAME of round DB: two e-mail and four SMS connections, no rate
# that binds.
conf() { # FILE NAME DB
	pg_send_conf "$1" "$2" 100000
	sed -i "s|^store = .*|store = \"${PG_URI%/*}/$3\";|; s|connections = 1;|connections = 2;|" "$1"
	cat >>"$1" <<CONF
sms: { transport = "kannel"; url = "$KANNEL_SENDSMS_URL"; username = "$KANNEL_USER";
  password_file = "$dir/sms.pw"; sender = "Acme"; connections = 4; };
CONF
}

# N customers with a birthday today, e-mail or SMS (each phone unique).
customers() { # FILE PREFIX
	/usr/bin/python3 - "$NMAIL" "$NSMS" "$(TZ=UTC date +%F)" "$2" >"$1" <<'PY'
import sys
nmail, nsms, today, p = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
print("external_id,name,email,phone,birthday,channel")
for i in range(nmail):
    print("%s%05d,Customer %d,%s%05d@example.test,,1980-%s,email" % (p, i, i, p.lower(), i, today[5:]))
for i in range(nsms):
    print("%sS%05d,Customer %d,,+1555%07d,1980-%s,sms" % (p, i, i, int(p != "R2") * 5000000 + i, today[5:]))
PY
}

# Messages at the peers for round prefix P: e-mails by key, SMS by phone.
mail_to() { # P: the round's addresses the SMTP server got, one line each
	grep -h '^To:' "$dir"/mail/new/*.eml 2>/dev/null |
	    grep -o "${1,,}[0-9]*@example.test"
}
sms_to() { # PHONE-PREFIX: the numbers the fake SMSC got, one line each
	/usr/bin/python3 "$T_PEERS_DIR/fakesmsc_decode.py" "$KANNEL_FAKESMSC_LOG" |
	    /usr/bin/python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if sys.argv[1] in m["to"]: print(m["to"])' "$1"
}
sent_by() { grep -c 'sent .* via ' "$dir/$1.log" 2>/dev/null; }
# Messages the peers accepted (an SMS with its delivery report is
# 'delivered').
accepted() { # DB
	psql_at "${PG_URI%/*}/$1" "SELECT count(*) FROM outbox WHERE state IN ('sent','delivered')"
}

# One round: daemons NAMES... on database DB, customers prefixed P whose
# phones start with PHONE.
round() { # DB P PHONE NAMES...
	local db=$1 p=$2 phone=$3 name pids="" t0 secs
	shift 3
	psql_at "$PG_URI" "CREATE DATABASE $db;" >/dev/null
	for name in "$@"; do conf "$dir/$name.conf" "$name" "$db"; done
	customers "$dir/$db.csv" "$p"
	t_like "$("$CTL" -c "$dir/$1.conf" import customers "$dir/$db.csv" --no-progress)" \
		"imported $N customers" "$db: $N customers with a birthday today"
	t0=$(date +%s.%N)
	for name in "$@"; do
		t_bg "$dir/$name.pid" "$D" -c "$dir/$name.conf" --foreground --log-level info
		pids="$pids $T_BG_PID"
	done
	t_wait_until 300 eval '[ "$(accepted "$db")" = "$N" ]'
	secs=$(echo "$(date +%s.%N) - $t0" | bc)
	t_is "$(accepted "$db")" "$N" "$db: $# daemons sent all $N ($secs s)"
	t_wait_until 30 eval '[ "$(sms_to "$phone" | wc -l)" -ge "$NSMS" ]'
	t_is "$(mail_to "$p" | wc -l)" "$NMAIL" "$db: the SMTP server got $NMAIL e-mails"
	t_is "$(mail_to "$p" | sort -u | wc -l)" "$NMAIL" "  each once"
	t_is "$(sms_to "$phone" | wc -l)" "$NSMS" "$db: the SMSC got $NSMS SMS"
	t_is "$(sms_to "$phone" | sort -u | wc -l)" "$NSMS" "  each once"
	for name in "$@"; do
		t_ok "$db: daemon $name sent its share ($(sent_by "$name"))" \
			test "$(sent_by "$name")" -ge $((N / $# / 4))
	done
	t_is "$(psql_at "${PG_URI%/*}/$db" "SELECT count(*) FROM outbox WHERE claimed_by IS NOT NULL OR lease_until IS NOT NULL")" \
		0 "$db: no lease left behind"
	for name in "$@"; do t_kill "$dir/$name.pid"; done
}

round r2 R2 1555000 a b
round r3 R3 1555500 c d e

# The leader killed while it plans: another takes the lead and plans the
# day again; every customer has one greeting planned, none twice.
psql_at "$PG_URI" "CREATE DATABASE r4;" >/dev/null
conf "$dir/f.conf" f r4
conf "$dir/g.conf" g r4
customers "$dir/r4.csv" R4
"$CTL" -c "$dir/f.conf" import customers "$dir/r4.csv" --no-progress >/dev/null
t_bg "$dir/f.pid" "$D" -c "$dir/f.conf" --foreground --log-level debug
f=$T_BG_PID
t_wait_until 30 grep -q 'started:' "$dir/f.log"
t_bg "$dir/g.pid" "$D" -c "$dir/g.conf" --foreground --log-level info
t_wait_until 20 grep -q following "$dir/g.log"
# Its plan's transaction is under way from this line on.
t_wait_until 20 grep -q 'planning ' "$dir/f.log"
kill -9 "$f"
wait "$f" 2>/dev/null
items=$(psql_at "${PG_URI%/*}/r4" "SELECT count(*) FROM plan_items")
t_ok "the leader was killed before its plan was committed ($items items)" \
	test "$items" -lt "$N"
t_wait_until 30 grep -q 'taking the lead' "$dir/g.log"
t_like "$(grep 'taking the lead' "$dir/g.log")" "taking the lead" "another daemon takes the lead"
t_wait_until 120 eval '[ "$(psql_at "${PG_URI%/*}/r4" "SELECT count(*) FROM plan_items WHERE rule = '"'birthday'"'")" = "$N" ]'
t_is "$(psql_at "${PG_URI%/*}/r4" "SELECT count(*) FROM plan_items WHERE rule = 'birthday'")" \
	"$N" "the day's plan is complete: $N birthday greetings"
t_is "$(psql_at "${PG_URI%/*}/r4" "SELECT count(*) - count(DISTINCT dedup_key) FROM plan_items")" \
	0 "  no item twice"
t_is "$(psql_at "${PG_URI%/*}/r4" "SELECT count(*) FROM (SELECT customer_id FROM plan_items WHERE rule = 'birthday' GROUP BY customer_id HAVING count(*) > 1) x")" \
	0 "  no customer greeted twice"
t_kill "$dir/g.pid"
t_done
