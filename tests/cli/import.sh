#!/bin/bash
# CSV import: RFC 4180 details, atomic failure with every bad row listed,
# dry runs, upserts, history files and a 10k-row file, checked via --json.
. "${top_srcdir:-.}/tests/lib.sh" 2>/dev/null || . "$(dirname "$0")/../lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
dir=$(t_tmpdir)
db=$(t_store "$dir/o.db")
printf 'store = "%s";\ncountry_code = "86";\n' "$db" >"$dir/o.conf"
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }

ctl init >/dev/null
t_ok "rep add li" ctl rep add li --name "李娜" --email li@example.test
t_ok "rep add wang" ctl rep add wang --name "王强"
t_ok "rep add smith" ctl rep add smith --name "Anna Smith"

# A real-looking file: BOM, CRLF, quoted commas, quotes and newlines,
# Chinese names, custom attributes (hobby, child_school).
printf '\357\273\277external_id,name,salutation,email,phone,birthday,tier,rep,locale,timezone,channel,opt_out,notes,hobby,child_school\r\n' >"$dir/c.csv"
printf 'K001,张伟,张总,zhang@example.test,138 0013 8000,1976-02-29,A,li,zh-CN,Asia/Shanghai,sms,,"likes tea, not coffee",茶,\r\n' >>"$dir/c.csv"
printf 'K002,"Smith, John","Mr. ""Jack"" Smith",JOHN@Example.TEST,+1 415 555 0100,--07-04,b,smith,en,America/New_York,email,sms,"line one\nline two",golf,MIT\r\n' >>"$dir/c.csv"
printf 'K003,王芳,,,,,,,,,,,,,' >>"$dir/c.csv"
out=$(ctl import customers "$dir/c.csv" 2>&1)
t_is "$?" 0 "import of a valid file succeeds"
t_like "$out" "imported 3 customers" "import reports the row count"
j=$(ctl customer show K001 --json)
t_is "$(echo "$j" | js 'd["name"], d["phone"], d["birthday"], d["tier"], d["locale"], d["rep"]')" \
	"张伟 +8613800138000 1976-02-29 A zh_CN li" "Chinese row stored and normalised"
t_is "$(echo "$j" | js 'd["attrs"]["hobby"], "child_school" in d["attrs"]')" "茶 False" \
	"custom attributes kept; empty ones not stored"
t_is "$(echo "$j" | js 'd["notes"]')" "likes tea, not coffee" "quoted comma kept"
j=$(ctl customer show K002 --json)
t_is "$(echo "$j" | js 'd["name"]+"|"+d["salutation"]+"|"+d["email"]+"|"+d["notes"]+"|"+d["opt_out"]+"|"+d["tier"]')" \
	'Smith, John|Mr. "Jack" Smith|JOHN@example.test|line one
line two|sms|B' "quotes, newlines, e-mail domain case, opt-out, tier"
t_is "$(ctl customer show K003 --json | js 'd["birthday"], d["tier"], d["rep"]')" "None C None" \
	"minimal row: only external_id and name"

# Every bad row is listed with row:column, and nothing is written.
cat >"$dir/bad.csv" <<'CSV'
external_id,name,birthday,phone,rep,tier
K100,Good Row,1980-01-01,13800138000,li,A
K101,,1980-01-01,,,
K102,Bad Date,2023-02-29,,,
K103,Bad Phone,,12ab,,
K104,Unknown Rep,,,nobody,
K100,Duplicate,,,,
K105,Bad Tier,,,,Z
CSV
before=$(ctl stats --json | js 'd["customers"]')
out=$(ctl import customers "$dir/bad.csv" 2>&1); rc=$?
t_is "$rc" 65 "invalid file exits EX_DATAERR"
t_like "$out" "bad.csv:3:2: name: name is required" "missing name: row 3, column 2"
t_like "$out" "bad.csv:4:3: birthday: .*2023-02-29" "bad date: row 4, column 3"
t_like "$out" "bad.csv:5:4: phone: .*12ab" "bad phone: row 5, column 4"
t_like "$out" 'bad.csv:6:5: rep: unknown rep "nobody"' "unknown rep: row 6, column 5"
t_like "$out" 'bad.csv:7:1: external_id: duplicate key "K100" in this file' "duplicate key: row 7"
t_like "$out" 'bad.csv:8:6: tier: "Z": tier must be A, B or C' "bad tier: row 8"
t_like "$out" "6 of 7 rows invalid; nothing was imported" "summary line"
t_is "$(ctl stats --json | js 'd["customers"]')" "$before" "nothing was written (K100 absent)"
t_is "$(ctl customer show K100 2>&1 >/dev/null; echo $?)" 'outreachctl: no customer "K100"
65' "the valid row of a bad file was not imported"

