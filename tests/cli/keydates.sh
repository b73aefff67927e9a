#!/bin/bash
# Key dates from the command line: `import dates` checks every row
# (FILE:ROW:COLUMN) and writes all or nothing, a second import changes
# nothing and says so, `customer show` lists them, key date rules are
# planned across leap years and lunar dates, rendered with the company
# founding templates, stored by a scan, and shown in the follow-up feed
# and the birthday calendar.  Also solar-term holidays and the warning
# for a list of holiday dates that runs out.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v faketime >/dev/null || t_skip_all "faketime not installed"
dir=$(t_tmpdir)
conf="$dir/o.conf"
ctl() { "$CTL" -c "$conf" "$@"; }
at() { faketime "$1" "${@:2}"; }

cat >"$conf" <<CONF
store = "$(t_store "$dir/o.db")";
company = "Acme Trading";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; };
http: { base_url = "https://crm.acme.example/"; };
CONF
# The shipped rules plus a gift task before a store's opening day, and a
# call for a child's graduation.
sed -n '/^rules = (/,/^);/p' "$top/etc/outreachd.conf" |
	sed -e 's/^);$/  ,{ name = "opening_gift"; event = "keydate"; label = "store_opening";\n    lead_days = 3; tiers = ["A"]; action = "task"; task = "gift"; },\n  { name = "graduation"; event = "keydate"; label = "graduation";\n    action = "task"; task = "call"; }\n);/' >>"$conf"
t_ok "the configuration with key date rules loads" ctl check-config
t_like "$T_OUT" "18 rules" "the shipped 16 rules and two more"

ctl init >/dev/null
ctl rep add li --name '李娜' --phone '+86 139 1000 2000' --locale zh_CN >/dev/null
cat >"$dir/c.csv" <<'CSV'
external_id,name,salutation,email,phone,tier,rep,locale
K1,华丰贸易,王总,wang@example.test,13800138000,A,li,zh_CN
K2,Globex Ltd,Ms Smith,smith@example.test,,B,li,en
K3,刘洋,,liu@example.test,,C,li,zh_CN
K4,Initech,,ops@initech.example,,C,,en
CSV
t_ok "import customers" ctl import customers "$dir/c.csv"

# Every bad row is reported, nothing is written.
cat >"$dir/bad.csv" <<'CSV'
external_id,label,date,yearly
K1,company_founding,2008-06-18,
K9,store_opening,2019-05-01,
K1,store_opening,2023-02-29,
K3,graduation,--06-20,no
K2,company_founding,2016-02-29,maybe
,company_founding,2016-02-29,
K1,company_founding,2009-06-18,
K2,,2016-02-29,
CSV
out=$(ctl import dates "$dir/bad.csv" 2>&1); rc=$?
t_is "$rc" 65 "a bad file: EX_DATAERR"
t_like "$out" 'bad.csv:3:1: external_id: unknown customer "K9"' "unknown customer: row 3, column 1"
t_like "$out" 'bad.csv:4:3: date: "2023-02-29": no such day' "no such day: row 4, column 3"
t_like "$out" 'bad.csv:5:3: date: a key date that happens once \(yearly no\) needs a year' \
	"once without a year: row 5"
t_like "$out" 'bad.csv:6:4: yearly: "maybe": yearly must be yes or no' "bad yearly: row 6, column 4"
t_like "$out" 'bad.csv:7:1: external_id: external_id is required' "no customer: row 7"
t_like "$out" 'bad.csv:8:2: label: key date "company_founding" of "K1" is on row 2 already' \
	"the same customer and label twice: row 8"
t_like "$out" 'bad.csv:9:2: label: label is required' "no label: row 9"
t_like "$out" '7 of 8 rows invalid; nothing was imported' "the summary"
t_is "$(ctl customer show K1 --json | js 'len(d["keydates"])')" 0 "nothing was written"
out=$(printf 'external_id,label,when\nK1,x,2020-01-01\n' | ctl import dates - 2>&1)
t_like "$out" '<stdin>:1:3: when: unknown column' "an unknown column"
t_like "$out" 'missing required column date' "a missing column"

# A spreadsheet's file: trailing empty columns and a row of empty cells.
printf '%s\r\n' 'external_id,label,date,yearly,,' \
	'K1,company_founding,2008-06-18,,,' \
	'K1,store_opening,L:2019-08-15,yes,,' \
	',,,,,' \
	'K2,company_founding,2016-02-29,,,' \
	'K3,graduation,2027-06-20,no,,' \
	'K3,孩子升学纪念,L:2027-05-15,否,,' \
	'K4,company_founding,--09-01,,,' >"$dir/dates.csv"
