#!/bin/bash
# The managers' weekly report by e-mail (report.weekly_day): on a Monday
# at digest.hour a manager who takes the digest gets the headline figures
# and a signed link to the report's page, once; a rep who does not manage,
# another weekday or an earlier hour gets nothing; the link opens the page
# on the daemon until the manager's token is replaced.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v faketime >/dev/null || t_skip_all "faketime not installed"
command -v curl >/dev/null || t_skip_all "curl not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
dir=$(t_tmpdir)
port=$(t_freeport)
B="http://127.0.0.1:$port"
cat >"$dir/o.conf" <<CONF
store = "$(t_store "$dir/o.db")";
templates = "$top/templates";
timezone = "UTC";
managers = [ "boss", "chef" ];
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
email: { transport = "maildir"; maildir = "$dir/mail"; };
sms: { transport = "maildir"; maildir = "$dir/mail"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
http: { listen = "127.0.0.1:$port"; base_url = "$B"; };
digest: { enabled = true; hour = 8; };
rules = ( { name = "revisit_a"; event = "revisit"; tiers = ["A"];
  action = "task"; task = "visit"; } );
CONF
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
at() { faketime "$1" "$CTL" -c "$dir/o.conf" "${@:2}"; }
cat >"$dir/c.csv" <<CSV
external_id,name,email,rep,tier
C1,One,c1@example.com,li,A
C2,Two,c2@example.com,li,B
C3,Three,,,C
CSV
cat >"$dir/p.csv" <<CSV
external_id,amount,date
C1,100.00,2026-01-10
C1,80.00,2026-10-01
C2,50.00,2025-06-01
CSV
ctl rep add boss --name Boss --email boss@example.com --digest >/dev/null &&
	ctl rep add chef --name 老板 --email chef@example.com --digest --locale zh_CN >/dev/null &&
	ctl rep add li --name Li --email li@example.com --digest >/dev/null &&
	ctl import customers "$dir/c.csv" >/dev/null 2>&1 &&
	ctl import purchases "$dir/p.csv" >/dev/null 2>&1 &&
	ctl rep token boss >/dev/null || t_bail "cannot make the store"
mails() { find "$dir/mail" -type f -name '*' -path '*/new/*' | sort; }
reports() { grep -l '^X-Outreachd-Key: report:' $(mails) 2>/dev/null; }

at "2026-11-30 07:30:00" send >/dev/null 2>&1	# a Monday, before the hour
t_is "$(reports | wc -l)" 0 "Monday before digest.hour: no report"
at "2026-12-01 09:00:00" send >/dev/null 2>&1	# a Tuesday
t_is "$(reports | wc -l)" 0 "Tuesday: no report"
at "2026-11-30 09:00:00" send >/dev/null 2>&1
t_is "$(reports | wc -l)" 2 "Monday at the hour: one for each manager"
at "2026-11-30 10:00:00" send >/dev/null 2>&1
t_is "$(reports | wc -l)" 2 "once"
boss=$(grep -l '^To: .*boss@example.com' $(reports))
chef=$(grep -l '^To: .*chef@example.com' $(reports))
decode() { "$T_PY" -c 'import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
print(m["Subject"]); print(m.get_body(preferencelist=("plain",)).get_content())' "$1"; }
text=$(decode "$boss")
t_like "$text" "^The week's report, 2026-11-30" "its subject"
t_like "$text" $'\nNew or active customers: 1 \\(sleeping 0, lost 1\\)\nRetention, last 12 months: -\nRepeat buyers: 50.0%\nLifetime value so far: 115.00 \\(predicted -\\)\nWithin cadence: 0.0%; overdue tasks 0\n' \
	"the headline figures"
t_like "$text" $'\nSatisfied \\(CSAT\\): - of 0 answers\n' "  down to CSAT"
link=$(grep -o "$B/report/[A-Za-z0-9_-]*" <<<"$text")
t_like "$link" "/report/[A-Za-z0-9_-]{43}\$" "and the signed link to the page"
t_like "$(decode "$chef")" $'本周客户经营报告（2026-11-30）[^\n]*\n.*新客户和活跃客户：1（沉睡 0，流失 1）' \
	"in Chinese for a manager who reads it"
t_unlike "$(decode "$chef")" "/report/" "no link for a manager without a feed token"
t_is "$(grep -l '^To: .*li@example.com' $(reports) | wc -l)" 0 "none for a rep who does not manage"

t_bg "$dir/d.pid" "$OUTREACHD" -c "$dir/o.conf" --foreground --log-level info
t_wait_port "$port" 20 "$T_BG_PID" || t_bail "outreachd does not listen"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
t_is "$(code "$link")" 200 "the link opens the report"
t_like "$(curl -s "$link")" "<h1>Retention report, " "  the page"
t_kill "$dir/d.pid"
ctl rep token boss >/dev/null
t_bg "$dir/d.pid" "$OUTREACHD" -c "$dir/o.conf" --foreground --log-level info
t_wait_port "$port" 20 "$T_BG_PID" || t_bail "outreachd does not listen"
t_is "$(code "$link")" 404 "a new feed token retires the link"
tok=${link##*/}
t_is "$(code "$B/t/$tok")" 404 "a report link is no task link"
t_kill "$dir/d.pid"
t_done
