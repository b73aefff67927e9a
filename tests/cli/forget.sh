#!/bin/bash
# outreachctl customer forget erases for real: while another process reads
# the store (a read transaction kept open, as a report or a backup would)
# it exits 75 naming that process, since the write-ahead log and the store
# file still hold copies; run again once the reader is gone it finishes,
# and neither file holds a byte of the customer's e-mail, phone or notes.
# The maildir transport's copies of the customer's messages go too.
# On PostgreSQL (no file of ours, no write-ahead log of ours, a reader
# blocks nothing) forget erases at once and the rows are gone from the
# store; the reader's part is SQLite's only.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
today=$(TZ=Asia/Shanghai date +%m-%d)
db=$(t_store "$dir/o.db")
state="$dir/state"
mkdir -p "$state"
cat >"$dir/o.conf" <<CONF
store = "$db";
company = "Acme Trading";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
daemon: { state_dir = "$state"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
http: { base_url = "https://crm.acme.example"; };
email: { transport = "maildir"; from = "greetings@acme.example"; helo = "acme.example"; };
sms: { transport = "maildir"; };
CONF
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
rc() { "$@" >/dev/null 2>&1; echo $?; }
# How often the bytes occur in the store file and its write-ahead log
# (on PostgreSQL: in the store's rows, as pg_dump writes them).
copies() {
	if t_pg; then t_store_dump "$db"; else cat "$db" "$db-wal" 2>/dev/null; fi |
		grep -ac -e "$1" -e "$2" -e "$3"
}
mail=forget.me@example.test
phone=+8613800138001
sms=+8613900139002
note=private-note-xyzzy

# A reader that keeps its connection open from the start (as the daemon
# does, so the log is never removed) and, once told, a read transaction.
cat >"$dir/reader.py" <<'PY'
import os, sqlite3, sys, time
d = sys.argv[1]
db = sqlite3.connect(d + "/o.db", isolation_level=None)
db.execute("SELECT count(*) FROM sqlite_schema").fetchone()
for _ in range(600):
    if os.path.exists(d + "/go"):
        break
    time.sleep(0.05)
db.execute("BEGIN")
db.execute("SELECT count(*) FROM customers").fetchone()
open(d + "/reading", "w").close()
for _ in range(1200):
    if os.path.exists(d + "/stop"):
        break
    time.sleep(0.05)
db.execute("COMMIT")
db.close()
PY

ctl init >/dev/null
printf 'external_id,name,email,phone,birthday,notes\n' >"$dir/c.csv"
printf 'F1,Forget Me,%s,%s,1980-%s,%s\n' "$mail" "$phone" "$today" "$note" >>"$dir/c.csv"
printf 'S1,Text Only,,%s,1981-%s,\n' "$sms" "$today" >>"$dir/c.csv"
printf 'K1,Keep Me,keep.me@example.test,,1982-%s,\n' "$today" >>"$dir/c.csv"
if t_sqlite; then
	t_bg "$dir/reader.pid" "$T_PY" "$dir/reader.py" "$dir"
	reader=$T_BG_PID
fi
t_ok "import" ctl import customers "$dir/c.csv"
t_ok "scan" ctl scan
t_like "$(ctl send 2>&1)" "3 sent" "send: three birthday messages to the maildirs"
t_is "$(ls "$state/maildir/email/new" | wc -l) $(ls "$state/maildir/sms/new" | wc -l)" "2 1" \
	"two e-mails and one SMS in the maildirs"
t_like "$(copies "$mail" "$phone" "$note")" "^[1-9]" "the store and its log hold F1's e-mail, phone and notes"

if t_pg; then
	out=$(ctl customer forget F1 S1 2>&1); code=$?
	t_is "$code" 0 "forget: exit 0"
	t_is "$out" "erased customer F1 and its history, and 1 message from the maildirs
erased customer S1 and its history, and 1 message from the maildirs" "it says they are erased"
	t_is "$(rc ctl customer show F1)" 65 "F1's rows are deleted"
	t_is "$(grep -l "^X-Outreachd-Key: " "$state"/maildir/*/new/* | wc -l)" 1 \
		"the maildir copies of F1's and S1's messages are gone at once"
	t_like "$(cat "$state"/maildir/email/new/*)" "keep.me@example.test" "K1's message stays"
	t_is "$(copies "$mail" "$phone" "$note")" 0 "no row of the store holds F1's e-mail, phone or notes"
	t_is "$(copies "$sms" "$sms" "$sms")" 0 "nor S1's phone"
	t_like "$(copies keep.me@example.test keep.me@example.test keep.me@example.test)" "^[1-9]" \
		"while K1's e-mail is there"
	t_like "$(ctl customer show K1)" "keep.me@example.test" "K1 is kept"
	t_is "$(rc ctl customer forget F1)" 65 "forgetting again: no such customer"
	t_skip 10 "sqlite only"
else
touch "$dir/go"
t_ok "the reader holds a read transaction" t_wait_until 10 test -e "$dir/reading"
out=$(ctl customer forget F1 S1 --wait 1 2>&1); code=$?
t_is "$code" 75 "forget while another process reads: EX_TEMPFAIL"
t_like "$out" "deleted F1 S1 from the store's tables, but .*/o.db and its write-ahead log still hold copies" \
	"it says the rows are deleted but the files hold copies"
t_like "$out" "another process is reading the store: python3 \\(pid $reader\\)" "it names the reader"
t_like "$out" "run \"outreachctl customer forget F1 S1\" again when it has stopped" "it says what to do"
t_unlike "$out" "erased" "it does not say erased"
t_is "$(rc ctl customer show F1)" 65 "F1's rows are deleted"
t_like "$(copies "$mail" "$phone" "$note")" "^[1-9]" "copies remain while the reader reads"
t_is "$(grep -l "^X-Outreachd-Key: " "$state"/maildir/*/new/* | wc -l)" 1 \
	"the maildir copies of F1's and S1's messages are gone at once"
t_like "$(cat "$state"/maildir/email/new/*)" "keep.me@example.test" "K1's message stays"
out=$(ctl customer forget F1 --wait 0 2>&1); code=$?
t_is "$code" 75 "again, the reader still reading: EX_TEMPFAIL"
t_like "$out" "^outreachctl: .*/o.db and its write-ahead log .* run \"outreachctl customer forget F1\" again" \
	"the message for a customer deleted earlier"

touch "$dir/stop"
gone() { ! t_alive "$reader"; }
t_ok "the reader ends its transaction and exits" t_wait_until 10 gone
out=$(ctl customer forget F1 2>&1); code=$?
t_is "$code" 0 "forget again once the reader is gone: exit 0"
t_is "$out" "customer F1 is not in the store; what an earlier forget left is erased now" \
	"it says the earlier erase is finished"
t_is "$(copies "$mail" "$phone" "$note")" 0 "no copy of F1's e-mail, phone or notes in the store or its log"
t_is "$(copies "$sms" "$sms" "$sms")" 0 "nor of S1's phone"
t_like "$(copies keep.me@example.test keep.me@example.test keep.me@example.test)" "^[1-9]" \
	"while K1's e-mail is there"
t_like "$(ctl customer show K1)" "keep.me@example.test" "K1 is kept"
t_is "$(rc ctl customer forget F1)" 65 "once finished, forgetting again: no such customer"
fi

# Without a reader: erased at once, maildir copies counted.
printf 'external_id,name,email,birthday\nF2,Second,second.one@example.test,1983-%s\n' "$today" >"$dir/c2.csv"
ctl import customers "$dir/c2.csv" >/dev/null
ctl scan >/dev/null && ctl send >/dev/null 2>&1
t_is "$(grep -l "second.one@example.test" "$state"/maildir/email/new/* | wc -l)" 1 "F2's e-mail sent"
t_is "$(ctl customer forget F2)" "erased customer F2 and its history, and 1 message from the maildirs" \
	"forget without a reader"
t_is "$(copies second.one@example.test second.one@example.test second.one@example.test)" 0 \
	"no copy of F2's e-mail"
t_is "$(grep -l "second.one@example.test" "$state"/maildir/email/new/* | wc -l)" 0 "nor in the maildir"

# A message that cannot be read: nothing erased, and it says why.
mkdir "$state/maildir/email/new/1.M1P1.bogus"
out=$(ctl customer forget K1 2>&1); code=$?
t_is "$code" 74 "a maildir entry that cannot be read: EX_IOERR"
t_like "$out" "customer K1: .*/maildir/email/new/1.M1P1.bogus: Is a directory; nothing erased" \
	"it names the entry"
t_like "$(ctl customer show K1)" "keep.me@example.test" "and K1 is still there"
rmdir "$state/maildir/email/new/1.M1P1.bogus"
t_is "$(rc ctl customer forget)" 64 "forget without an id: EX_USAGE"
t_is "$(rc ctl customer forget K1 --wait x)" 64 "a bad --wait: EX_USAGE"
t_done
