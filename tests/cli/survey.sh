#!/bin/bash
# The satisfaction survey, black-box on 127.0.0.1: a rep's visit and a
# meeting logged yesterday; an after_visit rule (lead_days 1) mails each
# customer a signed link; GET shows the question in the customer's
# language, POST records one tap and a comment; a 1 or 2 opens an
# escalated service-recovery task for the rep; the first answer stands;
# forged, tampered and unsubscribe tokens get the 404; /metrics counts the
# answers by score and the report's CSAT counts them.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v curl >/dev/null || t_skip_all "curl not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
dir=$(t_tmpdir)
port=$(t_freeport)
B="http://127.0.0.1:$port"
yesterday=$(date -u -d '-1 day' +%F)
cat >"$dir/o.conf" <<CONF
store = "$(t_store "$dir/o.db")";
company = "Acme Trading";
templates = "$top/templates";
managers = [ "li" ];
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
email: { transport = "maildir"; maildir = "$dir/mail"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
http: { listen = "127.0.0.1:$port"; base_url = "$B"; };
rules = (
  { name = "survey"; event = "after_visit"; action = "message";
    lead_days = 1; channels = [ "email" ]; }
);
CONF
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
cat >"$dir/c.csv" <<CSV
external_id,name,salutation,email,rep,locale
CA,Anna Able,Ms Able,anna@example.com,wang,en
CB,王芳,王女士,wangfang@example.com,wang,zh_CN
CC,Carl Call,,carl@example.com,wang,en
CSV
ctl rep add li --name Li >/dev/null && ctl rep add wang --name Wang >/dev/null &&
	ctl import customers "$dir/c.csv" >/dev/null 2>&1 &&
	ctl contact log CA --kind visit --date "$yesterday" >/dev/null &&
	ctl contact log CB --kind meeting --date "$yesterday" >/dev/null &&
	ctl contact log CC --kind call --date "$yesterday" >/dev/null ||
	t_bail "cannot make the store"
t_ok "check-config with the after_visit rule and the survey templates" ctl check-config

t_ok "scan" ctl scan
t_is "$(t_sql "$dir/o.db" "SELECT $(t_sql_agg x) FROM (SELECT c.external_id AS x
	FROM plan_items p JOIN customers c ON c.id = p.customer_id
	WHERE p.rule = 'survey' ORDER BY 1) q")" "CA,CB" "a survey for the visit and the meeting, none for the call"
t_ok "send" ctl send
# The survey link of each message, decoded from its MIME body.
links() { "$T_PY" - "$dir/mail" <<'PY'
import email, glob, os, re, sys
from email import policy
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*", "*"))):
    m = email.message_from_binary_file(open(f, "rb"), policy=policy.default)
    body = m.get_body(preferencelist=("plain",)).get_content()
    s = re.search(r"(http://\S+/s/[A-Za-z0-9_-]+)", body)
    u = re.search(r"(http://\S+/u/[A-Za-z0-9_-]+)", body)
    print(m["To"].addresses[0].addr_spec, s.group(1) if s else "-",
          u.group(1) if u else "-")
PY
}
mapfile -t mails < <(links)
t_is "${#mails[@]}" 2 "two survey e-mails"
sa=$(printf '%s\n' "${mails[@]}" | awk '$1 == "anna@example.com" { print $2 }')
sb=$(printf '%s\n' "${mails[@]}" | awk '$1 == "wangfang@example.com" { print $2 }')
ua=$(printf '%s\n' "${mails[@]}" | awk '$1 == "anna@example.com" { print $3 }')
t_like "$sa" "^$B/s/[A-Za-z0-9_-]{40,}\$" "each carries its signed survey link"

t_bg "$dir/d.pid" "$OUTREACHD" -c "$dir/o.conf" --foreground --log-level info
t_wait_port "$port" 20 "$T_BG_PID" || t_bail "outreachd does not listen"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
page=$(curl -s "$sa")
t_like "$page" "Ms Able, how satisfied were you with our visit on $yesterday\\?" \
	"GET: the question, in English"
t_is "$(grep -c '<button class="go" type="submit" name="score"' <<<"$page")" 5 \
	"  five buttons, 1 to 5"
t_like "$(curl -s "$sb")" "王女士，您对我们${yesterday}的拜访满意吗？" "in Chinese for a Chinese customer"
t_is "$(code -I "$sa")" 200 "HEAD: 200"
t_is "$(t_sql "$dir/o.db" 'SELECT count(*) FROM survey_answers')" 0 "GET and HEAD record nothing"

out=$(curl -s -d 'score=2' --data-urlencode 'comment=The rep was late' "$sa")
t_like "$out" "Thank you: your answer is 2 of 5\\." "POST: one tap records the answer"
t_is "$(t_sql "$dir/o.db" "SELECT score || '|' || comment FROM survey_answers")" \
	"2|The rep was late" "  kept with the comment"
rid=$(ctl task list --escalated --json | "$T_PY" -c 'import json, sys
print(" ".join(str(t["id"]) for t in json.load(sys.stdin) if t["customer"] == "CA"))')
t_like "$rid" '^[0-9]+$' "a 2 opens an escalated recovery task"
t_like "$(ctl task show "$rid")" 'rated the visit of '"$yesterday"' 2 of 5: please put it right: "The rep was late"' \
	"  saying why, for the customer's rep"
t_like "$(curl -s -d 'score=5' "$sa")" "you answered 2 of 5 already" "the first answer stands"
t_is "$(code -d 'score=9' "$sb")" 400 "a score of 9: 400"
t_is "$(code -d 'comment=x' "$sb")" 400 "no score: 400"
t_like "$(curl -s -d 'score=5' "$sb")" "谢谢！您的评分是5分" "a 5, in Chinese"
t_is "$(t_sql "$dir/o.db" "SELECT count(*) FROM plan_items WHERE dedup_key LIKE
	'survey:recovery:%'")" 1 "no recovery task for a 5"

tok=${sa##*/}
bad=${tok:0:10}$([ "${tok:10:1}" = A ] && echo B || echo A)${tok:11}
t_is "$(code "$B/s/$bad")" 404 "a tampered token: 404"
t_is "$(code "$B/s/${ua##*/}")" 404 "an unsubscribe token is no survey token: 404"
t_is "$(code "$B/u/$tok")" 404 "nor the other way round"

m=$(curl -s "$B/metrics")
t_like "$m" $'\noutreachd_csat_answers\\{score="2"\\} 1\noutreachd_csat_answers\\{score="3"\\} 0\n' \
	"/metrics: answers by score"
t_like "$m" $'\noutreachd_csat_answers\\{score="5"\\} 1($|\n)' "  the 5 too"
t_kill "$dir/d.pid"

ctl report --from "$(date -u +%Y-%m)" --json >"$dir/r.json"
t_is "$("$T_PY" -c 'import json, sys; c = json.load(open(sys.argv[1]))["csat"]
print(c["total"], c["by_rep"]["wang"]["rate"])' "$dir/r.json")" \
	"{'answers': 2, 'satisfied': 1, 'rate': 0.5} 0.5" "the report's CSAT"

cp "$dir/o.conf" "$dir/bad.conf"
sed -i 's/action = "message";$/action = "task"; task = "call";/' "$dir/bad.conf"
t_fails "an after_visit rule that is not a message" "$CTL" -c "$dir/bad.conf" check-config
t_like "$T_OUT" 'an after_visit rule sends the survey: action "message"' "  says so"
t_done
