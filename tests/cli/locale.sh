#!/bin/bash
# A rep's language: the task and day pages, the feed's titles, its
# DESCRIPTION labels and the planner's reasons follow the rep's locale
# (`rep add --locale`), else the company's `locale`.  One store, read
# under an en company and then under a zh_CN one: li (zh_CN) reads
# Chinese under both, smith (en) English under both, ann (no locale) the
# company's.  Then --locale itself: normalised, kept unless given again,
# cleared with "", garbage refused; and a rep changing language changes
# the cached feed of the running daemon.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v faketime >/dev/null || t_skip_all "faketime not installed"
command -v curl >/dev/null || t_skip_all "curl not installed"
t_pg || command -v sqlite3 >/dev/null || t_skip_all "sqlite3 not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
dir=$(t_tmpdir)
conf="$dir/o.conf"
port=$(t_freeport)
B="http://127.0.0.1:$port"
ctl() { "$CTL" -c "$conf" "$@"; }
# Customers since 200 days (a revisit due, never contacted), born 1980 on
# the day 14 days from now (an invitation due today): one task each, with
# both reasons.
today=$(TZ=Asia/Shanghai date +%F)
past=$(TZ=Asia/Shanghai date -d "$today -200 days" +%F)
bday=$(TZ=Asia/Shanghai date -d "$today +14 days" +%F)
age=$((${bday%%-*} - 1980))

mkconf() { # LOCALE
	cat >"$conf" <<CONF
store = "$(t_store "$dir/o.db")";
company = "Acme Trading";
timezone = "Asia/Shanghai";
country_code = "86";
locale = "$1";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
email: { transport = "maildir"; maildir = "$dir/mail"; };
sms: { transport = "maildir"; maildir = "$dir/mail"; };
http: { listen = "127.0.0.1:$port"; base_url = "$B"; };
rules = (
  { name = "birthday_invite"; event = "birthday"; tiers = ["A"];
    lead_days = 14; action = "task"; task = "invite"; },
  { name = "revisit_a"; event = "revisit"; tiers = ["A"]; action = "task"; task = "visit"; }
);
CONF
}
start() {
	t_bg "$dir/d.pid" "$OUTREACHD" -c "$conf" --foreground --log-level info
	t_wait_port "$port" 10 "$T_BG_PID" || t_bail "outreachd does not listen"
}
stop() { t_kill "$dir/d.pid"; }
feed() { ctl rep token "$1" 2>/dev/null | sed -n 1p; }
# Each VEVENT of a feed as "SUMMARY || DESCRIPTION", unfolded, unescaped,
# DESCRIPTION's lines joined by " | ".
events() { curl -s "$1" | "$T_PY" -c '
import re, sys
t = re.sub(r"\r?\n[ \t]", "", sys.stdin.read())
un = lambda s: re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), s)
for ev in t.split("BEGIN:VEVENT")[1:]:
    s = re.search(r"^SUMMARY:(.*?)\r?$", ev, re.M).group(1)
    d = re.search(r"^DESCRIPTION:(.*?)\r?$", ev, re.M).group(1)
    print(un(s) + " || " + un(d).replace("\n", " | "))'; }
