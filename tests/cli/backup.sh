#!/bin/bash
# outreachctl backup while the daemon sends, and the documented restore:
# a backup taken in the middle of a delivery pass is a whole, consistent
# store; the daemon started on it after the loss of the original sends
# every message, and sends again only what was in flight when the backup
# was taken (at most one copy more each, never a loss).  Also: no store,
# no backup (and no store created); an existing file is kept without
# --force; the store itself is never overwritten.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
# The backup is a copy of the SQLite file (a PostgreSQL store is backed up
# with pg_dump): SQLite's only.
t_sqlite_only_all
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || t_skip_all "python3-aiosmtpd not installed"
N=150
dir=$(t_tmpdir)

conf() { # NAME PORT
	cat >"$dir/$1.conf" <<CONF
store = "$dir/$1.db";
timezone = "Asia/Shanghai";
templates = "$top/templates";
daemon: { state_dir = "$dir/$1.state"; };
http: { listen = "127.0.0.1:0"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; batch = 10000;
  retry_base_seconds = 1; retry_max_seconds = 1; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$2"; tls = "none";
  from = "greetings@acme.example"; helo = "acme.example"; connections = 2;
  rate = { messages = 1000000; seconds = 60; }; };
CONF
	mkdir -p "$dir/$1.state"
}
arrived() { ls "$dir/mail/new" 2>/dev/null | grep -c '\.eml$'; }
arrived_over() { test "$(arrived)" -gt "$1"; }
# KEY=VALUE lines about a backup and the messages at the sink.
census() { # BACKUP
	"$T_PY" - "$1" "$dir/mail" <<'PY'
import collections, glob, sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print("integrity=%s" % db.execute("PRAGMA integrity_check").fetchone()[0])
state = dict(db.execute("SELECT dedup_key, state FROM outbox"))
copies = collections.Counter()
for f in glob.glob(sys.argv[2] + "/new/*.eml"):
    with open(f, encoding="utf-8", errors="replace") as fp:
        for line in fp:
            if line.startswith("X-Outreachd-Key:"):
                copies[line.split(":", 1)[1].strip()] += 1
                break
by = collections.Counter(state.values())
print("rows=%d sent=%d sending=%d" % (len(state), by["sent"], by["sending"]))
print("sent_not_arrived=%d" % sum(1 for k, s in state.items()
                                  if s == "sent" and copies[k] == 0))
print("missing=%d" % sum(1 for k in state if copies[k] == 0))
print("sent_twice=%d" % sum(1 for k, s in state.items()
                            if s == "sent" and copies[k] > 1))
print("twice=%d" % sum(1 for k in state if copies[k] == 2))
print("more=%d" % sum(1 for k in state if copies[k] > 2))
print("twice_not_in_flight=%d" % sum(1 for k in state if copies[k] > 1
                                     and state[k] != "sending"))
print("strangers=%d" % sum(1 for k in copies if k not in state))
PY
}
val() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }

# No store: a clear error, and neither a store nor a backup appears.
conf none 1
out=$("$CTL" -c "$dir/none.conf" backup "$dir/none.bak" 2>&1); rc=$?
t_is "$rc" 73 "backup without a store: EX_CANTCREAT"
t_like "$out" "none\\.db: no store here" "saying there is no store"
t_ok "no store created" test ! -e "$dir/none.db"
t_ok "no backup file written" test ! -e "$dir/none.bak" -a ! -e "$dir/none.bak.tmp"

# The sink answers each message after 0.1 s: with two connections, a
# pass of $N messages takes seconds, most of them with two in flight.
t_bg "$dir/smtpd.pid" "$T_PY" "$top/tests/peers/smtpd.py" --port 0 \
	--portfile "$dir/port" --maildir "$dir/mail" --slow 0.1 --owner-pid $$ --quiet
t_wait_file "$dir/port" 10
port=$(cat "$dir/port")
t_wait_port "$port" 10
conf live "$port"
"$T_PY" - "$N" "$(TZ=Asia/Shanghai date +%m-%d)" >"$dir/c.csv" <<'PY'
import sys
print("external_id,name,email,birthday")
for i in range(int(sys.argv[1])):
    print("B%03d,Backup %d,b%03d@example.test,1980-%s" % (i, i, i, sys.argv[2]))
PY
"$CTL" -c "$dir/live.conf" import customers "$dir/c.csv" >/dev/null
t_bg "$dir/live.pid" "$D" -c "$dir/live.conf" --foreground
dpid=$T_BG_PID

