#!/bin/bash
# outreachctl report against an independent implementation: a generated
# store's history (tests/report_oracle.py gen: customers, purchases and
# contacts imported; tasks, messages and opt-outs put in with SQL) is
# reported with --json for several periods and a rep, and every figure is
# computed again in plain Python from the same CSVs and compared exactly.
# Then the text form, the usage errors, and the opt-out trigger.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
t_pg || command -v sqlite3 >/dev/null || t_skip_all "sqlite3 not installed"
command -v faketime >/dev/null || t_skip_all "faketime not installed"
dir=$(t_tmpdir)
D=2026-06-15
oracle() { "$T_PY" "$top/tests/report_oracle.py" "$@"; }

cat >"$dir/o.conf" <<CONF
store = "$(t_store "$dir/o.db")";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; };
CONF
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
oracle gen --out "$dir/data" --date "$D" --customers "${REPORT_CUSTOMERS:-2000}" \
	--seed "${REPORT_SEED:-1}" || t_bail "generating the data"
while IFS=$'\t' read -r key name; do
	ctl rep add "$key" --name "$name" >/dev/null || t_bail "rep add $key"
done <"$dir/data/reps.tsv"
# The data runs past D (the report must ignore what came after its
# day) and past today: it is imported on a day after all of it, as
# history after tomorrow is refused.
for f in customers purchases contacts; do
	faketime '2030-01-01 12:00:00' "$CTL" -c "$dir/o.conf" import "$f" \
	    "$dir/data/$f.csv" --no-progress >/dev/null 2>&1 || t_bail "import $f"
done
t_sql "$dir/o.db" <"$dir/data/load.sql" >/dev/null || t_bail "loading tasks and messages"
t_ok "tiers recompute --date $D" ctl tiers recompute --date "$D"

t_is "$(t_sql "$dir/o.db" 'SELECT count(*) FROM optout_events')" \
	"$(($(wc -l <"$dir/data/optouts.csv") - 1))" \
	"each opt-out written is recorded with its day"
t_is "$(t_sql "$dir/o.db" "SELECT count(*) FROM optout_events e JOIN
	customers c ON c.id = e.customer_id WHERE e.day <> c.updated_at / 86400
	AND e.id = (SELECT max(id) FROM optout_events WHERE customer_id = c.id)")" 0 \
	"an opt-out's day is the day of the write that set it"

# Each report in JSON against the oracle.
check() { # DESCRIPTION ARGS...
	local desc=$1
	shift
	if ! ctl report --date "$D" "$@" --json >"$dir/r.json"; then
		t_fail "$desc: report --json"
		return
	fi
	t_ok "$desc: every figure as the oracle computes it" \
		oracle check --data "$dir/data" --json "$dir/r.json" --date "$D" \
		--tiers-date "$D" "$@"
}
check "the 12 months before $D"
grep -q '"opted_out": [1-9]' "$dir/r.json" &&
	grep -q '"converted": [1-9]' "$dir/r.json" &&
	grep -q '"median_days_overdue": [1-9]' "$dir/r.json" &&
	grep -q '"sleeping": [1-9]' "$dir/r.json" &&
	grep -q '"lost": [1-9]' "$dir/r.json" &&
	grep -q '"held_out_converted": [1-9]' "$dir/r.json" &&
	grep -q '"lift": -\?0\.[0-9]' "$dir/r.json" &&
	grep -q '"satisfied": [1-9]' "$dir/r.json" &&
	t_pass "the data has every state, opt-outs, conversions, holdouts, overdue tasks and answers" ||
	t_fail "the data has every state, opt-outs, conversions, holdouts, overdue tasks and answers"
check "one rep" --rep li
check "a period that ends on the day" --from 2025-01 --to 2026-06
check "the day's month alone" --from 2026-06
check "an earlier day" --date 2025-11-30

# Tiers of every customer, not of the buyers: the tiers (and so every
# figure by tier) change, the oracle's with them.
cp "$dir/o.conf" "$dir/all.conf"
echo 'tiers: { population = "all"; };' >>"$dir/all.conf"
t_ok "tiers recompute with population \"all\"" \
	"$CTL" -c "$dir/all.conf" tiers recompute --date "$D"
"$CTL" -c "$dir/all.conf" report --date "$D" --json >"$dir/r.json"
t_ok "population \"all\": every figure as the oracle computes it" \
	oracle check --data "$dir/data" --json "$dir/r.json" --date "$D" \
	--population all
t_fails "and not as it computes them for the buyers" \
	oracle check --data "$dir/data" --json "$dir/r.json" --date "$D"
ctl tiers recompute --date "$D" >/dev/null

# The table.
t_ok "report (text)" ctl report --date "$D"
t_like "$T_OUT" $'^report on 2026-06-15, months 2025-06 to 2026-05\n' "its title line"
t_like "$T_OUT" $'\nmonth +prospect +new +active +sleeping +lost +retention\n2025-06 ' \
	"lifecycle and retention by month"
t_like "$T_OUT" $'\ncadence +A +B +C +all +open +overdue +median\nchen ' \
	"cadence by rep and tier"