# Malformed CSV reports line and column.
printf 'external_id,name\nK200,"unterminated\n' >"$dir/mal.csv"
out=$(ctl import customers "$dir/mal.csv" 2>&1)
t_like "$out" "mal.csv: line 2, column 2: " "malformed CSV names line and column"
printf 'name,notes\nx,y\n' >"$dir/nohdr.csv"
out=$(ctl import customers "$dir/nohdr.csv" 2>&1)
t_like "$out" "nohdr.csv:1: missing required column\\(s\\): external_id" "missing required column"
printf 'external_id,name,bad-col\nK1,x,y\n' >"$dir/badattr.csv"
out=$(ctl import customers "$dir/badattr.csv" 2>&1)
t_like "$out" "badattr.csv:1:3: bad-col: a custom attribute name" "bad attribute column name"
printf 'external_id,name\nK300,\377\376\n' >"$dir/utf.csv"
out=$(ctl import customers "$dir/utf.csv" 2>&1)
t_like "$out" "utf.csv:2:2: name: neither UTF-8 nor GB18030: byte 0xff at offset 22; .*--encoding" "a byte in neither encoding: one error naming row, column and byte"

# --dry-run validates without writing; stdin works.
printf 'external_id,name\nK400,Dry Run\n' >"$dir/dry.csv"
out=$(ctl import customers --dry-run "$dir/dry.csv" 2>&1)
t_like "$out" "validated 1 customers" "dry run validates"
t_is "$(ctl customer show K400 >/dev/null 2>&1; echo $?)" 65 "dry run writes nothing"
out=$(printf 'external_id,name,hobby\nK400,From Stdin,chess\n' | ctl import customers - 2>&1)
t_like "$out" "imported 1 customers from <stdin>" "import from stdin"

# Upsert: present columns overwrite, absent ones and other attrs are kept.
printf 'external_id,name,hobby\nK001,张伟伟,\n' >"$dir/up.csv"
ctl import customers "$dir/up.csv" >/dev/null 2>&1
j=$(ctl customer show K001 --json)
t_is "$(echo "$j" | js 'd["name"], d["phone"], "hobby" in d["attrs"]')" "张伟伟 +8613800138000 False" \
	"upsert changes name, keeps phone, clears the emptied attribute"

# History files derive last purchase and last contact.
printf 'external_id,amount,date\nK001,1200.50,2026-03-01\nK001,99,2026-05-02\nK002,10,2025-12-31\n' >"$dir/p.csv"
t_like "$(ctl import purchases "$dir/p.csv" 2>&1)" "imported 3 purchases" "purchases import"
printf 'external_id,date,kind,rep,note\nK001,2026-04-01,visit,li,"brought tea"\nK001,2026-06-01,call,,\n' >"$dir/k.csv"
t_like "$(ctl import contacts "$dir/k.csv" 2>&1)" "imported 2 contacts" "contacts import"
j=$(ctl customer show K001 --json)
t_is "$(echo "$j" | js 'd["first_purchase"], d["last_purchase"], d["last_contact"]')" \
	"2026-03-01 2026-05-02 2026-06-01" "derived first/last purchase and last contact"
printf 'external_id,amount,date\nK001,1.234,2026-03-01\nNOPE,1,2026-13-01\n' >"$dir/pbad.csv"
out=$(ctl import purchases "$dir/pbad.csv" 2>&1)
t_like "$out" "pbad.csv:2:2: amount: " "bad amount row:col"
t_like "$out" 'pbad.csv:3:1: external_id: unknown customer "NOPE"' "unknown customer in history"
t_like "$out" "pbad.csv:3:3: date: " "bad purchase date"
printf 'external_id,date,kind\nK001,2026-01-01,party\n' >"$dir/kbad.csv"
t_like "$(ctl import contacts "$dir/kbad.csv" 2>&1)" 'kbad.csv:2:3: kind: "party": kind must be' "bad contact kind"
t_is "$(ctl stats --json | js 'd["purchases"], d["contacts"]')" "3 2" "bad history files wrote nothing"
printf 'external_id,date,kind,note\nK001,2026-01-02,message,birthday greeting from my phone\n' >"$dir/kmsg.csv"
t_ok "a contact of kind message (a rep-sent greeting) imports" ctl import contacts "$dir/kmsg.csv"
t_ok "and contact log takes it" ctl contact log K001 --kind message --date 2026-01-03
t_is "$(ctl stats --json | js 'd["contacts"]')" "4" "both kept"

