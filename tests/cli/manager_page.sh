#!/bin/bash
# The rep's day (/r/TOKEN) and the manager's side of it, black-box on
# 127.0.0.1.  A rep's day lists today's and overdue tasks, A tier first,
# and nothing else; a manager's day (a rep named in `managers`) adds
# "Escalations": under each other rep's name their overdue count and
# escalated tasks (overdue by the tier's tasks.escalate_after_days or not
# reached tasks.escalate_attempts times, as `task list --escalated`
# says), each linked for the manager.  A manager records an outcome on a
# rep's task through that link and is logged as the one who did; the
# links stop working when the manager's token changes or they stop being
# a manager.  Headless Chromium (tests/rep_browser.py, 360x740,
# JavaScript off) opens both days, follows a task link with a click and
# saves rep-day-zh_CN.png and manager-day-zh_CN.png in $REP_SHOTS
# (default: the test's directory).  The server keeps the pages; a change
# made elsewhere shows at the next GET.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v faketime >/dev/null || t_skip_all "faketime not installed"
command -v curl >/dev/null || t_skip_all "curl not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
dir=$(t_tmpdir)
shots=${REP_SHOTS:-$dir}
port=$(t_freeport)
B="http://127.0.0.1:$port"
conf="$dir/o.conf"
ctl() { "$CTL" -c "$conf" "$@"; }
ctlat() { faketime "$1 09:00:00" "$CTL" -c "$conf" "${@:2}"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
past=$(date -u -d '-200 days' +%F)
tendays=$(date -u -d '-10 days' +%F)

mkconf() { # MANAGERS
	cat >"$conf" <<CONF
store = "$(t_store "$dir/o.db")";
company = "Acme Trading";
timezone = "UTC";
country_code = "86";
locale = "zh_CN";
templates = "$top/templates";
managers = [ $1 ];
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
email: { transport = "maildir"; maildir = "$dir/mail"; };
sms: { transport = "maildir"; maildir = "$dir/mail"; };
http: { listen = "127.0.0.1:$port"; base_url = "$B"; };
tasks: { escalate_attempts = 1; escalate_after_days = { A = 3; B = 7; C = 14; }; };
rules = (
  { name = "revisit_a"; event = "revisit"; tiers = ["A"]; action = "task"; task = "visit"; },
  { name = "revisit_b"; event = "revisit"; tiers = ["B"]; action = "task"; task = "call"; },
  { name = "revisit_c"; event = "revisit"; tiers = ["C"]; action = "task"; task = "call"; }
);
CONF
}
mkconf '"boss"'
# li: A, B and C tasks ten days overdue (A and B escalated by days, C
# not yet), then C not reached once (escalated by attempts, moved to a
# retry day) and a C task due today; smith: an A task; boss, the
# manager, a B task of their own; CN has no rep.
cat >"$dir/c.csv" <<CSV
external_id,name,salutation,tier,rep,phone,email,notes
CA,王芳,王女士,A,li,13800138000,wangfang@example.com,
CB,Bob Brown,Mr Brown,B,li,13900139000,,
CC,Carl Chen,,C,li,13700137000,,
CS,Sam Smith,,A,smith,13600136000,,
CM,Mia Ma,,B,boss,13500135000,,
CN,Nobody Ng,,C,,13400134000,,
CSV
printf 'external_id,name,tier,rep,phone\nCD,Dora Du,C,li,13300133000\n' >"$dir/d.csv"
for r in "li --name 李娜" "smith --name Anna-Smith" "boss --name 王经理"; do
	# shellcheck disable=SC2086
	ctlat "$past" rep add $r >/dev/null || t_bail "rep add $r"
done
ctlat "$past" import customers "$dir/c.csv" >/dev/null 2>&1 || t_bail "import"
ctlat "$tendays" scan >/dev/null 2>&1 || t_bail "scan ten days ago"
ctlat "$past" import customers "$dir/d.csv" >/dev/null 2>&1 && ctl scan >/dev/null 2>&1 ||
	t_bail "import and scan today"
tid() { ctl task list --json | js "[t['id'] for t in d if t['customer']=='$1'][0]"; }
ctl task outcome "$(tid CC)" not-reached >/dev/null || t_bail "not reached"
t_is "$(ctl task list --escalated | cut -f4 | sort | tr '\n' ' ')" "CA CB CC CM CS " \
	"task list --escalated: A and B ten days overdue, C not reached once"

t_bg "$dir/d.pid" "$OUTREACHD" -c "$conf" --foreground --log-level info
dpid=$T_BG_PID
t_wait_port "$port" 10 "$dpid" || t_bail "outreachd does not listen"
daytok() { ctl rep token "$1" 2>/dev/null | sed -n 1p | sed "s|^$B/feeds/||; s|/.*||"; }
li=$(daytok li); smith=$(daytok smith); boss=$(daytok boss)
have_browser=1
"$T_PY" -c 'import selenium' 2>/dev/null || have_browser=0
command -v chromium >/dev/null && command -v chromedriver >/dev/null || have_browser=0
browse() { timeout 120 "$T_PY" "$top/tests/rep_browser.py" --no-js "$@"; }

# --- the pages as served ------------------------------------------------------
lp=$(curl -s "$B/r/$li")
t_is "$(echo "$lp" | grep -o '<li class="[A-C]"' | tr -d '\n')" '<li class="A"<li class="B"<li class="C"' \
	"li's day: A, B, then the C task due today (the retried one is not due)"
t_unlike "$lp" 'id="escalations"' "li is no manager: no escalations"
t_unlike "$(curl -s "$B/r/$smith")" 'id="escalations"' "nor for smith"
bp=$(curl -s "$B/r/$boss")
t_like "$bp" '<section id="escalations">'$'\n''<h2>升级</h2>' "the manager's day has the escalations"
t_is "$(echo "$bp" | sed -n 's/^<h3>\(.*\)<\/h3>$/\1/p' | tr '\n' '|')" "李娜|Anna-Smith|未分配|" \
	"under each other rep's name, customers without a rep last"
t_is "$(echo "$bp" | grep -o '逾期任务：[0-9]*' | tr '\n' '|')" "逾期任务：2|逾期任务：1|逾期任务：1|" \
	"each with the open tasks past due"
t_is "$(echo "$bp" | sed -n '/id="escalations"/,$p' | grep -o '">[^<]*（[ABC]类）</a>' | tr '\n' '|')" \
	'">拜访 王芳（A类）</a>|">致电 Bob Brown（B类）</a>|">致电 Carl Chen（C类）</a>|">拜访 Sam Smith（A类）</a>|' \
	"the escalated tasks, A first; Dora (due today) and Nobody (C, 10 days) are not"
t_like "$bp" "致电 Carl Chen（C类）</a><br>日期：$(date -u -d '+2 days' +%F) · 1 次尝试" \
	"an escalation by attempts shows its retry day"
t_is "$(echo "$bp" | sed -n '/<ol id="tasks">/,/<\/ol>/p' | grep -c 'Mia Ma')/$(echo "$bp" | grep -c 'Mia Ma')" 1/1 \
	"the manager's own task heads the page, not repeated below"

# A manager's link: signed for the manager, it opens li's task.
mlink=$(echo "$bp" | sed -n 's/.*<a href="\([^"]*\)">拜访 王芳.*/\1/p' | tail -1)
t_like "$mlink" "^$B/t/[A-Za-z0-9_-]{43}\$" "the escalation links to a task page"
t_unlike "$lp" "$mlink" "with a link of its own, not li's"
mp=$(curl -s "$mlink")
t_like "$mp" '<dt>负责人</dt><dd>李娜</dd>' "the task page names the task's rep for the manager"
t_unlike "$(curl -s "$(echo "$lp" | sed -n 's/.*<li class="A"><a href="\([^"]*\)".*/\1/p')")" '负责人' \
	"li's own page does not"

# --- a phone: the rep's day, then the manager's ------------------------------
if [ "$have_browser" = 1 ]; then
	out=$(browse --day "$B/r/$li" --screenshot "$shots/rep-day-zh_CN.png" --click 王芳)
	t_is "$?" 0 "chromium (JavaScript off) opens li's day and follows a task link"
	t_is "$(echo "$out" | js '" ".join(t["tier"] for t in d["tasks"])')" "A B C" "the tasks, A tier first"
	t_is "$(echo "$out" | js '"|".join(t["text"].splitlines()[1].split(" · ")[0] for t in d["tasks"])')" \
		"逾期 10天|逾期 10天|今天" "with overdue days or today"
	t_is "$(echo "$out" | js 'd["scroll_width"] <= 360, d["scripts"], d["escalations"]')" "True 0 None" \
		"no wider than 360 px, no script, no escalations"
	t_is "$(echo "$out" | js 'd["clicked"]["title"], d["clicked"]["scroll_width"] <= 360')" \
		"拜访 王芳（A类） True" "the click leads to the task page, no wider than 360 px"
	t_ok "screenshot saved: $shots/rep-day-zh_CN.png" test -s "$shots/rep-day-zh_CN.png"
	out=$(browse --day "$B/r/$boss" --screenshot "$shots/manager-day-zh_CN.png" \
	    --click 王芳 --in escalations --note '经理已致电，下周拜访')
	t_is "$?" 0 "chromium opens the manager's day and follows an escalation"
	t_is "$(echo "$out" | js '"|".join("%s %s %d" % (r["rep"], r["overdue"], len(r["tasks"])) for r in d["escalations"])')" \
		"李娜 逾期任务：2 3|Anna-Smith 逾期任务：1 1|未分配 逾期任务：1 0" \
		"the escalations: reps, overdue counts, tasks"
	t_is "$(echo "$out" | js 'd["escalations"][0]["tasks"][0]["text"].splitlines()[0], d["scroll_width"] <= 360')" \
		"拜访 王芳（A类） True" "li's escalated task first; no wider than 360 px"
	t_like "$(echo "$out" | js 'd["clicked"]["card"]')" $'负责人\n李娜' "the task page names li"
	t_is "$(echo "$out" | js 'd["clicked"]["notice"] + "|" + d["clicked"]["status"]')" "已记录。|已完成" \
		"the manager records reached"
	t_ok "screenshot saved: $shots/manager-day-zh_CN.png" test -s "$shots/manager-day-zh_CN.png"
else
	t_skip 12 "chromium, chromedriver or python3-selenium not installed (scripts/bootstrap installs them)"
	ftok=$(echo "$mp" | sed -n 's/.*name="form" value="\([^"]*\)".*/\1/p')
	curl -s -o /dev/null --data "form=$ftok&outcome=reached&kind=call" \
	    --data-urlencode 'note=经理已致电，下周拜访' "$mlink"
fi
show=$(ctl customer show CA --json)
t_is "$(echo "$show" | js 'd["outcomes"][-1]["outcome"], d["outcomes"][-1]["rep"], d["outcomes"][-1]["note"], d["outcomes"][-1]["source"]')" \
	"reached boss 经理已致电，下周拜访 web 127.0.0.1" "kept with the manager as the one who recorded it"
t_is "$(t_sql "$dir/o.db" "SELECT r.key FROM contacts c JOIN customers u ON u.id = c.customer_id JOIN reps r ON r.id = c.rep_id WHERE u.external_id = 'CA'")" \
	boss "the contact is the manager's"
t_like "$(grep 'rep page:' "$dir/d.log")" "rep boss, task $(tid CA): reached from web 127.0.0.1: recorded" "and logged so"
bp=$(curl -s "$B/r/$boss")
t_unlike "$bp" '王芳' "worked: no longer escalated"
t_is "$(echo "$bp" | grep -o '逾期任务：[0-9]*' | head -1)" "逾期任务：1" "li's overdue count drops"
# The team changed from another process (outreachctl): the next GET of
# the manager's day shows it.
ctl rep add smith --name 'Anna Smith-Lee' >/dev/null
t_like "$(curl -s "$B/r/$boss")" '<h3>Anna Smith-Lee</h3>' "a rep renamed: the manager's day says so"
ctl task outcome "$(tid CS)" reached >/dev/null
t_unlike "$(curl -s "$B/r/$boss")" 'Sam Smith' "smith's task recorded: gone from the escalations"

# --- what the manager's links are not ---------------------------------------
t_is "$(code -X POST -d "outcome=reached&form=$(curl -s "$mlink" | sed -n 's/.*name="form" value="\([^"]*\)".*/\1/p')" \
	"$B/t/${mlink##*/}x")" 404 "a manager's link altered: 404"
blink=$(echo "$bp" | sed -n 's/.*<a href="\([^"]*\)">致电 Bob Brown.*/\1/p' | tail -1)
t_is "$(code "$blink")" 200 "the manager's link to Bob's task works"
newboss=$(daytok boss)
t_is "$(code "$blink")/$(code "$B/r/$boss")" 404/404 "after the manager's token is replaced: 404"
blink=$(curl -s "$B/r/$newboss" | sed -n 's/.*<a href="\([^"]*\)">致电 Bob Brown.*/\1/p' | tail -1)
t_is "$(code "$blink")" 200 "the new day's link works"
mkconf ''
kill -HUP "$dpid"
nomgr() { curl -s "$B/r/$newboss" | grep -q 'id="escalations"' && return 1; return 0; }
t_ok "no longer a manager (SIGHUP): no escalations" t_wait_until 10 nomgr
t_is "$(code "$blink")" 404 "and the manager's links to others' tasks are 404"
t_is "$(code "$(curl -s "$B/r/$newboss" | sed -n 's/.*<li class="B"><a href="\([^"]*\)".*/\1/p' | head -1)")" 200 \
	"their own tasks' links still work"
t_kill "$dir/d.pid"
t_done