t_like "$T_OUT" $'\nrule +sent +delivered +failed +expired +opt-out +bought +conversion\nanniversary ' \
	"the outreach of each rule"
t_like "$T_OUT" $'\nwinback [^\n]+\n  held out [0-9]+, [0-9]+ bought: +[0-9.]+%; lift [-+][0-9.]+ points' \
	"a rule's holdout and lift"
t_like "$T_OUT" $'\nsatisfaction +A +[0-9.]+% of [0-9]+ +B +[0-9.]+% of [0-9]+ +C +[0-9.]+% of [0-9]+ +all +[0-9.]+% of [0-9]+$' \
	"satisfaction by tier"

# Usage errors.
for bad in "--from 2026-13" "--from 2026-1" "--from 2025-05 --to 2025-04" \
	"--to 2026-07" "--from 2010-01 --to 2026-06" "--date 2026-02-30" "extra"; do
	# shellcheck disable=SC2086
	ctl report --date "$D" $bad >/dev/null 2>&1
	t_is "$?" 64 "report $bad: EX_USAGE"
done
ctl report --rep nobody >/dev/null 2>&1
t_is "$?" 65 "report --rep for an unknown rep: EX_DATAERR"
t_ok "report --help" ctl report --help

# The page: one file that names no URL, opened offline in Chromium.
t_ok "report --html" ctl report --date "$D" --html "$dir/report.html"
t_is "$T_OUT" "" "--html alone prints nothing"
page=$(cat "$dir/report.html")
t_is "$(grep -c '<svg class="chart"' "$dir/report.html")" 5 "five SVG charts"
t_unlike "$page" '(https?|ftp|file|data):|<script|<link|<img|@import|url\(' \
	"no URL, script, link, image or import anywhere in it"
t_like "$page" '<td>chen</td>|<td>Chen</td>' "the reps' table"
ctl report --date "$D" --html "$dir/nodir/r.html" >/dev/null 2>&1
t_is "$?" 73 "--html into a missing directory: EX_CANTCREAT"
t_ok "--json and --html together" ctl report --date "$D" --json --html "$dir/r2.html"
t_like "$T_OUT" '^\{' "JSON on standard output"
t_is "$(cat "$dir/r2.html")" "$page" "the same page"

shots=${REPORT_SHOTS:-$dir}
have_browser=1
"$T_PY" -c 'import selenium' 2>/dev/null || have_browser=0
command -v chromium >/dev/null && command -v chromedriver >/dev/null || have_browser=0
browse() { # URL SCREENSHOT [--offline]
	timeout 120 "$T_PY" "$top/tests/report_browser.py" --url "$1" \
	    --screenshot "$2" "${@:3}"
}
json_get() { "$T_PY" -c 'import json, sys; print(eval(sys.argv[1], {}, {"j": json.load(sys.stdin)}))' "$1"; }
if [ "$have_browser" = 1 ]; then
	out=$(browse "file://$dir/report.html" "$shots/report.png" --offline)
	t_is "$?" 0 "chromium opens the page offline"
	t_is "$(json_get 'len([c for c in j["charts"] if c["marks"] > 0])' <<<"$out")" 5 \
		"five charts drawn"
	t_is "$(json_get '[j["scripts"], j["external"], j["scroll_width"] <= 1000]' <<<"$out")" \
		"[0, [], True]" "no script, nothing from elsewhere, no horizontal scroll"
	t_is "$(json_get 'j["sections"]' <<<"$out")" \
		"['Customers over the months', 'Retention by month', 'Value by tier', 'Cadence kept, by rep and tier', 'What the messages achieved', 'Satisfaction']" \
		"its sections"
	t_ok "screenshot saved: $shots/report.png" test -s "$shots/report.png"
	# The same page in Chinese, for a manager whose locale is zh_CN.
	ctl report --date "$D" --html "$dir/report-zh.html" --locale zh_CN
	out=$(browse "file://$dir/report-zh.html" "$shots/report-zh_CN.png" --offline)
	t_is "$?" 0 "chromium opens the Chinese page offline"
	t_is "$(json_get '[j["h1"], len([c for c in j["charts"] if c["marks"] > 0]), j["scroll_width"] <= 1000]' <<<"$out")" \
		"['客户维系报告，$D', 5, True]" "in Chinese, five charts drawn, no horizontal scroll"
	t_is "$(json_get 'j["sections"]' <<<"$out")" \
		"['客户逐月变化', '逐月留存率', '各等级客户价值', '跟进节奏（按销售代表和等级）', '消息的成效', '满意度']" \
		"its sections in Chinese"
	t_is "$(json_get '[c for c in j["cards"] if c.endswith("按节奏跟进")] != []' <<<"$out")" True \
		"the headline figures labelled in Chinese"
	t_ok "screenshot saved: $shots/report-zh_CN.png" test -s "$shots/report-zh_CN.png"
else
	t_skip 10 "chromium, chromedriver or python3-selenium not installed (scripts/bootstrap installs them)"
fi

# The daemon serves the page for today to managers, by their feed token.
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
if [ ! -x "$OUTREACHD" ] || ! command -v curl >/dev/null; then
	t_skip 19 "no outreachd or curl"
	t_done
