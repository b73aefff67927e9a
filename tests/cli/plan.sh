#!/bin/bash
# The planner, black-box: a fixture store built under libfaketime, then
# `plan --json` compared with golden files, plus the 29 February policies,
# the frequency cap, opt-outs and multi-day previews.
. "${top_srcdir:-.}/tests/lib.sh" 2>/dev/null || . "$(dirname "$0")/../lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
here=$(cd "$(dirname "$0")/.." && pwd)
fx="$here/fixtures/plan"
golden="$here/golden"
command -v faketime >/dev/null || t_skip_all "faketime not installed"
dir=$(t_tmpdir)
db=$(t_store "$dir/o.db")
ctl() { "$CTL" --db "$db" "$@"; }

# The records are "updated" on 2027-01-29, so A-tier ones go stale on 02-28.
faketime '2027-01-29 10:00:00' "$CTL" --db "$db" rep add li --name '李娜' >/dev/null
faketime '2027-01-29 10:00:00' "$CTL" --db "$db" rep add smith --name 'Anna Smith' >/dev/null
# The history is imported when it has happened (contacts of 2027-02-01:
# history after tomorrow is refused); importing it updates no record.
for k in customers purchases contacts; do
	at='2027-01-29 10:00:00'
	[ $k = customers ] || at='2027-02-01 10:00:00'
	out=$(faketime "$at" "$CTL" --db "$db" import $k "$fx/$k.csv" 2>&1)
	t_like "$out" "imported" "fixture $k imported"
done

# Golden files: regenerate with UPDATE_GOLDEN=1 and review the diff.
check_golden() { # NAME ARGS...
	name=$1; shift
	ctl plan "$@" --json >"$dir/$name.json"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp "$dir/$name.json" "$golden/$name.json"; fi
	if diff -u "$golden/$name.json" "$dir/$name.json" >"$dir/$name.diff"; then
		t_ok "plan $* matches golden $name.json" true
	else
		t_ok "plan $* matches golden $name.json" false
		sed 's/^/# /' "$dir/$name.diff" | head -40
	fi
}
check_golden plan_2027-02-28 --date 2027-02-28
check_golden plan_2027-02-14 --date 2027-02-14
check_golden plan_2027-02-06 --date 2027-02-06
check_golden plan_week --date 2027-02-26 --days 7

j=$(ctl plan --date 2027-02-28 --json)
t_is "$(echo "$j" | js 'sorted(set(k for i in d for k in i))')" \
	"['action', 'channel', 'customer', 'date', 'event', 'name', 'reason', 'rule', 'task_kind', 'tier']" \
	"plan --json has exactly the documented fields"
t_is "$(echo "$j" | js '[(i["rule"], i["action"], i["task_kind"], i["channel"], i["reason"]) for i in d if i["customer"]=="B01" and i["event"]=="birthday"]')" \
	"[('birthday_rep', 'rep_message', 'message', 'sms', 'birthday today (turns 47)')]" \
	"29 Feb birthday on 28 Feb in a common year, with the age: tier A, so the rep's to send"
printf 'external_id,name,phone,birthday,tier\nA09,No Rep,13600136000,1970-02-28,A\n' >"$dir/norep.csv"
ctl import customers "$dir/norep.csv" >/dev/null
t_is "$(ctl plan --date 2027-02-28 --json | js '[(i["rule"], i["action"], i["channel"]) for i in d if i["customer"]=="A09" and i["event"]=="birthday"]')" \
	"[('birthday_rep', 'message', 'sms')]" "a tier A customer without a rep: the greeting is sent, not lost"
ctl customer forget A09 >/dev/null 2>&1
t_is "$(echo "$j" | js '[i["rule"] for i in d if i["customer"]=="O01"]')" "['stale']" \
	"opted-out customer: no message, but rep tasks still come"
t_is "$(echo "$j" | js '[i["rule"] for i in d if i["customer"]=="N01"]')" "[]" \
	"no e-mail or phone: no message"
t_is "$(echo "$j" | js 'sorted(i["rule"] for i in d if i["customer"]=="C01")')" "['anniversary', 'birthday']" \
	"frequency cap 2 in 7 days: the win-back message loses to birthday and anniversary"
t_is "$(echo "$j" | js '[(i["event"], i["reason"]) for i in d if i["customer"]=="B03"]')" \
	"[('birthday', 'lunar birthday today')]" "lunar birthday L:01-23 falls on 2027-02-28"
t_is "$(echo "$j" | js '[(i["task_kind"], i["reason"]) for i in d if i["customer"]=="R01"]')" \
	"[('call', 'last contact 90 days ago (call on 2026-11-30), tier B cadence 90 days')]" "tier B revisit after 90 days"
t_is "$(echo "$j" | js '[i["reason"] for i in d if i["rule"]=="lost"]')" \
	"['no purchase for 365 days (last 2026-02-28): lost']" "lost after 365 days"
t_is "$(echo "$j" | js '[i["reason"] for i in d if i["rule"]=="winback"]')" \
	"['no purchase for 180 days (last 2026-09-01), win-back 1 of 2']" "sleeping after 180 days"

# Planning twice gives the same answer (preview writes nothing).
t_is "$(ctl plan --date 2027-02-28 --json)" "$j" "plan is a pure read: same output twice"

# 29 February policies.
printf 'planner: { feb29 = "leap-only"; };\n' >"$dir/leap.conf"
t_is "$("$CTL" -c "$dir/leap.conf" --db "$db" plan --date 2027-02-28 --json | js '[i["rule"] for i in d if i["customer"]=="B01"]')" \
	"['stale']" "feb29 = leap-only: no birthday in a common year"
printf 'planner: { feb29 = "mar1"; };\n' >"$dir/mar1.conf"
t_is "$("$CTL" -c "$dir/mar1.conf" --db "$db" plan --date 2027-03-01 --json | js '[i["rule"] for i in d if i["customer"]=="B01"]')" \
	"['birthday_rep']" "feb29 = mar1: birthday on 1 March"
t_is "$("$CTL" -c "$dir/leap.conf" --db "$db" plan --date 2028-02-15 --json | js '[i["reason"] for i in d if i["customer"]=="B01" and i["rule"]=="birthday_invite"]')" \
	"['birthday in 14 days, on 2028-02-29 (turns 48)']" "leap year: on 29 February itself"
# A frequency cap of 3 lets the win-back through.
printf 'planner: { frequency_cap = { messages = 3; days = 7; }; };\n' >"$dir/cap.conf"
t_is "$("$CTL" -c "$dir/cap.conf" --db "$db" plan --date 2027-02-28 --json | js 'sorted(i["rule"] for i in d if i["customer"]=="C01")')" \
	"['anniversary', 'birthday', 'winback']" "a larger cap lets all three through"
# Config errors in rules name the line.
printf 'rules = (\n { name = "x"; event = "birthday"; action = "message"; },\n { name = "y"; event = "party"; action = "task"; task = "call"; }\n);\n' >"$dir/badrule.conf"
out=$("$CTL" -c "$dir/badrule.conf" check-config 2>&1)
t_like "$out" "badrule.conf:3: rule y: event must be" "bad rule event with its line"
t_done
