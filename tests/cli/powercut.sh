#!/bin/bash
# A power cut while the daemon sends, and right after it acknowledged an
# unsubscribe: tests/powercut.c keeps, at each fsync, what the disk would
# keep; after a SIGKILL the store is put back to that state.  Every
# message the server accepted must still be marked sent but those in
# flight (at most one per connection), and the acknowledged opt-out must
# be there.  With SQLite's synchronous = NORMAL the WAL is synced only at
# checkpoints, and both were lost.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
# The files SQLite synced, and its write-ahead log: SQLite's only.
t_sqlite_only_all
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || t_skip_all "python3-aiosmtpd not installed"
command -v curl >/dev/null || t_skip_all "curl not installed"
dir=$(t_tmpdir)
${CC:-cc} -shared -fPIC -o "$dir/powercut.so" "$top/tests/powercut.c" -ldl ||
	t_bail "cannot build the power-cut shim"
today=$(TZ=Asia/Shanghai date +%m-%d)

t_bg "$dir/smtp.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
	--portfile "$dir/smtp.port" --maildir "$dir/mail" --owner-pid $$ --quiet
t_wait_file "$dir/smtp.port" 10
port=$(cat "$dir/smtp.port")
t_wait_port "$port" 10
hport=$(t_freeport)
cat >"$dir/p.conf" <<CONF
store = "$dir/live.db";
timezone = "Asia/Shanghai";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; batch = 10000; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$port"; tls = "none";
  from = "a@acme.example"; connections = 2; };
http: { listen = "127.0.0.1:$hport"; base_url = "http://127.0.0.1:$hport"; };
CONF
mkdir -p "$dir/state"
/usr/bin/python3 - "$today" >"$dir/c.csv" <<'PY'
import sys
print("external_id,name,email,birthday")
for i in range(1500):
    print("P%04d,Power %d,p%04d@example.test,1980-%s" % (i, i, i, sys.argv[1]))
PY
"$CTL" -c "$dir/p.conf" import customers --no-progress "$dir/c.csv" >/dev/null
"$CTL" -c "$dir/p.conf" scan
for f in live.db live.db-wal; do [ -f "$dir/$f" ] && cp "$dir/$f" "$dir/$f.synced"; done

LD_PRELOAD="$dir/powercut.so" "$D" -c "$dir/p.conf" --foreground >"$dir/d.log" 2>&1 &
dpid=$!
t_cleanup_push "kill -9 $dpid 2>/dev/null"
eml() { ls "$dir/mail/new" 2>/dev/null | grep -c '\.eml$'; }
t_ok "the daemon sends" t_wait_until 30 sh -c "test \$(ls '$dir/mail/new' 2>/dev/null | grep -c '\\.eml\$') -ge 200"
# One customer unsubscribes through the link of a message they got.
url=$(grep -h -m1 -o '^List-Unsubscribe: <[^>]*>' "$dir"/mail/new/*.eml | head -1 | sed 's/.*<\(.*\)>/\1/')
who=$(grep -l -F "$url" "$dir"/mail/new/*.eml | head -1 | xargs grep -h -m1 -o '<p[0-9]*@example.test>' |
	sed 's/<p\([0-9]*\)@.*/P\1/')
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d 'List-Unsubscribe=One-Click' "$url")
t_is "$code" 200 "the unsubscribe is acknowledged"
kill -9 "$dpid"
wait "$dpid" 2>/dev/null
# The power comes back: what was synced is what is there.
for f in live.db live.db-wal; do
	if [ -f "$dir/$f.synced" ]; then mv "$dir/$f.synced" "$dir/$f"; else rm -f "$dir/$f"; fi
done
rm -f "$dir/live.db-shm"
accepted=$(grep -h '^X-Outreachd-Key:' "$dir"/mail/new/*.eml | sort -u | wc -l)
marked=$("$CTL" -c "$dir/p.conf" outbox --state sent --json | js 'len(d)')
lost=$((accepted - marked))
t_diag "accepted by the server: $accepted, marked sent after the cut: $marked"
t_ok "every accepted message but those in flight is still marked sent ($lost lost)" \
	test "$lost" -le 2 -a "$lost" -ge 0
t_like "$("$CTL" -c "$dir/p.conf" customer show "$who" 2>&1)" "opt_out.*email" \
	"the acknowledged opt-out survived the cut"
t_done