fi
port=$(t_freeport)
B="http://127.0.0.1:$port"
cat "$dir/o.conf" >"$dir/d.conf"
cat >>"$dir/d.conf" <<CONF
managers = [ "li" ];
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
http: { listen = "127.0.0.1:$port"; base_url = "$B"; };
CONF
sed -i '/^daemon: { state_dir = "[^"]*"; };$/d' "$dir/d.conf"
token() { "$CTL" -c "$dir/d.conf" rep token "$1" 2>/dev/null | sed -n 's|.*/feeds/\([^/]*\)/.*|\1|p' | head -1; }
li=$(token li)
chen=$(token chen)
t_like "$li" '^[A-Za-z0-9_-]+$' "a manager's feed token"
t_bg "$dir/d.pid" "$OUTREACHD" -c "$dir/d.conf" --foreground --log-level info
t_wait_port "$port" 20 "$T_BG_PID" || t_bail "outreachd does not listen"
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
# Its first scan (tiers, the lifecycle count, planning) ends before the
# counts below are read.
scanned() { curl -s "$B/metrics" | grep -Eq '^outreachd_last_scan_timestamp_seconds [1-9]'; }
t_wait_until 60 scanned || t_bail "no scan"
t_is "$(code "$B/report/$li")" 200 "GET /report/TOKEN of a manager: 200"
curl -s -D "$dir/h.txt" -o "$dir/d.html" "$B/report/$li"
t_like "$(cat "$dir/h.txt")" $'[Cc]ontent-[Tt]ype: text/html; charset=utf-8\r' "as HTML"
t_like "$(cat "$dir/h.txt")" "Content-Security-Policy: default-src 'none'" "under the pages' policy"
t_like "$(cat "$dir/d.html")" "<h1>Retention report, $(TZ=UTC date +%F)</h1>" "today's report"
# In the manager's own language once their locale says so.
ctl rep add li --name "$(awk -F'\t' '$1 == "li" { print $2 }' "$dir/data/reps.tsv")" \
	--locale zh_CN >/dev/null
curl -s -o "$dir/d-zh.html" "$B/report/$li"
t_like "$(cat "$dir/d-zh.html")" '<html lang="zh-CN">' "a zh_CN manager's page is in Chinese"
t_like "$(cat "$dir/d-zh.html")" "<h1>客户维系报告，$(TZ=UTC date +%F)</h1>" "  its heading"
t_is "$(code -I "$B/report/$li")" 200 "HEAD: 200"
t_is "$(code "$B/report/$chen")" 404 "a rep who does not manage: 404"
t_is "$(code "$B/report/x${li}x")" 404 "a wrong token: 404"
t_is "$(code -X POST "$B/report/$li")" 405 "POST: 405"

# Its first scan counted today's lifecycle states and reconstructed the
# months before from the purchases; /metrics shows the count.
today=$(( $(date -u +%s) / 86400 ))
sqlq() { t_sql "$dir/o.db" "$1"; }
t_is "$(sqlq "SELECT sum(customers) FROM lifecycle_days WHERE day = $today
	AND reconstructed = 0")" 2000 "today's count has every customer"
t_is "$(sqlq "SELECT count(*) FROM (SELECT day FROM lifecycle_days WHERE
	reconstructed = 1 GROUP BY day HAVING sum(customers) = 2000) q")" \
	"$(sqlq "SELECT count(DISTINCT day) FROM lifecycle_days WHERE reconstructed = 1")" \
	"each month's end before it has every customer"
t_like "$(sqlq "SELECT count(DISTINCT day) FROM lifecycle_days WHERE reconstructed = 1")" \
	'^(3[5-9]|4[0-9])$' "the months since the first purchase"
ctl report --json >"$dir/now.json"
t_is "$(sqlq "SELECT state || '=' || sum(customers) FROM lifecycle_days
	WHERE day = $today GROUP BY state ORDER BY state" | tr '\n' ' ')" \
	"$(json_get '" ".join("%s=%d" % kv for kv in sorted(j["lifecycle"]["total"].items()) if kv[1]) + " "' <"$dir/now.json")" \
	"the same states as the report of today"
m=$(curl -s "$B/metrics")
t_like "$m" $'# TYPE outreachd_customers_lifecycle gauge\noutreachd_customers_lifecycle\\{state="prospect",tier="A"\\} [0-9]+\n' \
	"/metrics: customers by lifecycle state and tier"
t_is "$(printf '%s\n' "$m" | awk '/^outreachd_customers_lifecycle\{/ { n += $2 } END { print n }')" 2000 \
	"  summing to every customer"
open=$(ctl rep list --json | json_get '[r["open_tasks"] for r in j if r["key"] == "li"][0]')
t_like "$m" $'\noutreachd_rep_tasks_open\\{rep="li"\\} '"$open"$'\n' "open tasks by rep ($open)"
t_like "$m" $'\noutreachd_rep_tasks_overdue\\{rep="li"\\} [0-9]+\n' "overdue tasks by rep"
t_kill "$dir/d.pid"
t_done