t_ok "import dates --dry-run" ctl import dates "$dir/dates.csv" --dry-run
t_like "$T_OUT" "validated 6 dates from .*dates.csv: 6 added, 0 updated, 0 unchanged, 0 removed" \
	"a dry run counts what would change"
t_is "$(ctl customer show K1 --json | js 'len(d["keydates"])')" 0 "and writes nothing"
t_ok "import dates" ctl import dates "$dir/dates.csv"
t_like "$T_OUT" "imported 6 dates from .*dates.csv: 6 added, 0 updated, 0 unchanged, 0 removed$" \
	"six key dates added, the empty row skipped"
t_ok "the same file again" ctl import dates "$dir/dates.csv"
t_like "$T_OUT" "0 added, 0 updated, 6 unchanged, 0 removed \\(nothing changed\\)" \
	"importing it again changes nothing and says so"
printf 'external_id,label,date\nK4,company_founding,1999-09-01\nK3,孩子升学纪念,\n' >"$dir/change.csv"
t_ok "a changed date and an empty one" ctl import dates "$dir/change.csv"
t_like "$T_OUT" "0 added, 1 updated, 0 unchanged, 1 removed" "the same label replaces, an empty date removes"

# customer show, text and JSON.
out=$(ctl customer show K1)
t_like "$out" $'\nkeydate        company_founding 2008-06-18 yearly \\(公司成立日\\)\n' \
	"customer show lists a key date with its title"
t_like "$out" $'\nkeydate        store_opening L:2019-08-15 yearly \\(新店开业\\)' "and a lunar one"
t_is "$(ctl customer show K3 --json | js '[(k["label"], k["title"], k["date"], k["yearly"]) for k in d["keydates"]]')" \
	"[('graduation', '孩子升学', '2027-06-20', False)]" "customer show --json lists them"

# The plan: a founding on 29 February (planner.feb29 = feb28) in a common
# and a leap year, a lunar store opening (中秋 2026 is 25 September), a
# graduation once.
out=$(ctl plan --date 2027-02-26 --days 5 --json)
t_is "$(echo "$out" | js '[(i["date"], i["customer"], i["keydate"], i["reason"]) for i in d if i["event"] == "keydate"]')" \
	"[('2027-02-28', 'K2', 'company_founding', '公司成立日 today (11 years)')]" \
	"a 29 February founding on 28 February in 2027"
t_like "$(ctl plan --date 2028-02-29)" "2028-02-29  company_founding K2 .* \\(公司成立日 today \\(12 years\\)\\)" \
	"and on 29 February in 2028"
out=$(ctl plan --date 2026-09-22)
t_like "$out" "2026-09-22  opening_gift     K1 +A  task +gift +华丰贸易 \\(新店开业 in 3 days, on 2026-09-25 \\(7 years\\)\\)" \
	"a lunar store opening: the gift task 3 days before 中秋"
t_like "$(ctl plan --date 2027-06-20)" "2027-06-20  graduation .* K3 .*\\(孩子升学 today\\)" "a graduation on its day"
t_unlike "$(ctl plan --date 2028-06-20)" "graduation" "and never again"
t_like "$(ctl plan --date 2026-09-01)" "company_founding K4 .*\\(公司成立日 today \\(27 years\\)\\)" \
	"the re-imported date counts from its new year"

# Each day's lookup reads the index of what is due, never every customer
# (SQLite's query plans: bench/explain.py reads them).
if t_pg; then
	t_skip 3 "sqlite only"
elif command -v sqlite3 >/dev/null; then
	plans=$("$T_PY" "$top/bench/explain.py" "$top/src/store_plan.c" "$dir/o.db")
	for q in KQ_MD:keydates_md KQ_LUNAR:keydates_lunar KQ_DAY:keydates_day; do
		t_like "$(sed -n "/^== ${q%%:*}\$/,/^== /p" <<<"$plans")" \
			"SEARCH k USING INDEX ${q#*:} \\(label=\\? AND" "${q%%:*} searches ${q#*:}"
	done
else
	t_skip 3 "no sqlite3 command"
fi

