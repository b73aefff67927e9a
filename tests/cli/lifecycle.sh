#!/bin/bash
# The task lifecycle over 400 simulated days (libfaketime, one
# `outreachctl scan` a day), with the three revisit rules only:
#   - nobody closes anything: never more than one open revisit task per
#     customer, and the one there is shows its age in task list and feed;
#   - every task closed as reached on its day: revisit tasks come exactly
#     a tier cadence apart;
#   - outcomes from the command line: not reached moves and escalates,
#     the same outcome twice changes nothing, wrong number flags the
#     record for customer list --stale, cancel logs no contact, and
#     customer show lists the history.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v faketime >/dev/null || t_skip_all "faketime not installed"
t_pg || command -v sqlite3 >/dev/null || t_skip_all "sqlite3 not installed"
DAYS=${LIFECYCLE_DAYS:-400}
dir=$(t_tmpdir)
at() { faketime "$1 09:00:00" "${@:2}"; }
day0=2027-01-01
dayn() { date -u -d "$day0 + $1 days" +%F; }

mkstore() { # NAME
	cat >"$dir/$1.conf" <<CONF
store = "$(t_store "$dir/$1.db")";
timezone = "UTC";
templates = "$top/templates";
daemon: { state_dir = "$dir/$1.state"; };
email: { transport = "maildir"; maildir = "$dir/$1.mail"; };
sms: { transport = "maildir"; maildir = "$dir/$1.mail"; };
rules = (
  { name = "revisit_a"; event = "revisit"; tiers = ["A"]; action = "task"; task = "visit"; },
  { name = "revisit_b"; event = "revisit"; tiers = ["B"]; action = "task"; task = "call"; },
  { name = "revisit_c"; event = "revisit"; tiers = ["C"]; action = "task"; task = "call"; }
);
CONF
	cat >"$dir/customers.csv" <<CSV
external_id,name,tier,rep,phone
VA,Visit Anna,A,li,13800138000
VB,Call Bob,B,li,
VC,Call Carl,C,li,
CSV
	at "$(dayn -1)" "$CTL" -c "$dir/$1.conf" rep add li --name Li >/dev/null &&
	at "$(dayn -1)" "$CTL" -c "$dir/$1.conf" import customers "$dir/customers.csv" >/dev/null 2>&1 ||
		t_bail "cannot make the $1 store"
}
sql() { t_sql "$dir/$1.db" "$2"; }

# 1. Nobody closes anything.
mkstore idle
maxopen=0
for ((k = 0; k < DAYS; k++)); do
	at "$(dayn $k)" "$CTL" -c "$dir/idle.conf" scan >/dev/null 2>&1 || t_bail "scan on $(dayn $k)"
	n=$(sql idle "select coalesce(max(n), 0) from (select count(*) n from plan_items
	    where action = 'task' and event = 'revisit' and status = 'open' group by customer_id) q")
	[ "$n" -gt "$maxopen" ] && maxopen=$n
done
t_is "$maxopen" 1 "nobody closes anything for $DAYS days: never more than one open revisit per customer"
t_is "$(sql idle "select $(t_sql_agg n) from (select count(*) n from plan_items
    where action = 'task' group by customer_id order by customer_id) q")" "1,1,1" \
	"one task per customer in all (12 for tier A before)"
last=$(dayn $((DAYS - 1)))
t_like "$(at "$last" "$CTL" -c "$dir/idle.conf" task list | grep VA)" \
	$'\t2027-01-30\topen\tvisit\tVA\tVisit Anna\tli\toverdue [0-9]+ days; no contact yet, customer since 2026-12-31, tier A cadence 30 days$' \
	"task list: the tier A revisit is overdue, counting from the day Anna became a customer"
at "$last" "$CTL" -c "$dir/idle.conf" feed li | tr -d '\r\n ' >"$dir/idle.ics"
t_like "$(cat "$dir/idle.ics")" "Reason:overdue$((DAYS - 30))days\\\\;nocontactyet" "the feed event's description shows the age too"

# 2. Every task closed as reached on its day.
mkstore busy
for ((k = 0; k < DAYS; k++)); do
	d=$(dayn $k)
	at "$d" "$CTL" -c "$dir/busy.conf" scan >/dev/null 2>&1 || t_bail "scan on $d"
	for id in $(sql busy "select id from plan_items where action = 'task' and status = 'open' and merged_into is null"); do
		at "$d" "$CTL" -c "$dir/busy.conf" task done "$id" >/dev/null || t_bail "task done $id on $d"
	done
