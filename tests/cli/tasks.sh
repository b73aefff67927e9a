#!/bin/bash
# Rep tasks from the command line: a scan by `outreachd --once` stores
# them, `task list` shows them, `task done` logs the contact and moves the
# next revisit, `feed` writes calendars that icalendar parses, `rep token`
# prints feed URLs, and closed tasks leave the feed after
# http.done_visible_days.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
fx="$top/tests/fixtures/plan"
command -v faketime >/dev/null || t_skip_all "faketime not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
"$T_PY" -c 'import icalendar' 2>/dev/null || t_skip_all "python3-icalendar not installed"
dir=$(t_tmpdir)
conf="$dir/o.conf"
ctl() { "$CTL" -c "$conf" "$@"; }
at() { faketime "$1" "${@:2}"; }
feedinfo() { "$T_PY" "$top/tests/feed_check.py" "$1"; }

mkconf() { # FILE [HTTP SETTINGS]
	cat >"$1" <<CONF
store = "$(t_store "$dir/o.db")";
company = "Acme Trading";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
email: { transport = "maildir"; };
sms: { transport = "maildir"; };
http: { base_url = "https://crm.acme.example/"; done_visible_days = 14; ${2:-} };
CONF
}
mkconf "$conf"
at '2027-01-29 10:00:00' "$CTL" -c "$conf" rep add li --name '李娜' >/dev/null
at '2027-01-29 10:00:00' "$CTL" -c "$conf" rep add smith --name 'Anna Smith' >/dev/null
for k in customers purchases; do
	at '2027-01-29 10:00:00' "$CTL" -c "$conf" import $k "$fx/$k.csv" >/dev/null 2>&1
done
# The contacts go in once they have happened: history after tomorrow is
# refused.
at '2027-02-01 10:00:00' "$CTL" -c "$conf" import contacts "$fx/contacts.csv" >/dev/null 2>&1

t_is "$(ctl task list --json)" "[]" "no tasks before the first scan"
t_ok "outreachd --once scans and exits 0" at '2027-02-28 08:00:00' "$OUTREACHD" -c "$conf" --once
j=$(ctl task list --json)
t_is "$(echo "$j" | js 'len(d)')" 6 "six tasks stored by the scan (L01's two merged into one)"
t_is "$(echo "$j" | js '[t["reason"] for t in d if t["customer"]=="L01"][0]')" \
	"no purchase for 365 days (last 2026-02-28): lost; last contact 364 days ago (call on 2026-03-01), tier C cadence 180 days — call" \
	"L01's lost call and revisit of the same day: one task, a checklist of both reasons"
t_is "$(echo "$j" | js 'sorted(set(k for t in d for k in t))')" \
	"['attempts', 'created_at', 'customer', 'date', 'done_at', 'email', 'escalated', 'escalation', 'event', 'id', 'kind', 'last_contact', 'name', 'note', 'overdue_days', 'phone', 'reason', 'rep', 'rep_name', 'rule', 'sequence', 'status', 'tier']" \
	"task list --json fields"
t_is "$(echo "$j" | js '[(t["customer"], t["rule"], t["kind"], t["status"]) for t in d if t["customer"]=="R01"]')" \
	"[('R01', 'revisit_b', 'call', 'open')]" "R01: a tier B revisit call, open"
t_is "$(ctl task list --rep li --json | js '[(t["customer"], t["kind"], t["rep"]) for t in d]')" \
	"[('B01', 'message', 'li')]" "task list --rep li: only li's customer, her birthday greeting to send (tier A) with the refresh merged in"
t_is "$(ctl task list | wc -l)" 6 "task list: one line per task"
t_like "$(ctl task list | grep R01)" $'^[0-9]+\t2027-02-28\topen\tcall\tR01\tBob Revisit\tsmith\t' "task list: text columns"
t_ok "a second scan adds nothing" at '2027-02-28 09:00:00' "$OUTREACHD" -c "$conf" --once
t_is "$(ctl task list --json | js 'len(d)')" 6 "still six tasks (planning is idempotent)"

# task done: the contact is logged and the revisit clock restarts.
rid=$(echo "$j" | js '[t["id"] for t in d if t["customer"]=="R01"][0]')
revisit() { ctl plan --date "$1" --json | js '[i["rule"] for i in d if i["customer"]=="R01"]'; }
t_is "$(revisit 2027-05-29)" "[]" "before: no second revisit of R01 on 2027-05-29 while its task is open"
out=$(at '2027-03-10 12:00:00' "$CTL" -c "$conf" task done "$rid" --date 2027-03-10 --note 'called, will order in June' 2>&1)
t_is "$out" "task $rid done; contact logged on 2027-03-10" "task done"
t=$(at '2027-03-11 09:00:00' "$CTL" -c "$conf" task list --json | js "[t for t in d if t['id']==$rid][0]")
t_like "$t" "'status': 'done'" "the task is done"
t_like "$t" "'sequence': 1" "its sequence went up (calendar clients update it)"
t_like "$t" "'note': 'called, will order in June'" "the note is kept"
t_is "$(ctl customer show R01 --json | js 'd["last_contact"]')" "2027-03-10" "the contact was logged"
t_is "$(revisit 2027-05-29)" "[]" "after: no revisit on 2027-05-29 any more"
t_is "$(revisit 2027-06-08)" "['revisit_b']" "after: the next revisit is 90 days after the contact"
ctl task done "$rid" >"$dir/out" 2>&1
t_is "$?/$(cat "$dir/out")" "0/task $rid: reached already recorded" "task done twice: already recorded, nothing changed"
ctl task done 99999 >"$dir/out" 2>&1
t_is "$?/$(cat "$dir/out")" "65/outreachctl: no task 99999" "task done of a missing task"
ctl task done abc >/dev/null 2>&1
t_is "$?" 64 "task done with a bad id: usage error"

