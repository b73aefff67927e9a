#!/bin/bash
# The rep's loop, from the command line: tasks overdue by their tier's
# tasks.escalate_after_days or not reached too often are escalated and
# `task list --escalated` shows them with the rep's name; `rep reassign`
# hands a leaving rep's customers and open tasks to another and revokes
# the feed token; `rep list` counts open and overdue tasks; a
# rep_message rule makes a task carrying the rendered greeting.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
fx="$top/tests/fixtures/plan"
command -v faketime >/dev/null || t_skip_all "faketime not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
dir=$(t_tmpdir)
conf="$dir/o.conf"
at() { faketime "$1" "${@:2}"; }
ctlat() { faketime "$1" "$CTL" -c "$conf" "${@:2}"; }

cat >"$conf" <<CONF
store = "$(t_store "$dir/o.db")";
company = "Acme Trading";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
managers = [ "boss" ];
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
email: { transport = "maildir"; };
sms: { transport = "maildir"; };
tasks: { escalate_attempts = 2; escalate_after_days = { A = 3; B = 7; C = 14; }; };
CONF
ctlat '2027-01-29 10:00:00' rep add li --name '李娜' >/dev/null
ctlat '2027-01-29 10:00:00' rep add smith --name 'Anna Smith' >/dev/null
ctlat '2027-01-29 10:00:00' rep add boss --name 'Big Boss' >/dev/null
for k in customers purchases; do
	ctlat '2027-01-29 10:00:00' import $k "$fx/$k.csv" >/dev/null 2>&1
done
# Contacts once they have happened: history after tomorrow is refused.
ctlat '2027-02-01 10:00:00' import contacts "$fx/contacts.csv" >/dev/null 2>&1
t_ok "outreachd --once plans the tasks of 2027-02-28" at '2027-02-28 08:00:00' "$OUTREACHD" -c "$conf" --once
tasks=$(ctlat '2027-02-28 09:00:00' task list --json)
tid() { echo "$tasks" | js "[t['id'] for t in d if t['customer']=='$1'][0]"; }
esc() { ctlat "$1" task list --escalated "${@:2}" | cut -f4 | tr '\n' ' '; }

# Escalation: tier A after 3 days overdue, B after 7, C after 14.
t_is "$(esc '2027-03-02 09:00:00')" "" "two days overdue: nothing escalated"
t_is "$(esc '2027-03-03 09:00:00')" "B01 O01 " "three days: the tier A tasks"
t_like "$(ctlat '2027-03-03 09:00:00' task list --escalated | head -1)" \
	$'^[0-9]+\t2027-02-28\tmessage\tB01\t张伟\tli\t李娜\toverdue 3 days \\(tier A: 3\\)$' \
	"the line: id, due, kind, customer, rep and rep's name, why"
t_is "$(esc '2027-03-07 09:00:00')" "B01 R01 O01 " "seven days: the tier B one too"
t_is "$(esc '2027-03-14 09:00:00')" "B01 L01 R01 O01 " "fourteen days: every tier"
t_is "$(ctlat '2027-03-14 09:00:00' task list --escalated --rep li | cut -f4)" "B01" "--escalated --rep li"
j=$(ctlat '2027-03-03 09:00:00' task list --escalated --json)
t_is "$(echo "$j" | js '[(t["customer"], t["rep_name"], t["escalation"], t["overdue_days"]) for t in d]')" \
	"[('B01', '李娜', ['overdue'], 3), ('O01', 'Anna Smith', ['overdue'], 3)]" "--escalated --json: rep_name, escalation"
# Overdue counts in the rep's zone: 2027-03-02 20:00 UTC is already
# 03-03 in Shanghai (the configured zone), not yet in London.
t_is "$(esc '2027-03-02 20:00:00Z' --rep li)" "B01 " "in Shanghai it is the third day"
ctlat '2027-01-29 10:00:00' rep add li --name '李娜' --timezone Europe/London >/dev/null
t_is "$(esc '2027-03-02 20:00:00Z' --rep li)" "" "with li in London, not yet"
# Attempts: not reached twice (escalate_attempts = 2) escalates at once,
# although the task moved ahead.
r01=$(tid R01)
ctlat '2027-03-01 09:00:00' task outcome "$r01" not-reached >/dev/null
ctlat '2027-03-03 09:00:00' task outcome "$r01" not-reached >/dev/null
t_like "$(ctlat '2027-03-03 09:00:00' task list --escalated | grep R01)" \
	$'\tR01\tBob Revisit\tsmith\tAnna Smith\t2 attempts not reached$' \
	"not reached twice: escalated, with the attempts"
ctlat '2027-03-04 09:00:00' task done "$r01" >/dev/null
t_unlike "$(ctlat '2027-03-20 09:00:00' task list --escalated)" "R01" "once reached, no longer escalated"

# rep list: each rep's open and overdue tasks.
t_is "$(ctlat '2027-03-20 09:00:00' rep list | cut -f1,5,6 | tr '\t\n' ', ')" \
	"boss,0,0 li,1,1 smith,4,4 " "rep list: open and overdue task counts"
t_is "$(ctlat '2027-02-28 09:00:00' rep list --json | js '[(r["key"], r["open_tasks"], r["overdue_tasks"], r["manager"], r["timezone"]) for r in d]')" \
	"[('boss', 0, 0, True, None), ('li', 1, 0, False, 'Europe/London'), ('smith', 4, 0, False, None)]" \
	"rep list --json: on the due day nothing is overdue; managers marked"