# What would be sent: the company's wording, not a personal one.
out=$(ctl render company_founding K1 --date 2026-06-18 --channel sms)
t_like "$out" "王总，欣闻华丰贸易成立18周年，谨致热烈祝贺！" "Chinese SMS: 18 years of the company"
out=$(ctl render company_founding K2 --date 2027-02-28 --channel email)
t_like "$out" "Subject: Congratulations on 11 years of Globex Ltd!" "English subject"
t_like "$out" "Today Globex Ltd turns 11: congratulations on 11 years of Globex Ltd!" "English body"
t_unlike "$out" "known each other" "no personal wording"
out=$(ctl render company_founding K1 --date 2026-06-18 --channel email)
t_like "$out" "Subject: 热烈祝贺华丰贸易成立18周年" "Chinese subject"
t_like "$out" "欣闻华丰贸易成立18周年，谨代表Acme Trading致以热烈的祝贺！18年来" "Chinese body"

# A scan stores them; the follow-up feed and the birthday calendar show
# them.
at '2026-09-22 10:00:00' "$CTL" -c "$conf" scan >/dev/null 2>&1
t_like "$(at '2026-09-22 10:00:00' "$CTL" -c "$conf" task list --rep li)" \
	"gift.*华丰贸易.*新店开业 in 3 days, on 2026-09-25 \\(7 years\\)" "the gift task is stored"
at '2026-09-22 10:00:00' "$CTL" -c "$conf" feed li >"$dir/f.ics"
t_like "$(tr -d '\r' <"$dir/f.ics" | sed -e ':a' -e '$!N;s/\n //;ta' -e 'P;D')" \
	"新店开业还有3天（2026-09-25），7周年" "the follow-up feed says it in the rep's language"
at '2026-09-22 10:00:00' "$CTL" -c "$conf" feed li --birthdays >"$dir/b.ics"
b=$(tr -d '\r' <"$dir/b.ics" | sed -e ':a' -e '$!N;s/\n //;ta' -e 'P;D')
t_like "$b" "SUMMARY:公司成立日：华丰贸易（A类）" "the birthday calendar has the founding day"
t_like "$b" "SUMMARY:新店开业：华丰贸易（A类，农历八月十五）" "and the lunar store opening"
t_like "$b" "CATEGORIES:keydate" "as key dates"
t_like "$b" "UID:kd-[0-9]+-20270620@crm.acme.example" "a graduation is one dated event"
t_is "$(grep -c '^BEGIN:VEVENT' "$dir/b.ics")" 6 \
	"a founding series, lunar openings over three years, one graduation"
if "$T_PY" -c 'import icalendar' 2>/dev/null; then
	t_ok "the birthday calendar parses" "$T_PY" "$top/tests/feed_check.py" "$dir/b.ics"
else
	t_skip 1 "python3-icalendar not installed"
fi

# Solar-term holidays, and the warning for listed dates running out.
soon=$(date -u -d '+100 days' +%F)
cat >"$dir/h.conf" <<CONF
store = "$(t_store "$dir/o.db")";
timezone = "Asia/Shanghai";
templates = "$top/templates";
holidays = (
  { name = "qingming"; solar_term = "qingming"; },
  { name = "fair"; dates = [ "2020-05-01", "$soon" ]; }
);
rules = (
  { name = "qingming_call"; event = "holiday"; holiday = "qingming";
    action = "task"; task = "call"; tiers = ["A"]; }
);
CONF
out=$("$CTL" -c "$dir/h.conf" check-config 2>&1); rc=$?
t_is "$rc" 0 "a solar-term holiday and a short list load"
t_like "$out" "h.conf:6: warning: holiday fair: its last date is $soon, less than a year ahead" \
	"check-config warns that the list of dates runs out"
t_like "$("$CTL" -c "$dir/h.conf" plan --date 2026-04-05)" \
	"2026-04-05  qingming_call +K1 .*\\(清明 today\\)" "清明 2026 is 5 April, titled in Chinese"
t_unlike "$("$CTL" -c "$dir/h.conf" plan --date 2026-04-04)" "qingming" "not 4 April"
t_like "$("$CTL" -c "$dir/h.conf" plan --date 2028-04-04)" "qingming_call" "清明 2028 is 4 April"
sed -i 's/solar_term = "qingming"/solar_term = "ching-ming"/' "$dir/h.conf"
out=$("$CTL" -c "$dir/h.conf" check-config 2>&1); rc=$?
t_is "$rc" 78 "an unknown solar term: EX_CONFIG"
t_like "$out" "h.conf:5: holiday qingming: solar_term must be one of the 24 terms in pinyin" \
	"the error names the line"
t_done
