#!/bin/bash
# Crash cycles over several simulated days (issue #9): a store whose events
# give both e-mails (birthdays, win-backs) and reps' tasks (revisits of
# tiers A/B/C, birthday invitations, anniversary gifts, lost customers).
# Each day (libfaketime) outreachd --once is started again and again and
# killed with SIGKILL at random moments of its cycle (start-up, tiers and
# planning, queueing, delivery), then run to the end.  At the end, counted
# at the SMTP server and in the store: every due message arrived (lost 0),
# duplicates <= kills, and every expected task is there exactly once (no
# (customer, kind, day) twice).
#
# Environment (e.g. CRASH_CYCLES=60 make check TESTS=cli/crash_cycles.sh):
# CRASH_CYCLES     kills to aim for in all (default 50), spread over the days
# CRASH_DAYS       simulated days (default 5, at most 9)
# CRASH_PER_DAY    birthday e-mails per day (default 400)
# CRASH_SEED       seed of bash's RANDOM (default: random; printed, so that a
#                  run's choices of kill moments can be repeated)
# The figures are printed as a TAP comment:
#   # kills=.. lost=.. dups=.. tasks=.. (expected .., duplicated ..) ...
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
"$T_PY" -c 'import aiosmtpd' 2>/dev/null || t_skip_all "python3-aiosmtpd not installed"
command -v faketime >/dev/null || t_skip_all "faketime not installed"
t_pg || command -v sqlite3 >/dev/null || t_skip_all "sqlite3 not installed"
[ -x "$D" ] || t_skip_all "no outreachd at $D"
# The daemon is started with libfaketime preloaded, as our own child (the
# faketime program forks and waits for its child, so a SIGKILL sent to it
# would miss the daemon).
[ -n "$T_FAKETIME_LIB" ] || t_skip_all "libfaketime.so.1 not found"
KILLS=${CRASH_CYCLES:-50}
DAYS=${CRASH_DAYS:-5}
PER_DAY=${CRASH_PER_DAY:-400}
SEED=${CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
RANDOM=$SEED
[ "$DAYS" -ge 1 ] && [ "$DAYS" -le 9 ] || t_bail "CRASH_DAYS must be 1..9"
export TZ=UTC   # faketime's times, date(1) and the daemon's clock agree
dir=$(t_tmpdir)
started=$(_t_now_us)

t_bg "$dir/smtpd.pid" "$T_PY" "$top/tests/peers/smtpd.py" --port 0 \
	--portfile "$dir/port" --maildir "$dir/mail" --owner-pid $$ --quiet
t_wait_file "$dir/port" 10 || t_bail "smtpd.py did not start: $(cat "$dir/smtpd.log")"
port=$(cat "$dir/port")
t_wait_port "$port" 10 "$T_BG_PID" || t_bail "smtpd.py is not answering on $port"
cat >"$dir/o.conf" <<CONF
store = "$(t_store "$dir/o.db")";
templates = "$top/templates";
timezone = "UTC";
daemon: { state_dir = "$dir"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; batch = 100000;
  retry_base_seconds = 1; retry_max_seconds = 1; max_attempts = 50; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$port"; tls = "none";
  from = "greetings@acme.example"; connections = 1;
  rate = { messages = 1000000; seconds = 60; }; };
CONF
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
at() { faketime "$1" "${@:2}"; }
sql() { t_sql "$dir/o.db" "$@"; }

# The store, made on 2027-02-19 (ten days before the first day).  For
# every simulated day d (2027-03-01 + k):
#   PER_DAY   customers born on d                     -> birthday e-mail
#   3 tier A, born on d + 14                          -> birthday_invite task
#   3 tier A, married on d + 7                        -> anniversary_gift task
#   3 each of tier A/B/C, last contact d - 30/90/180  -> revisit_a/b/c task
#   3 whose only purchase was on d - 180 (sleeping)   -> winback e-mail
#   3 whose only purchase was on d - 365 (lost)       -> lost (call) task
# Everyone has a manual tier and a recent contact unless said otherwise,
# so that nothing else falls due.
day0=2027-03-01
dayn() { date -u -d "$day0 + $1 days" +%F; }
"$T_PY" - "$dir" "$day0" "$DAYS" "$PER_DAY" <<'PY'
import datetime, sys
out, day0, ndays, per_day = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d0 = datetime.date.fromisoformat(day0)
cust = open(out + "/customers.csv", "w")
cont = open(out + "/contacts.csv", "w")
purc = open(out + "/purchases.csv", "w")
cust.write("external_id,name,email,birthday,anniversary,tier,channel\n")
cont.write("external_id,date,kind\n")
purc.write("external_id,amount,date\n")
recent = (d0 - datetime.timedelta(days=12)).isoformat()
def add(xid, tier, bday="", anniv="", contact=recent):
    cust.write("%s,Customer %s,%s@example.test,%s,%s,%s,email\n"
               % (xid, xid, xid.lower(), bday, anniv, tier))
    if contact:
        cont.write("%s,%s,call\n" % (xid, contact))
for k in range(ndays):
    d = d0 + datetime.timedelta(days=k)
    ago = lambda n: (d - datetime.timedelta(days=n)).isoformat()
    ahead = lambda n: (d + datetime.timedelta(days=n))
    for i in range(per_day):
        add("B%d%04d" % (k, i), "C", bday="1980-%s" % d.strftime("%m-%d"))
    for i in range(3):
        add("I%d%d" % (k, i), "A", bday="1975-%s" % ahead(14).strftime("%m-%d"))
        add("G%d%d" % (k, i), "A", anniv="2015-%s" % ahead(7).strftime("%m-%d"))
        add("VA%d%d" % (k, i), "A", contact=ago(30))
        add("VB%d%d" % (k, i), "B", contact=ago(90))
        add("VC%d%d" % (k, i), "C", contact=ago(180))
        add("S%d%d" % (k, i), "C")
        purc.write("S%d%d,20.00,%s\n" % (k, i, ago(180)))
        add("L%d%d" % (k, i), "C")
        purc.write("L%d%d,20.00,%s\n" % (k, i, ago(365)))
PY
for k in customers contacts purchases; do
	at '2027-02-19 09:00:00' "$CTL" -c "$dir/o.conf" import $k "$dir/$k.csv" >"$dir/import.$k" 2>&1 ||
		t_bail "import $k: $(cat "$dir/import.$k")"
done
t_pass "a store with $(sql 'select count(*) from customers') customers, made on 2027-02-19"

# What is due: the plan of the daemon's whole window (from grace_days = 3
# before the first day through the day after the last), which writes
# nothing.  (Nothing falls on the grace days or the day after the last.)
first=$(date -u -d "$day0 - 3 days" +%F)
at "$day0 09:00:00" "$CTL" -c "$dir/o.conf" plan --date "$first" --days $((DAYS + 4)) --json >"$dir/plan.json" ||
	t_bail "plan failed"
last=$(dayn $((DAYS - 1)))
"$T_PY" - "$dir/plan.json" "$last" "$dir" <<'PY'
import json, sys
plan, last, out = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
with open(out + "/exp_msgs", "w") as f:
    for i in plan:
        if i["action"] == "message" and i["date"] <= last:
            f.write("%s\t%s\t%s\n" % (i["date"], i["rule"], i["customer"]))
with open(out + "/exp_tasks", "w") as f:
    for i in plan:
        if i["action"] == "task":
            f.write("%s\t%s\t%s\t%s\n" % (i["customer"], i["task_kind"], i["date"], i["rule"]))
PY
exp_msgs=$(wc -l <"$dir/exp_msgs")
exp_tasks=$(wc -l <"$dir/exp_tasks")
# (With more than 7 days, the anniversaries of the first days fall inside.)
t_is "$exp_msgs" $((DAYS * (PER_DAY + 3) + (DAYS > 7 ? (DAYS - 7) * 3 : 0))) \
	"the plan: $exp_msgs e-mails due (birthdays, win-backs)"
t_is "$exp_tasks" $((DAYS * 18)) "the plan: $exp_tasks tasks (six kinds, 3 customers each, per day)"

# sent_through DAY: messages sent whose day is <= DAY (from the outbox).
sent_through() {
	ctl outbox --state sent --json | js "sum(1 for m in d if m['key'].split(':')[2] <= '$1')"
}
# One --once run at fake time $1; with $2 = delay, SIGKILL after it.
# Sets rc (137 = killed) and the phase it was killed in.
run_once() {
	local log="$dir/run.log"
	: >"$log"
	LD_PRELOAD=$T_FAKETIME_LIB FAKETIME="@$1" "$D" -c "$dir/o.conf" --once --log-level info >"$log" 2>&1 &
	local pid=$!
	if [ -n "${2:-}" ]; then
		sleep "$2"
		kill -9 "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	cat "$log" >>"$dir/d.log"
	if [ "$rc" = 137 ]; then
		if ! grep -q 'started:' "$log"; then phase=startup
		elif ! grep -q 'planned ' "$log"; then phase=plan
		elif grep -q 'cycle: ' "$log"; then phase=exit
		elif ! grep -q '^<6>sent ' "$log"; then phase=queue
		else phase=deliver; fi
		echo "$1 $2 $phase" >>"$dir/kills"
	fi
	# After every run, killed or not: no (customer, kind, day) task twice.
	if [ "$(sql "select count(*) from (select 1 from plan_items where action = 'task'
	    group by customer_id, task_kind, day having count(*) > 1) q")" != 0 ]; then
		taskdup_runs=$((taskdup_runs + 1))
		echo "$1 ${2:-} $rc" >>"$dir/taskdup_runs"
	fi
}
taskdup_runs=0

kills=0
cycles=0
: >"$dir/kills"
for ((k = 0; k < DAYS; k++)); do
	day=$(dayn $k)
	want=$(awk -F'\t' -v d="$day" '$1 <= d' "$dir/exp_msgs" | wc -l)
	quota=$(((KILLS * (k + 1)) / DAYS - (KILLS * k) / DAYS))
	got=0 n=0 warm=0
	base=$(date -u -d "$day 10:00:00" +%s)
	while :; do
		n=$((n + 1))
		# Fake time moves on 20 s per run, so that messages to retry
		# (after 1 s) are due again at the next run.
		at_t=$(date -u -d "@$((base + n * 20))" '+%F %T')
		if [ "$got" -lt "$quota" ] && [ "$n" -le $((quota * 3)) ]; then
			# Until a run of the day got past its scan ("warm"), the
			# kills aim at the scan (tiers and the planning of the new
			# day, about 15-70 ms in) or anywhere in start-up, scan
			# and queueing (up to 130 ms).  Then, while e-mails of the
			# day are left, half come during delivery (about 2 ms a
			# message after 30 ms of start-up and re-planning; at
			# most 60 messages on, so that some are left for the next
			# kill), the others early (start-up, recovery, planning).
			left=$((want - $(sent_through "$day")))
			if [ "$warm" = 0 ]; then
				if ((RANDOM % 3)); then ms=$((15 + RANDOM % 56))
				else ms=$((3 + RANDOM % 128)); fi
			elif [ "$left" -gt 0 ] && ((RANDOM % 2)); then
				[ "$left" -le 60 ] || left=60
				ms=$((30 + RANDOM % (left * 2 + 1)))
			else
				ms=$((3 + RANDOM % 38))
			fi
			delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
			run_once "$at_t" "$delay"
			cycles=$((cycles + 1))
			if [ "$rc" = 137 ]; then
				got=$((got + 1)) kills=$((kills + 1))
				case $phase in deliver | exit) warm=1 ;; esac
			else
				warm=1
			fi
		else
			run_once "$at_t"
			cycles=$((cycles + 1))
			[ "$rc" = 0 ] && [ "$(sent_through "$day")" = "$want" ] && break
			[ "$n" -le $((quota * 3 + 10)) ] || break
		fi
	done
	t_diag "day $day: $got kills in $n runs; sent through the day: $(sent_through "$day") of $want"