# feed REP: what the HTTP service serves, on stdout.
at '2027-03-11 09:00:00' "$CTL" -c "$conf" feed smith >"$dir/smith.ics"
t_is "$?" 0 "feed smith"
t_is "$(feedinfo "$dir/smith.ics")" '{"vevent": 5, "vtodo": 0, "uids_unique": true}' \
	"the follow-up feed parses (icalendar): one event per task of smith"
cal() { "$T_PY" - "$@" <<'EOF'
import icalendar, sys
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
uid = sys.argv[2]
for ev in cal.walk("VEVENT"):
    if str(ev["UID"]) == uid:
        print("%s|%s|%s|%s" % (ev["SUMMARY"], ev["SEQUENCE"], ev["STATUS"],
                               ev["DTSTART"].dt))
EOF
}
t_is "$(cal "$dir/smith.ics" "task-$rid@crm.acme.example")" \
	"✓ Call Bob Revisit (tier B)|1|CONFIRMED|2027-02-28" \
	"the done task: UID task-ID@host of base_url, a check mark, SEQUENCE 1"
t_like "$(tr -d '\r\n ' <"$dir/smith.ics")" 'Notes:called\\,willorderinJune' "DESCRIPTION carries the rep's note"
t_like "$(grep -c '^X-WR-CALNAME:Anna Smith – follow-ups' "$dir/smith.ics")" 1 "calendar name"
at '2027-03-11 09:00:00' "$CTL" -c "$conf" feed li >"$dir/li.ics"
t_is "$(feedinfo "$dir/li.ics")" '{"vevent": 1, "vtodo": 0, "uids_unique": true}' "li's feed: one task"
t_like "$(tr -d '\r\n ' <"$dir/li.ics")" 'Phone:\+8613800138000' "DESCRIPTION: the customer's phone"
ctl feed smith --birthdays >"$dir/bday.ics"
t_is "$(feedinfo "$dir/bday.ics")" '{"vevent": 3, "vtodo": 0, "uids_unique": true}' \
	"birthday calendar: smith's three customers with a birthday"
t_like "$(grep '^UID:bday-' "$dir/bday.ics" | head -1)" '^UID:bday-[0-9]+@crm\.acme\.example' "birthday UIDs"
ctl feed nobody >/dev/null 2>&1
t_is "$?" 65 "feed of an unknown rep: error"
# Closed tasks stay visible for done_visible_days (14), then leave.
at '2027-03-20 09:00:00' "$CTL" -c "$conf" feed smith >"$dir/d20.ics"
t_is "$(cal "$dir/d20.ics" "task-$rid@crm.acme.example" | cut -d'|' -f1)" "✓ Call Bob Revisit (tier B)" \
	"10 days after: the done task is still there"
at '2027-03-30 09:00:00' "$CTL" -c "$conf" feed smith >"$dir/d30.ics"
t_is "$(cal "$dir/d30.ics" "task-$rid@crm.acme.example")" "" "20 days after: it is gone"
t_is "$(feedinfo "$dir/d30.ics")" '{"vevent": 4, "vtodo": 0, "uids_unique": true}' "the open tasks remain"
# VTODOs on request.
mkconf "$dir/todo.conf" "with_vtodo = true;"
"$CTL" -c "$dir/todo.conf" feed smith >"$dir/todo.ics"
t_like "$(feedinfo "$dir/todo.ics")" '"vtodo": 5' "with_vtodo: a VTODO per task too"

# rep token: new URLs each time, printed once.
out=$(ctl rep token smith 2>"$dir/err")
t_like "$out" $'^https://crm\\.acme\\.example/feeds/[A-Za-z0-9_-]{22,}/followups\\.ics\nhttps://crm\\.acme\\.example/feeds/[A-Za-z0-9_-]{22,}/birthdays\\.ics$' \
	"rep token prints both feed URLs"
t_like "$(cat "$dir/err")" "shown only now" "and says it is shown only once"
t_unlike "$(ctl rep token smith 2>/dev/null)" "$(echo "$out" | head -1)" "a second token replaces the first"
ctl rep token nobody >/dev/null 2>&1
t_is "$?" 65 "rep token of an unknown rep: error"
t_done