# 10k real-looking rows.
python3 "$(dirname "$0")/../fixtures/gen_customers.py" 10000 >"$dir/10k.csv"
out=$(ctl import customers "$dir/10k.csv" 2>&1)
t_like "$out" "imported 10000 customers" "10k-row import"
t_diag "$out"
s=$(ctl stats --json)
t_is "$(echo "$s" | js 'd["customers"]')" 10004 "all 10k rows stored"
t_is "$(echo "$s" | js 'sum(d["by_rep"].values())')" 10004 "by_rep adds up"
t_is "$(ctl customer list --json --rep li | js 'all(c["rep"]=="li" for c in d) and len(d) > 3000')" True \
	"customer list --rep filters"
t_is "$(ctl customer list --json --limit 5 | js 'len(d)')" 5 "customer list --limit"
sed -n 2p "$dir/10k.csv" | cut -d, -f1,2 >"$dir/row2"
id=$(cut -d, -f1 "$dir/row2"); name=$(cut -d, -f2 "$dir/row2")
t_is "$(ctl customer show "$id" --json | js 'd["name"]')" "$name" "spot check of one generated row"
# The first import into an empty store builds the phone index after the
# rows (store_bulk.c; PostgreSQL all but the unique ones, below); the store
# is the same as with the index kept.
# (SQLite's schema, integrity check and INDEXED BY: SQLite's only.)
db2=$(t_store "$dir/first.db")
printf 'store = "%s";\ncountry_code = "86";\n' "$db2" >"$dir/first.conf"
ctl2() { "$CTL" -c "$dir/first.conf" "$@"; }
ctl2 init >/dev/null
for r in li wang smith; do ctl2 rep add $r --name "$r" >/dev/null; done
out=$(ctl2 import customers "$dir/bad.csv" 2>&1)
t_like "$out" "nothing was imported" "a bad first import"
if t_pg; then
	# PostgreSQL sets the foreign keys and customers' indexes aside
	# (store_load_fresh.c): all back, checked, under their names, as a
	# store that never imported has them.
	cat="SELECT string_agg(d, ' | ' ORDER BY d) FROM (SELECT conname || ' '
	    || pg_get_constraintdef(oid) || ' ' || convalidated AS d FROM
	    pg_constraint WHERE conrelid IN ('customers'::regclass,
	    'customer_attrs'::regclass) UNION ALL SELECT pg_get_indexdef(indexrelid)
	    FROM pg_index WHERE indrelid IN ('customers'::regclass,
	    'customer_attrs'::regclass)) t;"
	db3=$(t_store "$dir/pristine.db")
	printf 'store = "%s";\n' "$db3" >"$dir/pristine.conf"
	"$CTL" -c "$dir/pristine.conf" init >/dev/null
	want=$(t_sql "$db3" "$cat")
	t_is "$(t_sql "$db2" "$cat")" "$want" "leaves the constraints and indexes"
	t_ok "a first import" ctl2 import customers "$dir/10k.csv"
	t_is "$(t_sql "$db2" "$cat")" "$want" "adds them again, checked"
	t_is "$(t_sql "$db2" "SELECT count(*) FROM customers WHERE id BETWEEN 1
	    AND 10000;")" 10000 "ids follow the file from 1"
	p=$(sed -n 3p "$dir/10k.csv" | cut -d, -f1)
	t_is "$(t_sql "$db2" "SELECT external_id FROM customers WHERE phone =
	    (SELECT phone FROM customers WHERE external_id = '$p');" | head -1)" \
		"$p" "a customer found by phone"
elif command -v sqlite3 >/dev/null; then
	idx="SELECT sql FROM sqlite_schema WHERE name = 'customers_phone';"
	want=$(sqlite3 "$db" "$idx")
	t_is "$(sqlite3 "$db2" "$idx")" "$want" "leaves the phone index"
	t_ok "a first import" ctl2 import customers "$dir/10k.csv"
	t_is "$(sqlite3 "$db2" "$idx")" "$want" "builds the phone index again"
	t_is "$(sqlite3 "$db2" "PRAGMA integrity_check;")" ok "and it is whole"
	p=$(sed -n 3p "$dir/10k.csv" | cut -d, -f1)
	t_is "$(sqlite3 "$db2" "SELECT external_id FROM customers INDEXED BY customers_phone WHERE phone = (SELECT phone FROM customers WHERE external_id = '$p');" | head -1)" \
		"$p" "a customer found by phone through it"
else
	t_skip 5 "no sqlite3 CLI"
fi
t_done
