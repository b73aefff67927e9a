#!/bin/bash
# History is imported once: customers, purchases (by order_id, or day and
# amount) and contacts imported again change nothing and say so; a changed
# order is updated; history after tomorrow is refused; and whatever order
# overlapping files come in, everything derived from the history (first
# and last purchase, last contact, tiers, personal sleeping thresholds) is
# what importing their union once gives.
. "${top_srcdir:-.}/tests/lib.sh" 2>/dev/null || . "$(dirname "$0")/../lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
dir=$(t_tmpdir)
mkconf() { printf 'store = "%s";\ncountry_code = "86";\n' "$(t_store "$2")" >"$1"; }
mkconf "$dir/o.conf" "$dir/o.db"
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
sq() { t_sql "$dir/o.db" "$1"; }
count() { ctl stats --json | js "d[\"$1\"]"; }

ctl init >/dev/null
t_ok "rep add li" ctl rep add li --name "李娜"

# Customers: the second import writes nothing, not even updated_at (the
# stale clock); a changed value updates that record only.
printf 'external_id,name,phone,hobby\nK1,张伟,13800138000,茶\nK2,王芳,,golf\nK3,Ann,,\n' >"$dir/c.csv"
t_like "$(ctl import customers "$dir/c.csv" 2>&1)" "imported 3 customers .*: 3 new, 0 updated, 0 already there" \
	"first import: 3 new"