done
gaps=$(sql busy "select c.external_id || ':' || $(t_sql_agg "p.day - coalesce((select max(q.day) from plan_items q
    where q.customer_id = p.customer_id and q.day < p.day), p.day)" p.day) from plan_items p
    join customers c on c.id = p.customer_id group by c.id order by c.external_id")
t_is "$gaps" "VA:0,30,30,30,30,30,30,30,30,30,30,30,30
VB:0,90,90,90
VC:0,180" "everything closed as reached: revisits exactly a cadence apart"
t_is "$(sql busy "select count(*) from plan_items where status = 'open'")" 0 "nothing left open"

# 3. Outcomes from the command line, on the idle store's open tasks.
ctl() { at "$1" "$CTL" -c "$dir/idle.conf" "${@:2}"; }
va=$(sql idle "select p.id from plan_items p join customers c on c.id = p.customer_id where c.external_id = 'VA'")
vb=$(sql idle "select p.id from plan_items p join customers c on c.id = p.customer_id where c.external_id = 'VB'")
vc=$(sql idle "select p.id from plan_items p join customers c on c.id = p.customer_id where c.external_id = 'VC'")
t_is "$(ctl 2028-02-05 task outcome "$va" not-reached --note 'no answer')" \
	"task $va: not reached (attempt 1), moved to 2028-02-07" "not reached: moved tasks.retry_days ahead"
t_is "$(ctl 2028-02-05 task outcome "$va" not-reached)" "task $va: not-reached already recorded" \
	"the same outcome twice: already recorded"
ctl 2028-02-07 task outcome "$va" not-reached >/dev/null
t_is "$(ctl 2028-02-09 task outcome "$va" not-reached)" \
	"task $va: not reached (attempt 3), moved to 2028-02-11; escalated" "the third attempt escalates"
t_like "$(ctl 2028-02-12 task list --json | "$T_PY" -c 'import json,sys; print([(t["attempts"], t["escalated"], t["overdue_days"]) for t in json.load(sys.stdin) if t["customer"] == "VA"])')" \
	"\[\(3, True, 1\)\]" "task list --json: attempts, escalated, overdue days"
t_is "$(sql idle "select count(*) from contacts")" 0 "attempts are no contacts"
t_is "$(ctl 2028-02-12 task outcome "$va" wrong-number --note 'number changed')" \
	"task $va: the customer's record is flagged for refresh" "wrong number"
t_is "$(ctl 2028-02-12 customer list --stale | cut -f1)" $'external_id\nVA' "customer list --stale"
t_is "$(ctl 2028-02-12 task outcome "$va" reached --kind call --note $'called the new\x01 number')" \
	"task $va done; contact logged on 2028-02-12" "reached"
t_is "$(ctl 2028-02-12 customer list --stale | cut -f1)" "external_id" "a reached contact verifies the record"
t_is "$(sql idle "select kind || '|' || note from contacts")" "call|called the new number" \
	"the contact is logged, the note without its control character"
t_is "$(ctl 2028-02-12 task outcome "$vb" snooze --date 2028-03-01)" "task $vb snoozed to 2028-03-01" "snooze"
t_is "$(ctl 2028-02-12 task outcome "$vb" next --date 2028-04-01)" \
	"task $vb done; contact logged on 2028-02-12; next follow-up on 2028-04-01" "done, next follow-up on a date"
t_is "$(ctl 2028-02-12 plan --date 2028-04-01 --json | "$T_PY" -c 'import json,sys; print([(i["customer"], i["reason"]) for i in json.load(sys.stdin) if i["customer"] == "VB"])')" \
	"[('VB', 'follow-up the rep set for 2028-04-01; last contact 49 days ago (call on 2028-02-12)')]" \
	"the next revisit is planned on that date"
t_is "$(ctl 2028-02-12 task cancel "$vc" --reason 'customer moved abroad')" "task $vc cancelled" "task cancel"
ctl 2028-02-12 task cancel "$vc" --reason 'again' >/dev/null
t_is "$(sql idle "select status || '|' || note from plan_items where id = $vc")|$(sql idle "select count(*) from contacts c join customers u on u.id = c.customer_id where u.external_id = 'VC'")" \
	"cancelled|customer moved abroad|0" "cancelled with its reason, no contact; cancelling again changes nothing"
ctl 2028-02-12 task outcome "$vc" reached >"$dir/out" 2>&1
t_is "$?/$(cat "$dir/out")" "65/outreachctl: task $vc is cancelled already" "another outcome on a closed task: refused"
ctl 2028-02-12 task outcome "$vc" bogus >/dev/null 2>&1
t_is "$?" 64 "an unknown outcome: usage error"
ctl 2028-02-12 task outcome "$vb" snooze >/dev/null 2>&1
t_is "$?" 64 "snooze without a date: usage error"
t_is "$(ctl 2028-02-12 customer show VA | grep -c '^outcome ')" 5 "customer show lists the five outcomes of VA's task"
t_like "$(ctl 2028-02-12 customer show VA | grep '^outcome ' | tail -1)" \
	"^outcome +2028-02-12 task $va \(visit\): reached call 2028-02-12, by li \(cli\): called the new number$" \
	"each with its day, kind, rep, source and note"
t_done