# A backup while the daemon sends: a whole store, the daemon unhindered.
t_ok "the daemon is sending" t_wait_until 30 arrived_over 20
t_ok "backup while the daemon sends" "$CTL" -c "$dir/live.conf" backup "$dir/b.db"
t_like "$T_OUT" "b\\.db: backup of .*live\\.db written \\([0-9]+ bytes\\)" "says what it wrote"
t_is "$(stat -c %a "$dir/b.db")" 600 "the backup is mode 0600"
t_ok "no temporary file left" test ! -e "$dir/b.db.tmp"
c=$(census "$dir/b.db")
t_is "$(val integrity "$c")" ok "the backup passes an integrity check"
t_is "$(val rows "$c")" "$N" "it holds every queued message"
t_is "$(val sent_not_arrived "$c")" 0 "each message it says was sent is at the sink"
t_diag "during the pass: $(tr '\n' ' ' <<<"$c")"
n=$(arrived)
t_ok "the daemon sends on after it" t_wait_until 10 arrived_over "$n"

# An existing file is kept unless --force.
sum=$(cksum <"$dir/b.db")
out=$("$CTL" -c "$dir/live.conf" backup "$dir/b.db" 2>&1); rc=$?
t_is "$rc" 73 "an existing file is refused: EX_CANTCREAT"
t_like "$out" "b\\.db: exists; not replaced without --force" "saying so"
t_is "$(cksum <"$dir/b.db")" "$sum" "the old backup is untouched"
out=$("$CTL" -c "$dir/live.conf" backup --force "$dir/live.db" 2>&1); rc=$?
t_is "$rc" 74 "the store itself is never a backup's place, even with --force"
t_like "$out" "live\.db: is a file of the store" "saying so"
t_ok "and the daemon goes on" kill -0 "$dpid"

# The store is lost right after a backup: the daemon is frozen in the
# middle of the pass for the backup, then killed, so what the backup does
# not know was sent is exactly what was in flight.
t_ok "the pass goes on" t_wait_until 30 arrived_over 60
kill -STOP "$dpid"
t_ok "backup --force replaces the old one" "$CTL" -c "$dir/live.conf" backup --force "$dir/b.db"
kill -KILL "$dpid"
wait "$dpid" 2>/dev/null
t_unlike "$(cat "$dir/live.log")" "locked|busy" "the daemon never waited for the backups"
sleep 0.5 # the sink stores what was in flight (--slow) after the kill
c=$(census "$dir/b.db")
t_diag "at the backup: $(tr '\n' ' ' <<<"$c")"
t_ok "the backup caught a pass in progress ($(val sent "$c") sent)" \
	test "$(val sent "$c")" -gt 0 -a "$(val sent "$c")" -lt "$N"
t_ok "with messages in flight ($(val sending "$c") 'sending')" test "$(val sending "$c")" -gt 0
sending=$(val sending "$c")

# The restore as documented: the backup copied over the store path, with
# any -wal and -shm files removed, here in a fresh place.
conf restored "$port"
cp "$dir/b.db" "$dir/restored.db"
rm -f "$dir/restored.db-wal" "$dir/restored.db-shm"
sent=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	"$D" -c "$dir/restored.conf" --once --log-level warning >>"$dir/restored.log" 2>&1
	sent=$("$CTL" -c "$dir/restored.conf" outbox --state sent --json | js 'len(d)')
	[ "$sent" = "$N" ] && break
	sleep 1
done
t_is "$sent" "$N" "the daemon on the restored store sends every message"
t_like "$(cat "$dir/restored.log")" "$sending messages were being sent when the daemon stopped" \
	"the messages in flight at the backup are sent again"
c=$(census "$dir/b.db")
t_diag "after the restore: $(tr '\n' ' ' <<<"$c")"
t_is "$(val missing "$c")" 0 "none lost: every message arrived"
t_is "$(val sent_twice "$c")" 0 "none the backup knew as sent went again"
t_is "$(val twice_not_in_flight "$c")" 0 "a message arrived twice only if it was in flight"
t_ok "at most one duplicate per message in flight ($(val twice "$c") <= $sending)" \
	test "$(val twice "$c")" -le "$sending"
t_is "$(val more "$c")" 0 "none arrived three times"
t_is "$(val strangers "$c")" 0 "and nothing else arrived"
t_done