done

# Messages: counted at the server by X-Outreachd-Key.
grep -h '^X-Outreachd-Key:' "$dir"/mail/new/*.eml | tr -d '\r' | sed 's/^X-Outreachd-Key: //' | sort >"$dir/keys"
total=$(wc -l <"$dir/keys")
unique=$(sort -u "$dir/keys" | wc -l)
dups=$((total - unique))
sql "select external_id, id from customers" >"$dir/ids"
"$T_PY" - "$dir/exp_msgs" "$dir/keys" "$dir/ids" >"$dir/lost" <<'PY'
import sys
exp = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
got = set(l.strip() for l in open(sys.argv[2]))
ids = dict((x, int(i)) for x, i in (l.rstrip("\n").split("|") for l in open(sys.argv[3])))
for day, rule, xid in exp:
    key = "%s:%d:%s:email" % (rule, ids[xid], day)
    if key not in got:
        print(key)
PY
lost=$(wc -l <"$dir/lost")
# Tasks: in the store (all of plan_items) and as `task list` shows them.
# (The day number as a date in Python: the SQL is both engines'.)
sql "select c.external_id, p.task_kind, p.day, p.rule
     from plan_items p join customers c on c.id = p.customer_id
     where p.action = 'task' order by 1, 2, 3" |
	"$T_PY" -c 'import datetime, sys
for l in sys.stdin:
    x, k, d, r = l.rstrip("\n").split("|")
    print("|".join((x, k, str(datetime.date(1970, 1, 1) + datetime.timedelta(int(d))), r)))' >"$dir/tasks"
ntasks=$(wc -l <"$dir/tasks")
taskdups=$(cut -d'|' -f1-3 "$dir/tasks" | LC_ALL=C sort | uniq -d | wc -l)
elapsed=$((($(_t_now_us) - started) / 1000000))
phases=$(awk '{print $4}' "$dir/kills" | sort | uniq -c | awk '{printf "%s%s=%s", sep, $2, $1; sep=" "}')
t_diag "seed=$SEED days=$DAYS runs=$cycles kills=$kills ($phases)"
t_diag "kills=$kills lost=$lost dups=$dups tasks=$ntasks (expected $exp_tasks, duplicated $taskdups) messages=$unique received=$total elapsed=${elapsed}s"

t_ok "at least ${KILLS} kills minus a few ($kills)" test "$kills" -ge $((KILLS * 3 / 4))
t_is "$lost" 0 "lost = 0: every due e-mail arrived ($unique of $exp_msgs)"
[ "$lost" = 0 ] || t_diag "lost: $(head -5 "$dir/lost")"
t_is "$unique" "$exp_msgs" "and nothing else arrived"
t_ok "duplicates ($dups) <= kills ($kills)" test "$dups" -le "$kills"
# Nothing is sent before the scan is over: only kills from queueing on
# can leave a message in flight.
late=$(grep -cE ' (queue|deliver|exit)$' "$dir/kills")
t_ok "duplicates ($dups) <= kills after the scan ($late)" test "$dups" -le "$late"
t_is "$(ctl outbox --json | js 'sorted(set(m["state"] for m in d if m["key"].split(":")[2] <= "'"$last"'"))')" \
	"['sent']" "every message of the simulated days is sent (none left sending, pending or failed)"
t_is "$taskdups/$taskdup_runs" 0/0 "no (customer, kind, day) task twice in the store, at the end or after any of the $cycles runs"
t_is "$(cut -d'|' -f1-3 "$dir/tasks" | tr '|' '\t')" "$(cut -f1-3 "$dir/exp_tasks" | LC_ALL=C sort)" \
	"the tasks are exactly the planned ones ($ntasks of $exp_tasks)"
t_is "$(ctl task list --json | js 'len(d)')" "$exp_tasks" "task list shows each of them once"
# On PostgreSQL only a kill in the middle of delivery leaves claims for a
# later run to take back (once their lease ends).
if t_pg && ! grep -q ' deliver$' "$dir/kills"; then
	t_skip 1 "no kill during delivery"
elif [ "$late" -ge 5 ]; then
	t_ok "recovery noticed interrupted sends" grep -q "were being sent when the daemon stopped" "$dir/d.log"
else
	t_skip 1 "only $late kills after the scan"
fi
t_done