before=$(sq "SELECT $(t_sql_agg "external_id || '=' || updated_at" external_id) FROM
	(SELECT external_id, updated_at FROM customers ORDER BY external_id) q")
sleep 1.1
t_like "$(ctl import customers "$dir/c.csv" 2>&1)" "imported 3 customers .*: nothing changed, the store had every row already" \
	"the same file again: nothing changed, and it says so"
t_is "$(sq "SELECT $(t_sql_agg "external_id || '=' || updated_at" external_id) FROM
	(SELECT external_id, updated_at FROM customers ORDER BY external_id) q")" "$before" \
	"no record's update time moved"
printf 'external_id,name,phone,hobby\nK1,张伟,13800138000,茶\nK2,王芳,,chess\nK3,Ann B,,\n' >"$dir/c2.csv"
t_like "$(ctl import customers "$dir/c2.csv" 2>&1)" ": 0 new, 2 updated, 1 already there" \
	"a changed attribute and a changed name: 2 updated"
t_is "$(sq "SELECT count(*) FROM customers WHERE updated_at > (SELECT min(updated_at) FROM customers)")" 2 \
	"only those two records' update time moved"
t_like "$(ctl import customers --dry-run "$dir/c.csv" 2>&1)" "validated 3 customers .*: 0 new, 2 updated, 1 already there \\(nothing written\\)" \
	"a dry run counts what it would do"
t_is "$(ctl customer show K3 --json | js 'd["name"]')" "Ann B" "and writes nothing"

# Purchases with order ids: again, nothing; a changed amount or date
# updates the order, and the last purchase follows the date both ways.
printf 'external_id,order_id,amount,date\nK1,O-1,100,2026-01-10\nK1,O-2,250.50,2026-03-01\nK2,O-3,80,2026-02-01\n' >"$dir/p.csv"
t_like "$(ctl import purchases "$dir/p.csv" 2>&1)" ": 3 new, 0 updated, 0 already there" "purchases: 3 new"
t_like "$(ctl import purchases "$dir/p.csv" 2>&1)" ": nothing changed" "the same purchases again: nothing changed"
t_is "$(count purchases)" 3 "3 purchases, not 6"
printf 'external_id,order_id,amount,date\nK1,O-2,260,2026-01-05\n' >"$dir/p2.csv"
t_like "$(ctl import purchases "$dir/p2.csv" 2>&1)" ": 0 new, 1 updated, 0 already there" "a corrected order is updated"
t_is "$(ctl customer show K1 --json | js 'd["first_purchase"], d["last_purchase"]')" "2026-01-05 2026-01-10" \
	"first and last purchase follow the corrected date"
t_is "$(count purchases)" 3 "still 3 purchases"

# Without order ids a row of the same customer, day and amount is the same
# purchase; a later file with the order id adopts it instead of adding.
printf 'external_id,amount,date\nK3,10,2026-04-01\nK3,10,2026-04-01\nK3,12,2026-04-01\n' >"$dir/q.csv"
t_like "$(ctl import purchases "$dir/q.csv" 2>&1)" ": 2 new, 0 updated, 1 already there" \
	"the same purchase twice in one file is one"
t_like "$(ctl import purchases "$dir/q.csv" 2>&1)" ": nothing changed" "and again: nothing"
printf 'external_id,order_id,amount,date\nK3,Z9,10,2026-04-01\n' >"$dir/q2.csv"
t_like "$(ctl import purchases "$dir/q2.csv" 2>&1)" ": 0 new, 1 updated" "an order id given later is taken by the same purchase"
t_is "$(count purchases)" 5 "5 purchases in all"

# Contacts: identical in customer, day, kind, rep and note is the same.
printf 'external_id,date,kind,rep,note\nK1,2026-04-01,visit,li,brought tea\nK1,2026-04-01,visit,li,\nK2,2026-05-01,call,,\n' >"$dir/k.csv"
t_like "$(ctl import contacts "$dir/k.csv" 2>&1)" ": 3 new" "contacts: 3 new"
t_like "$(ctl import contacts "$dir/k.csv" 2>&1)" ": nothing changed" "the same contacts again: nothing changed"
t_is "$(count contacts)" 3 "3 contacts, not 6"

# History after tomorrow is refused; tomorrow itself is fine (a customer
# ahead of the configured time zone).
tomorrow=$(TZ=UTC date -d tomorrow +%F); later=$(TZ=UTC date -d '2 days' +%F)
printf 'external_id,amount,date\nK2,5,%s\nK2,5,%s\n' "$tomorrow" "$later" >"$dir/f.csv"
out=$(ctl import purchases "$dir/f.csv" 2>&1)
t_like "$out" "f.csv:3:3: date: \"$later\": after tomorrow \\($tomorrow\\): history cannot be in the future" \
	"a purchase after tomorrow is refused"
t_is "$(printf '%s\n' "$out" | grep -c 'after tomorrow')" 1 "tomorrow itself is not"
printf 'external_id,date,kind\nK2,2031-01-01,call\n' >"$dir/f2.csv"
t_like "$(ctl import contacts "$dir/f2.csv" 2>&1)" 'f2.csv:2:2: date: "2031-01-01": after tomorrow' \
	"a contact in 2031 is refused"
t_is "$(count purchases) $(count contacts)" "5 3" "nothing of them was written"

# Overlapping files in any order, again and again, against their union
# once: a generated history of 300 customers, half the purchases with
# order ids.
python3 "$(dirname "$0")/../fixtures/gen_customers.py" 300 7 >"$dir/gc.csv"
python3 - "$dir" <<'PY'
import datetime, random, sys
d = sys.argv[1]
rnd = random.Random(7)
ids = [l.split(",")[0] for l in open(d + "/gc.csv", encoding="utf-8", newline="").read().split("\r\n")[1:] if l and l[0] == "C"]
start = datetime.date(2025, 6, 1)
pur, con = [], []
for i, e in enumerate(ids):
    n = rnd.choice([0, 1, 2, 4, 6, 9])
    day = start + datetime.timedelta(rnd.randrange(60))
    for k in range(n):
        day += datetime.timedelta(rnd.choice([0, 14, 30, 45]))
        amt = "%d.%02d" % (rnd.randrange(10, 3000), rnd.randrange(100))
        oid = "SO%05d-%d" % (i, k) if i % 2 else ""
        pur.append("%s,%s,%s,%s" % (e, oid, amt, day))
    for k in range(rnd.choice([0, 1, 3])):
        cday = start + datetime.timedelta(rnd.randrange(420))
        con.append("%s,%s,%s,,%s" % (e, cday, rnd.choice(["call", "visit"]), rnd.choice(["", "tea", "回访"])))
def write(name, head, rows):
    open(d + "/" + name, "w", encoding="utf-8").write(head + "\n" + "".join(r + "\n" for r in rows))
ph, ch = "external_id,order_id,amount,date", "external_id,date,kind,rep,note"
write("pu.csv", ph, pur); write("cu.csv", ch, con)
a, b = len(pur) * 6 // 10, len(pur) * 4 // 10
write("pa.csv", ph, pur[:a]); write("pb.csv", ph, pur[b:])
a, b = len(con) * 6 // 10, len(con) * 4 // 10
write("ca.csv", ch, con[:a]); write("cb.csv", ch, con[b:])
PY
mkconf "$dir/u.conf" "$dir/u.db"
mkconf "$dir/s.conf" "$dir/s.db"
for c in u s; do
	"$CTL" -c "$dir/$c.conf" init >/dev/null
	"$CTL" -c "$dir/$c.conf" rep add li --name li >/dev/null
	"$CTL" -c "$dir/$c.conf" rep add wang --name wang >/dev/null
	"$CTL" -c "$dir/$c.conf" rep add smith --name smith >/dev/null
	"$CTL" -c "$dir/$c.conf" import customers "$dir/gc.csv" >/dev/null
done
u() { "$CTL" -c "$dir/u.conf" "$@" >/dev/null; }
s() { "$CTL" -c "$dir/s.conf" "$@" >/dev/null; }
t_ok "the union once" eval 'u import purchases "$dir/pu.csv" && u import contacts "$dir/cu.csv" &&
	u tiers recompute --date 2026-08-01'
t_ok "overlapping pieces in another order, several times" eval 's import purchases "$dir/pb.csv" &&
	s import contacts "$dir/cb.csv" && s tiers recompute --date 2026-08-01 &&
	s import purchases "$dir/pa.csv" && s import purchases "$dir/pb.csv" &&
	s import customers "$dir/gc.csv" && s import contacts "$dir/ca.csv" &&
	s tiers recompute --date 2026-08-01 && s import purchases "$dir/pu.csv" &&
	s import purchases "$dir/pa.csv" && s import contacts "$dir/cu.csv" &&
	s tiers recompute --date 2026-08-01'
derived="SELECT external_id, first_purchase, last_purchase, last_contact, tier_computed,
	sleep_days FROM customers ORDER BY external_id"
history="SELECT count(*), sum(amount), count(order_id) FROM purchases; SELECT count(*) FROM contacts"
t_is "$(t_sql "$dir/u.db" "SELECT CASE WHEN count(*) > 500 THEN 1 ELSE 0 END FROM purchases")" 1 "the generated history is there"
t_is "$(t_sql "$dir/s.db" "$history")" "$(t_sql "$dir/u.db" "$history")" \
	"the same purchases and contacts as the union"
t_is "$(t_sql "$dir/s.db" "$derived" | md5sum)" "$(t_sql "$dir/u.db" "$derived" | md5sum)" \
	"the same first/last purchase, last contact, tier and sleeping threshold for everyone"
t_is "$(t_sql "$dir/s.db" "SELECT CASE WHEN count(*) > 20 THEN 1 ELSE 0 END FROM customers WHERE sleep_days > 0")" 1 \
	"personal sleeping thresholds are there after the re-imports"
t_is "$(t_sql "$dir/s.db" "SELECT count(DISTINCT tier_computed) FROM customers")" 3 "all three tiers"
t_done
