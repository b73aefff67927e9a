#!/bin/bash
# What /metrics tells the on-call admin about the outbox, against a running
# daemon: messages by state and channel (expired and cancelled included),
# a held channel, how long its oldest due message has waited, and when
# each channel last sent; releasing the hold moves them all.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
command -v faketime >/dev/null || t_skip_all "faketime not installed"
command -v curl >/dev/null || t_skip_all "curl not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
dir=$(t_tmpdir)
port=$(t_freeport)
B="http://127.0.0.1:$port"
cat >"$dir/o.conf" <<CONF
store = "$(t_store "$dir/o.db")";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
email: { transport = "maildir"; };
sms: { transport = "maildir"; };
http: { listen = "127.0.0.1:$port"; base_url = "$B"; };
CONF
mkdir -p "$dir/state"
c() { "$CTL" -c "$dir/o.conf" "$@"; }
today=$(TZ=Asia/Shanghai date +%m-%d)
ago=$(TZ=Asia/Shanghai date -d '-3 days' +%m-%d)

# Birthdays today: three by e-mail, three by SMS; one by e-mail three days
# ago, planned then and never sent (it expires when it is queued).
{
	echo 'external_id,name,email,phone,birthday,tier,channel'
	for i in 1 2 3; do
		echo "E$i,Email $i,e$i@example.test,,1980-$today,C,email"
		echo "S$i,Sms $i,,1370013700$i,1980-$today,C,sms"
	done
	echo "X1,Late 1,x1@example.test,,1980-$ago,C,email"
} >"$dir/c.csv"
t_ok "import" c import customers "$dir/c.csv"
t_ok "a scan three days ago" faketime "$(date -u -d '-3 days' '+%F 04:00:00')" "$CTL" -c "$dir/o.conf" scan
t_ok "today's scan" c scan
t_ok "hold SMS" c outbox hold --channel sms
before=$(date +%s)
t_like "$(c send 2>&1)" "3 sent" "send: the e-mails go out, the SMS wait"
after=$(date +%s)
sid=$(c outbox --json | js '[m["id"] for m in d if m["recipient"].endswith("3")][0]')
t_ok "cancel one SMS" c outbox cancel "$sid" --reason "wrong number"

t_bg "$dir/d.pid" "$OUTREACHD" -c "$dir/o.conf" --foreground
pid=$T_BG_PID
t_wait_port "$port" 10 "$pid"
t_is "$?" 0 "outreachd listens"
scanned() { curl -s "$B/metrics" | grep -Eq '^outreachd_last_scan_timestamp_seconds [1-9]'; }
t_ok "the first scan is done" t_wait_until 20 scanned
sleep 1 # the SMS have been due for a second at least

# The outbox as outreachctl lists it, in the gauges' terms: every state on
# every channel, the oldest due message's wait and the last send.
expect() {
	c outbox --json | "$T_PY" -c '
import json, sys, time
from datetime import datetime, timezone
d, now = json.load(sys.stdin), int(sys.argv[1])
states = ["pending", "sending", "sent", "retry", "failed", "suppressed",
          "delivered", "undelivered", "unknown", "cancelled", "expired"]
t = lambda s: int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
for s in states:
    for ch in ("email", "sms"):
        n = len([m for m in d if m["state"] == s and m["channel"] == ch])
        print("outreachd_outbox_messages{state=\"%s\",channel=\"%s\"} %d" % (s, ch, n))
for ch in ("email", "sms"):
    due = [t(m["not_before"]) for m in d if m["channel"] == ch
           and m["state"] in ("pending", "retry") and t(m["not_before"]) <= now]
    print("age %s %d" % (ch, now - min(due) if due else 0))
' "$1"
}
now=$(date +%s)
curl -s -o "$dir/m1" "$B/metrics"
exp=$(expect "$now")
t_is "$(grep '^outreachd_outbox_messages{' "$dir/m1")" "$(echo "$exp" | grep -v '^age')" \
	"messages by state and channel, every pair listed"
t_like "$(cat "$dir/m1")" $'\noutreachd_outbox_messages\\{state="expired",channel="email"\\} 1\n' "the late birthday: expired"
t_like "$(cat "$dir/m1")" $'\noutreachd_outbox_messages\\{state="cancelled",channel="sms"\\} 1\n' "the cancelled SMS"
t_like "$(cat "$dir/m1")" $'\noutreachd_outbox_messages\\{state="pending",channel="sms"\\} 2\n' "two SMS wait"
t_like "$(cat "$dir/m1")" $'\noutreachd_sending_held\\{channel="sms"\\} 1\n' "SMS held"
t_like "$(cat "$dir/m1")" $'\noutreachd_sending_held\\{channel="email"\\} 0\n' "e-mail not held"
age=$(sed -n 's/^outreachd_outbox_oldest_due_age_seconds{channel="sms"} //p' "$dir/m1")
want=$(echo "$exp" | sed -n 's/^age sms //p')
t_ok "oldest due SMS: waited $age s, outreachctl says $want (±2)" \
	test "$age" -ge $((want - 2)) -a "$age" -le $((want + 2)) -a "$age" -ge 1
t_like "$(cat "$dir/m1")" $'\noutreachd_outbox_oldest_due_age_seconds\\{channel="email"\\} 0\n' \
	"no e-mail due: 0"
last=$(sed -n 's/^outreachd_last_send_timestamp_seconds{channel="email"} //p' "$dir/m1")
t_ok "last e-mail sent at $last, during the send ($before..$after)" \
	test "$last" -ge "$before" -a "$last" -le "$after"
t_like "$(cat "$dir/m1")" $'\noutreachd_last_send_timestamp_seconds\\{channel="sms"\\} 0\n' \
	"no SMS ever sent: 0"

# Released: the daemon sends the two SMS.
t_ok "release SMS" c outbox release --channel sms
sent2() { curl -s "$B/metrics" | grep -q '^outreachd_outbox_messages{state="sent",channel="sms"} 2$'; }
t_ok "the daemon sends the two SMS" t_wait_until 20 sent2
curl -s -o "$dir/m2" "$B/metrics"
t_like "$(cat "$dir/m2")" $'\noutreachd_outbox_oldest_due_age_seconds\\{channel="sms"\\} 0\n' "nothing due any more"
last=$(sed -n 's/^outreachd_last_send_timestamp_seconds{channel="sms"} //p' "$dir/m2")
t_ok "the SMS's last send is now ($last)" test "$last" -ge "$now" -a "$last" -le "$(date +%s)"
t_like "$(cat "$dir/m2")" $'\noutreachd_sending_held\\{channel="sms"\\} 0\n' "SMS no longer held"
t_ok "the daemon stops" t_kill "$pid"
t_done