# rep reassign: smith leaves; customers, open tasks go to li, the token
# stops working.
ctlat '2027-03-20 09:00:00' rep token smith >/dev/null 2>&1
t_is "$(ctlat '2027-03-20 09:00:00' customer list --rep smith | tail -n +2 | wc -l)" 7 "smith has seven customers"
out=$(ctlat '2027-03-20 10:00:00' rep reassign smith li)
t_is "$?/$out" "0/7 customers and 4 open tasks moved from smith to li; smith's feed token revoked" \
	"rep reassign: what moved, the token revoked"
t_is "$(ctlat '2027-03-20 10:00:00' customer list --rep smith | tail -n +2 | wc -l)" 0 "smith has no customers left"
t_is "$(ctlat '2027-03-20 10:00:00' task list --rep smith --json)" "[]" "nor tasks"
t_is "$(ctlat '2027-03-20 10:00:00' rep list | cut -f1,5,6 | tr '\t\n' ', ')" \
	"boss,0,0 li,5,5 smith,0,0 " "li has all the open tasks now"
t_is "$(ctlat '2027-03-20 10:00:00' customer show R01 --json | js 'd["rep"]')" "li" \
	"R01 is li's customer, with its history"
t_like "$(ctlat '2027-03-20 10:00:00' task list --escalated --rep li | cut -f6,7 | sort -u)" "^li	李娜$" \
	"escalations now name li"
t_is "$(t_sql "$dir/o.db" "SELECT count(*) FROM reps WHERE token_hash IS NOT NULL;")" 0 "no feed token left"
out=$(ctlat '2027-03-20 10:00:00' rep reassign smith li)
t_is "$out" "0 customers and 0 open tasks moved from smith to li" "a second time moves nothing"
ctlat '2027-03-20 10:00:00' rep reassign smith nobody >/dev/null 2>"$dir/err"
t_is "$?/$(cat "$dir/err")" '65/outreachctl: unknown rep "smith" or "nobody"' "an unknown rep: EX_DATAERR"
ctlat '2027-03-20 10:00:00' rep reassign li li >/dev/null 2>&1
t_is "$?" 64 "the same rep twice: usage error"

# rep_message: the greeting is rendered as usual but becomes a task of
# kind message carrying the text, for the rep to send; nothing is sent.
rm="$dir/rm.conf"
sed -e "s|^store = .*|store = \"$(t_store "$dir/rm.db")\";|" "$conf" >"$rm"
cat >>"$rm" <<'CONF'
rules = (
  { name = "birthday_rep"; event = "birthday"; tiers = ["A"];
    action = "rep_message"; template = "birthday"; },
  { name = "birthday"; event = "birthday"; tiers = ["B", "C"];
    action = "message"; }
);
CONF
rmctl() { faketime "$1" "$CTL" -c "$rm" "${@:2}"; }
rmctl '2027-01-29 10:00:00' rep add li --name '李娜' >/dev/null
rmctl '2027-01-29 10:00:00' rep add smith --name 'Anna Smith' >/dev/null
for k in customers purchases; do
	rmctl '2027-01-29 10:00:00' import $k "$fx/$k.csv" >/dev/null 2>&1
done
# Contacts once they have happened: history after tomorrow is refused.
rmctl '2027-02-01 10:00:00' import contacts "$fx/contacts.csv" >/dev/null 2>&1
t_ok "check-config takes action = rep_message" "$CTL" -c "$rm" check-config
t_like "$(rmctl '2027-02-28 08:00:00' plan --date 2027-02-28)" "birthday_rep +B01 +A  rep_message sms" \
	"plan shows the rep message with its channel"
t_ok "outreachd --once plans and renders it" at '2027-02-28 08:00:00' "$OUTREACHD" -c "$rm" --once
j=$(rmctl '2027-02-28 09:00:00' task list --json)
t_is "$(echo "$j" | js '[(t["customer"], t["kind"], t["rule"], t["rep"]) for t in d]')" \
	"[('B01', 'message', 'birthday_rep', 'li')]" "a task of kind message for B01's rep (O01 opted out)"
mid=$(echo "$j" | js 'd[0]["id"]')
t_is "$(rmctl '2027-02-28 09:00:00' outbox | cut -f7 | sort | tr '\n' ' ')" \
	"birthday:10:2027-02-28:email birthday:2:2027-03-01:email birthday:3:2027-02-28:email " \
	"the outbox has the tier B and C birthdays only: nothing is sent for B01"
out=$(rmctl '2027-02-28 09:00:00' task show "$mid")
t_like "$out" $'^task [0-9]+: message, open, due 2027-02-28\ncustomer: B01 张伟 \\(tier A\\)\nphone: \\+8613800138000\n' \
	"task show: the task and the customer's phone"
t_like "$out" $'\nchannel: sms\n\n.*张总' "task show: the channel, then the greeting with the salutation"
t_is "$(rmctl '2027-02-28 09:00:00' task show "$mid" --json | js 'd["channel"], "张总" in d["message"], d["task"]["kind"]')" \
	"sms True message" "task show --json: channel, message, the task"
t_like "$(rmctl '2027-02-28 09:00:00' render birthday B01 --channel sms --date 2027-02-28)" \
	"$(rmctl '2027-02-28 09:00:00' task show "$mid" --json | js 'd["message"].splitlines()[0]')" \
	"the text is what render shows for the same rule and customer"
out=$(rmctl '2027-02-28 10:00:00' task done "$mid")
t_is "$out" "task $mid done; contact logged on 2027-02-28" "reached: done"
t_is "$(t_sql "$dir/rm.db" "SELECT kind FROM contacts c JOIN customers u ON u.id = c.customer_id WHERE u.external_id = 'B01' ORDER BY c.id DESC LIMIT 1;")" \
	"message" "the contact logged is a message"
rmctl '2027-02-28 10:00:00' task show 99999 >/dev/null 2>&1
t_is "$?" 65 "task show of a missing task"
t_done
