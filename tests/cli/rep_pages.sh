#!/bin/bash
# The rep's loop, black-box on 127.0.0.1: every event of the follow-up
# feed carries a signed link (URL and DESCRIPTION) to the task's page; a
# phone (headless Chromium, 360x740, tests/rep_browser.py) opens it from
# the feed as a calendar client gets it, records "reached" with a note,
# and the store and the next fetch of the feed show it.  Then the hostile
# cases with curl: forged, truncated, other rep's, rotated and revoked
# links, GET with outcome parameters, POST without the form token,
# oversized and binary notes, two identical POSTs at once; and the rep's
# day (/r/TOKEN), A tier first.  Screenshots: $REP_SHOTS (default: the
# test's directory), rep-task-zh_CN.png and rep-task-en.png.
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
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
past=$(date -u -d '-200 days' +%F)

mkconf() { # NAME LOCALE [HTTP-SETTINGS]
	cat >"$dir/$1.conf" <<CONF
store = "$(t_store "$dir/$1.db")";
company = "Acme Trading";
timezone = "Asia/Shanghai";
country_code = "86";
locale = "$2";
templates = "$top/templates";
daemon: { state_dir = "$dir/$1.state"; scan_interval = 86400; };
email: { transport = "maildir"; maildir = "$dir/$1.mail"; };
sms: { transport = "maildir"; maildir = "$dir/$1.mail"; };
http: { listen = "127.0.0.1:$port"; base_url = "$B"; ${3:-} };
rules = (
  { name = "revisit_a"; event = "revisit"; tiers = ["A"]; action = "task"; task = "visit"; },
  { name = "revisit_b"; event = "revisit"; tiers = ["B"]; action = "task"; task = "call"; },
  { name = "revisit_c"; event = "revisit"; tiers = ["C"]; action = "task"; task = "call"; }
);
CONF
	cat >"$dir/customers.csv" <<CSV
external_id,name,salutation,tier,rep,phone,email,notes,vip_since
CB,Bob Brown,Mr Brown,B,li,13900139000,,,
CA,王芳,王女士,A,li,13800138000,wangfang@example.com,喜欢绿茶 <b>VIP</b>,2020
CC,Carl Chen,,C,li,13700137000,,,
CS,Sam Smith,,A,smith,13600136000,,,
CSV
	for r in "li --name 李娜" "smith --name Anna-Smith"; do
		# shellcheck disable=SC2086
		faketime "$past 09:00:00" "$CTL" -c "$dir/$1.conf" rep add $r >/dev/null ||
			t_bail "rep add"
	done
	faketime "$past 09:00:00" "$CTL" -c "$dir/$1.conf" import customers "$dir/customers.csv" >/dev/null 2>&1 &&
		"$CTL" -c "$dir/$1.conf" scan >/dev/null 2>&1 || t_bail "cannot make the $1 store"
}
start() { # NAME
	t_bg "$dir/$1.pid" "$OUTREACHD" -c "$dir/$1.conf" --foreground --log-level info
	t_wait_port "$port" 10 "$T_BG_PID" || t_bail "outreachd $1 does not listen"
}
stop() { t_kill "$dir/$1.pid"; }
feedurl() { "$CTL" -c "$dir/$1.conf" rep token "$2" 2>/dev/null | sed -n 1p; }
# The task links of a feed, unfolded, from DESCRIPTION's last line ("Open:",
# "打开：" in Chinese).
links() { curl -s "$1" | "$T_PY" -c '
import re, sys
t = re.sub(r"\r?\n[ \t]", "", sys.stdin.read()).replace("\r", "")
for d in re.findall(r"^DESCRIPTION:(.*)$", t, re.M):
    m = re.search(r"\\n(?:Open: |打开：)(\S+)$", d)
    print(m.group(1) if m else "-")'; }
# The link of the event whose SUMMARY has $2.
linkof() { curl -s "$1" | "$T_PY" -c '
import re, sys
t = re.sub(r"\r?\n[ \t]", "", sys.stdin.read())
for ev in t.split("BEGIN:VEVENT")[1:]:
    if sys.argv[1] in re.search(r"^SUMMARY:(.*)$", ev, re.M).group(1):
        print(re.search(r"^URL:(\S+)", ev, re.M).group(1))' "$2"; }
formtok() { curl -s "$1" | sed -n 's/.*name="form" value="\([^"]*\)".*/\1/p'; }
browser() { # NAME SUMMARY NOTE
	timeout 120 "$T_PY" "$top/tests/rep_browser.py" --feed "$feed" \
	    --summary "$2" --screenshot "$shots/rep-task-$1.png" --note "$3"
}
have_browser=1
"$T_PY" -c 'import selenium' 2>/dev/null || have_browser=0
command -v chromium >/dev/null && command -v chromedriver >/dev/null || have_browser=0

# --- zh_CN: the feed, the phone, the store ------------------------------------
mkconf zh zh_CN
start zh
feed=$(feedurl zh li)
curl -s -D "$dir/h0" -o "$dir/f0.ics" "$feed"
etag0=$(sed -n 's/^ETag: \(.*\)\r$/\1/p' "$dir/h0")
t_like "$(cat "$dir/f0.ics")" $'REFRESH-INTERVAL;VALUE=DURATION:PT1H\r' "the feed asks for a refresh every hour"
t_like "$(cat "$dir/f0.ics")" $'X-PUBLISHED-TTL:PT1H\r' "X-PUBLISHED-TTL:PT1H"
t_like "$(cat "$dir/f0.ics")" 'SUMMARY:拜访 王芳（A类）' "titles in the rep's language (zh_CN)"
mapfile -t L < <(links "$feed")
t_is "${#L[@]}" 3 "three events, each with a link in DESCRIPTION"
t_unlike "${L[*]}" '(^| )-( |$)' "no event without a link"
t_is "$(tr -d '\r' <"$dir/f0.ics" | grep -c "^URL:$B/t/")" 3 "and in URL"
t_like "${L[0]}" "^$B/t/[A-Za-z0-9_-]{43}\$" "a link: base_url/t/ and 43 base64url characters"
"$CTL" -c "$dir/zh.conf" feed li >"$dir/cli.ics"
t_is "$(cmp "$dir/cli.ics" "$dir/f0.ics" && echo same)" same "outreachctl feed gives the same links"
page=$(curl -s -D "$dir/hp" "$(linkof "$feed" 王芳)")
t_like "$(cat "$dir/hp")" "Content-Security-Policy: default-src 'none'" "the page has the unsubscribe page's CSP"
t_like "$(cat "$dir/hp")" "Cache-Control: no-store" "and is not cached"
t_unlike "$page" '<script|https?://[^"]*"' "no script and no external URL"
t_like "$page" '&lt;b&gt;VIP&lt;/b&gt;' "customer text is escaped"
t_like "$page" 'href="tel:\+8613800138000"' "the phone is a tel: link"
t_like "$page" 'href="mailto:wangfang@example.com"' "the e-mail a mailto: link"
t_like "$page" '<dt>vip_since</dt><dd>2020</dd>' "custom attributes on the card"
t_like "$page" '<li>尚无联系，[0-9-]{10} 起为客户，A类客户每30天回访</li>' "the task's reasons, in Chinese"

# Hostile links: all the same 404.
link=$(linkof "$feed" 王芳); tok=${link##*/}
nf=$(curl -s "$B/nothing")
flip() { local c=${1:$2:1} r; [ "$c" = A ] && r=B || r=A; printf '%s%s%s' "${1:0:$2}" "$r" "${1:$(($2 + 1))}"; }
t_is "$(code "$B/t/$(flip "$tok" 40)")/$(curl -s "$B/t/$(flip "$tok" 40)")" "404/$nf" "a forged MAC: the same 404"
t_is "$(code "$B/t/$(flip "$tok" 15)")" 404 "another task id under the same MAC: 404"
t_is "$(code "$B/t/${tok:0:42}")" 404 "a truncated link: 404"
t_is "$(code "$B/t/${tok}A")" 404 "a link with a character more: 404"
t_is "$(code "$B/t/")" 404 "no link: 404"
smith=$(feedurl zh smith)
slink=$(links "$smith" | head -1)
t_is "$(code "$slink")" 200 "smith's own link works"
# smith's rep id with li's task id and MAC, and li's task under smith: 404.
t_is "$(code -X POST -d "outcome=reached&form=$(formtok "$link")" "$slink")" 403 \
	"li's form token on smith's page: refused"
before=$(t_sql "$dir/zh.db" "select $(t_sql_agg status id) from (select status, id from plan_items
    where action = 'task' order by id) q" 2>/dev/null)
for q in "outcome=reached" "outcome=cancel&reason=x" "outcome=snooze&date=2099-01-01" "outcome=not-reached" \
    "outcome=wrong-number" "outcome=next&date=2099-01-01" "form=$(formtok "$link")&outcome=reached"; do
	curl -s -o /dev/null "$link?$q"
done
t_is "$(curl -s "$feed" -D - -o /dev/null | sed -n 's/^ETag: \(.*\)\r$/\1/p')" "$etag0" \
	"GET with every outcome parameter changes nothing (same ETag)"
t_is "$(code -X POST -d 'outcome=reached&note=x' "$link")" 403 "a POST without the form token: 403"
t_is "$(code -X POST -d "outcome=reached&form=AAAAAAAAAAAAAAAAAAAAAA" "$link")" 403 "a POST with a wrong form token: 403"
t_is "$(code -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @/dev/null "$link")" 403 \
	"an empty POST: 403"
t_is "$(curl -s "$feed" -D - -o /dev/null | sed -n 's/^ETag: \(.*\)\r$/\1/p')" "$etag0" "refused POSTs change nothing"

# The rep's day, kept by the server while nothing on it changes: a strong
# ETag, 304 for a client that has it, HEAD without the body.
tok=${feed#"$B/feeds/"}; tok=${tok%%/*}
curl -s -D "$dir/hd0" -o "$dir/day0.html" "$B/r/$tok"
dtag0=$(sed -n 's/^ETag: \(.*\)\r$/\1/p' "$dir/hd0")
t_like "$(cat "$dir/day0.html")" '拜访 王芳（A类）' "the day lists 王芳's visit"
t_like "$dtag0" '^"[^"]+"$' "the day page has a strong ETag"
t_like "$(cat "$dir/hd0")" "Cache-Control: no-store" "and is not stored by the phone"
t_is "$(code -H "If-None-Match: $dtag0" "$B/r/$tok")" 304 "If-None-Match with it: 304"
t_is "$(curl -s -I "$B/r/$tok" | sed -n 's/^ETag: \(.*\)\r$/\1/p')/$(curl -s -I "$B/r/$tok" | grep -ci '^content-length: 0')" \
	"$dtag0/0" "HEAD: the same ETag and headers, no body"
t_is "$(curl -s "$B/r/$tok" | cmp - "$dir/day0.html" && echo same)" same "the same page again"

# The phone.
ftok=$(formtok "$link")
if [ "$have_browser" = 1 ]; then
	out=$(browser zh_CN '王芳' '见面聊了新品，下月再访')
	rc=$?
	t_is "$rc" 0 "chromium opens the link from the feed and records reached"
	t_is "$(echo "$out" | js 'd["scroll_width"] <= 360 and d["after_scroll_width"] <= 360')" True \
		"no horizontal scroll at 360 px"
	t_is "$(echo "$out" | js 'd["notice"] + "|" + d["status"]')" "已记录。|已完成" "the page says recorded, done"
	t_ok "screenshot saved: $shots/rep-task-zh_CN.png" test -s "$shots/rep-task-zh_CN.png"
else
	t_skip 4 "chromium, chromedriver or python3-selenium not installed (scripts/bootstrap installs them)"
	fields="form=$(formtok "$link")&outcome=reached&kind=visit"
	curl -s -o /dev/null --data "$fields" --data-urlencode 'note=见面聊了新品，下月再访' "$link"
fi
show=$("$CTL" -c "$dir/zh.conf" customer show CA --json)
t_is "$(echo "$show" | js 'd["last_contact"] is not None')" True "the contact is logged"
t_is "$(echo "$show" | js 'd["outcomes"][-1]["outcome"] + "|" + d["outcomes"][-1]["note"] + "|" + d["outcomes"][-1]["rep"]')" \
	"reached|见面聊了新品，下月再访|li" "the outcome, its note and the rep"
t_is "$(echo "$show" | js 'd["outcomes"][-1]["source"]')" "web 127.0.0.1" "its source: the client's address"
t_is "$(t_sql "$dir/zh.db" "select p.status from plan_items p join customers c on c.id = p.customer_id where c.external_id = 'CA' and p.action = 'task'")" done \
	"the task is closed"
curl -s -D "$dir/hd1" -o "$dir/day1.html" "$B/r/$tok"
t_unlike "$(cat "$dir/day1.html")" '王芳' "the next GET of the day: the task is gone"
t_unlike "$(sed -n 's/^ETag: \(.*\)\r$/\1/p' "$dir/hd1")" "^$dtag0\$" "with a new ETag"
t_is "$(code -H "If-None-Match: $dtag0" "$B/r/$tok")" 200 "the old ETag gets the new page, not 304"
curl -s -D "$dir/h1" -o "$dir/f1.ics" "$feed"
etag1=$(sed -n 's/^ETag: \(.*\)\r$/\1/p' "$dir/h1")
t_unlike "$etag1" "^$etag0\$" "the next fetch of the feed has a new ETag"
t_like "$(cat "$dir/f1.ics")" 'SUMMARY:✓ 拜访 王芳（A类）' "the feed shows the task completed (✓)"
t_like "$(curl -s "$link")" 'id="status">已完成' "the page shows the task done, without the form"
t_like "$(curl -s --data "form=$ftok&outcome=reached&kind=visit" "$link")" 'id="notice">已经记录过了' \
	"the same POST again: already recorded"
t_is "$(t_sql "$dir/zh.db" "select count(*) from task_events where outcome = 'reached'")" 1 "recorded once"

# Notes: over 2,000 characters, binary bytes; two identical POSTs at once.
mapfile -t L < <(links "$feed")
bob=$(linkof "$feed" Bob)
ftok=$(formtok "$bob")
head -c 3000 /dev/zero | tr '\0' x >"$dir/long"
t_is "$(code --data "form=$ftok&outcome=not-reached" --data-urlencode "note@$dir/long" "$bob")" 200 \
	"a 3,000-character note: recorded"
t_is "$(t_sql "$dir/zh.db" "select length(note) from task_events where outcome = 'not-reached'")" 2000 \
	"cut to 2,000 characters"
t_is "$(code --data "form=$ftok&outcome=snooze&date=2099-01-02&note=%00%01%FF%C3%28ok%1B" "$bob")" 200 \
	"a note with NUL, control and invalid UTF-8 bytes: no crash"
t_is "$(t_sql "$dir/zh.db" "select coalesce(note, 'NULL') from task_events where outcome = 'snooze'")" "NULL" \
	"cut at the NUL byte: no note"
t_is "$(code --data "form=$ftok&outcome=snooze&date=2099-01-03&note=a%01b%FFc%1Bd" "$bob")" 200 \
	"control and invalid bytes inside a note"
t_is "$(t_sql "$dir/zh.db" "select note from task_events where outcome = 'snooze' order by id desc limit 1")" "abcd" \
	"are dropped"
t_is "$(code --data "form=$ftok&outcome=snooze&date=yesterday" "$bob")" 400 "a bad date: 400"
carl=$(linkof "$feed" Carl)
ftok=$(formtok "$carl")
for i in 1 2; do
	curl -s --data "form=$ftok&outcome=cancel&reason=moved+away" "$carl" >"$dir/par$i" &
	par[i]=$!
done
wait "${par[1]}" "${par[2]}"
t_is "$(cat "$dir/par1" "$dir/par2" | grep -o 'id="notice">[^<]*' | LC_ALL=C sort | tr '\n' '|')" \
	'id="notice">已经记录过了。|id="notice">已记录。|' "two identical POSTs at once: one recorded, one already recorded"

# The rep's day: today's and overdue tasks, A tier first.
day=$(curl -s -D "$dir/hd" "$B/r/$tok")
t_like "$(head -1 "$dir/hd")" "^HTTP/1.1 200" "GET /r/TOKEN: 200"
t_like "$day" '<html lang="zh-CN">' "in Chinese"
t_is "$(echo "$day" | grep -c '<li class=')" 0 "nothing due: every task is closed or snoozed"
t_like "$day" '今天没有待办任务' "and the page says so"
t_is "$(code "$B/r/AAAAAAAAAAAAAAAAAAAAAAAA")" 404 "a wrong token: 404"
t_is "$(code -X POST "$B/r/$tok")" 405 "POST to the day: 405"
stop zh

# --- en: the browser again, the day's order, rotation and revocation ----------
t_store_reset "$dir/zh.db"
mkconf en en
start en
feed=$(feedurl en li)
tok=${feed#"$B/feeds/"}; tok=${tok%%/*}
t_like "$(curl -s "$feed")" 'SUMMARY:Visit 王芳 \(tier A\)' "titles in English (en)"
day=$(curl -s "$B/r/$tok")
t_is "$(echo "$day" | grep -o '<li class="[A-C]"' | tr -d '\n')" \
	'<li class="A"<li class="B"<li class="C"' "the day lists A tier first"
href=$(echo "$day" | sed -n 's/.*<li class="A"><a href="\([^"]*\)".*/\1/p')
t_is "$(code "$href")" 200 "its links open the task pages"
# What the day shows changes elsewhere: the next GET shows it.
ctl() { "$CTL" -c "$dir/en.conf" "$@"; }
t_ok "outreachctl task done (another process)" \
	ctl task done "$(ctl task list --json | js "[t['id'] for t in d if t['customer']=='CC'][0]")"
t_unlike "$(curl -s "$B/r/$tok")" 'Carl Chen' "the next GET of the day: Carl's task is gone"
t_sql "$dir/en.db" "INSERT INTO customers (external_id, name, tier, rep_id, phone, created_at,
    updated_at) SELECT 'CX', 'Xu Xia', tier, rep_id, '13200132000', created_at, updated_at
    FROM customers WHERE external_id = 'CB'"
t_unlike "$(curl -s "$B/r/$tok")" 'Xu Xia' "a customer written by another program: no task yet"
kill -USR1 "$(cat "$dir/en.pid")"
planned() { curl -s "$B/r/$tok" | grep -q 'Call Xu Xia'; }
t_ok "the daemon, woken, plans Xu Xia's call: the next GETs of the day list it" t_wait_until 10 planned
if [ "$have_browser" = 1 ]; then
	out=$(browser en 'Bob Brown' 'Spoke on the phone')
	t_is "$(echo "$out" | js 'd["notice"] + "|" + d["status"] + "|" + str(d["scroll_width"] <= 360)')" \
		"Recorded.|done|True" "en: chromium records reached, no horizontal scroll"
	t_ok "screenshot saved: $shots/rep-task-en.png" test -s "$shots/rep-task-en.png"
else
	t_skip 2 "chromium, chromedriver or python3-selenium not installed (scripts/bootstrap installs them)"
fi
old=$(linkof "$feed" Carl)
feed2=$(feedurl en li)
tok2=${feed2#"$B/feeds/"}; tok2=${tok2%%/*}
t_is "$(code "$old")/$(code "$B/r/$tok")" 404/404 "after rep token (rotated): the old links and day are 404"
new=$(linkof "$feed2" Carl)
t_is "$(code "$new")/$(code "$B/r/$tok2")" 200/200 "the new feed's links and day work"
href2=$(curl -s "$B/r/$tok2" | sed -n 's/.*<li class="A"><a href="\([^"]*\)".*/\1/p')
t_is "$(code "$href")/$(code "$href2")" 404/200 \
	"the day before the rotation linked with the old token (404); the new day with the new one"
t_ok "rep token --revoke" "$CTL" -c "$dir/en.conf" rep token li --revoke
t_is "$(code "$new")/$(code "$feed2")/$(code "$B/r/$tok2")" 404/404/404 \
	"revoked: links, feed and day are 404"
slink=$(links "$(feedurl en smith)" | head -1)
t_is "$(code "$slink")" 200 "another rep's links still work"
stop en

# POSTs take the address's writes: the third in a minute is a 429.
t_store_reset "$dir/en.db"
mkconf en en "write_rate_per_ip = 2;"
start en
slink=$(links "$(feedurl en smith)" | head -1)
t_is "$(code -d x "$slink") $(code -d x "$slink") $(code -d x "$slink")" "403 403 429" \
	"POSTs count against http.write_rate_per_ip (429)"
t_is "$(code "$slink")" 200 "GETs do not"
stop en

# Midnight: the daemon's clock (libfaketime) starts seconds before the
# company's midnight (Asia/Shanghai); the day page asked for before it
# says today, the one after it the next day, the same tasks a day late.
t_store_reset "$dir/en.db"
mkconf en en
d0=$(TZ=Asia/Shanghai date +%F)
d1=$(TZ=Asia/Shanghai date -d "$d0 +1 day" +%F)
at=$(date -u -d "TZ=\"Asia/Shanghai\" $d0 23:59:52" '+%F %T')
tok=$(feedurl en li); tok=${tok#"$B/feeds/"}; tok=${tok%%/*}
t_bg "$dir/mid.pid" env TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 LD_PRELOAD="$T_FAKETIME_LIB" \
	FAKETIME="@$at" "$OUTREACHD" -c "$dir/en.conf" --foreground --log-level info
t_wait_port "$port" 10 "$T_BG_PID" || t_bail "outreachd under libfaketime does not listen"
day=$(curl -s "$B/r/$tok")
t_is "$(echo "$day" | grep -c "<h1>My day · $d0</h1>")/$(echo "$day" | grep -c '<br>today')" 1/3 \
	"before midnight: the day is $d0, three tasks today"
midnight() { curl -s "$B/r/$tok" | grep -q "<h1>My day · $d1</h1>"; }
t_ok "after midnight, the next GET: the day is $d1" t_wait_until 20 midnight
t_is "$(curl -s "$B/r/$tok" | grep -c '<br>overdue 1 day')" 3 "the same three tasks, overdue 1 day"
t_kill "$dir/mid.pid"
t_done