calname() { curl -s "$1" | tr -d '\r' | sed -n 's/^X-WR-CALNAME://p'; }
link() { curl -s "$1" | tr -d '\r' | sed -n 's/^URL://p' | head -1; }
day() { local t=${1#"$B/feeds/"}; curl -s "$B/r/${t%%/*}"; }

mkconf en
for r in "li --name 李娜 --locale zh_CN" "smith --name Anna-Smith --locale en" "ann --name Ann"; do
	# shellcheck disable=SC2086
	faketime "$past 09:00:00" "$CTL" -c "$conf" rep add $r >/dev/null || t_bail "rep add $r"
done
cat >"$dir/c.csv" <<CSV
external_id,name,tier,rep,phone,birthday
CA,王芳,A,li,13800138000,1980-${bday#*-}
CS,Sam Smith,A,smith,13600136000,1980-${bday#*-}
CN,Nina Ng,A,ann,13500135000,1980-${bday#*-}
CSV
faketime "$past 09:00:00" "$CTL" -c "$conf" import customers "$dir/c.csv" >/dev/null 2>&1 &&
	ctl scan >/dev/null 2>&1 || t_bail "cannot make the store"
t_is "$(ctl rep list | cut -f1,7 | tr '\t\n' ':,')" "ann:-,li:zh_CN,smith:en," \
	"rep list: the locale is the last column (- for the company's)"
t_is "$(ctl rep list --json | js '[r["locale"] for r in d]')" "[None, 'zh_CN', 'en']" \
	"rep list --json: locale"

# --- an en company -------------------------------------------------------------
start
li=$(feed li) smith=$(feed smith) ann=$(feed ann)
ev=$(events "$li")
t_like "$ev" '^(拜访|邀请) 王芳（A类） \|\| ' "zh_CN rep, en company: a Chinese SUMMARY"
t_like "$ev" "\\|\\| 客户：王芳 \\| 电话：\\+8613800138000 \\| 原因：" "and Chinese DESCRIPTION labels"
t_like "$ev" "尚无联系，$past 起为客户，A类客户每30天回访" "the revisit's reason in Chinese"
t_like "$ev" "生日还有14天（$bday），满${age}岁" "the birthday's reason in Chinese"
t_like "$ev" " — (邀约|拜访)( \\||；)" "the merged task's kind in Chinese"
t_like "$ev" "\\| 打开：$B/t/[A-Za-z0-9_-]{43}\$" "the link on the last line, Chinese label"
t_is "$(calname "$li")" "李娜 – 跟进任务" "the calendar's name in Chinese"
page=$(curl -s "$(link "$li")")
t_like "$page" '<html lang="zh-CN">' "li's task page is Chinese"
t_like "$page" "<li>尚无联系，$past 起为客户，A类客户每30天回访" "with the reasons in Chinese"
t_like "$page" "<li>生日还有14天（$bday），满${age}岁" "each a line of the checklist"
t_like "$(day "$li")" '<html lang="zh-CN">.*我的今天' "li's day page is Chinese"
ev=$(events "$smith")
t_like "$ev" '^(Visit|Invite) Sam Smith \(tier A\) \|\| Customer: Sam Smith \| Phone: ' \
	"en rep: an English SUMMARY and labels"
t_like "$ev" "no contact yet, customer since $past, tier A cadence 30 days" "English reasons"
t_like "$ev" "birthday in 14 days, on $bday \\(turns $age\\)" "the birthday's too"
t_like "$ev" "\\| Open: $B/t/" "and Open: the link"
t_like "$(curl -s "$(link "$smith")")" '<html lang="en">' "smith's task page is English"
ev=$(events "$ann")
t_like "$ev" '^(Visit|Invite) Nina Ng \(tier A\) \|\| Customer: ' "no locale, en company: English"
t_like "$(day "$ann")" '<html lang="en">' "and an English day page"

# li records "reached" without a note: the contact says why, in Chinese.
l=$(link "$li")
ftok=$(curl -s "$l" | sed -n 's/.*name="form" value="\([^"]*\)".*/\1/p')
t_like "$(curl -s --data "form=$ftok&outcome=reached&kind=visit" "$l")" 'id="notice">已记录' \
	"li records reached"
t_like "$(t_sql "$dir/o.db" "select note from contacts c join customers u on u.id = c.customer_id where u.external_id = 'CA'")" \
	"尚无联系，$past 起为客户" "the contact's note: the reasons as li read them"
t_like "$(curl -s "$l")" "<dd>$today 拜访: [^<]*尚无联系，$past 起为客户" "the page's last contact too"

# smith switches to Chinese while the daemon runs: the feed follows.
etag=$(curl -s -D - -o /dev/null "$smith" | sed -n 's/^ETag: \(.*\)\r$/\1/p')
ctl rep add smith --name Anna-Smith --locale zh-cn >/dev/null
t_like "$(events "$smith")" '^(拜访|邀请) Sam Smith（A类） \|\| 客户：' "rep add --locale: the cached feed changes language"
t_unlike "$(curl -s -D - -o /dev/null "$smith" | sed -n 's/^ETag: \(.*\)\r$/\1/p')" "^$etag\$" "with a new ETag"
ctl rep add smith --name Anna-Smith --locale en >/dev/null
stop

# --- a zh_CN company -------------------------------------------------------------
mkconf zh_CN
start
t_like "$(events "$ann")" '^(拜访|邀请) Nina Ng（A类） \|\| 客户：' "no locale, zh_CN company: Chinese"
t_like "$(events "$ann")" "尚无联系，$past 起为客户" "Chinese reasons"
t_like "$(day "$ann")" '<html lang="zh-CN">' "and a Chinese day page"
ev=$(events "$smith")
t_like "$ev" '^(Visit|Invite) Sam Smith \(tier A\) \|\| Customer: ' "en rep, zh_CN company: English"
t_like "$ev" "no contact yet, customer since $past" "English reasons"
t_is "$(calname "$smith")" "Anna-Smith – follow-ups" "an English calendar name"
page=$(curl -s "$(link "$smith")")
t_like "$page" '<html lang="en">' "an English task page"
t_like "$page" "<li>birthday in 14 days, on $bday \\(turns $age\\)" "with English reasons"
t_like "$(day "$smith")" '<html lang="en">.*My day' "and an English day page"
t_like "$(events "$li")" '^✓ (拜访|邀请) 王芳（A类） \|\| 客户：' "zh_CN rep, zh_CN company: Chinese"
stop

# --- rep add --locale ------------------------------------------------------------
loc() { ctl rep list --json | js "[r['locale'] for r in d if r['key'] == '$1'][0]"; }
t_ok "rep add --locale zh_CN.UTF-8" ctl rep add wu --name Wu --locale zh_CN.UTF-8
t_is "$(loc wu)" zh_CN "stored as zh_CN"
t_ok "rep add again without --locale" ctl rep add wu --name 'Wu Lei' --timezone Asia/Shanghai
t_is "$(loc wu)" zh_CN "keeps the locale"
t_ok "rep add --locale en_US" ctl rep add wu --name 'Wu Lei' --locale en_US
t_is "$(loc wu)" en_US "en_US"
out=$(ctl rep add wu --name 'Wu Lei' --locale 'zh_CN; DROP' 2>&1)
t_is "$?" 65 "a locale that is none: EX_DATAERR"
t_is "$out" 'outreachctl: --locale: "zh_CN; DROP": locale must look like en, zh or zh_CN' \
	"with a message saying what a locale looks like"
t_is "$(loc wu)" en_US "and nothing changed"
t_ok "rep add --locale ''" ctl rep add wu --name 'Wu Lei' --locale ''
t_is "$(loc wu)" None "clears it: the company's locale again"
t_done
