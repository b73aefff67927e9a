#!/bin/bash
# Channels progress independently: while an SMS gateway hangs (every
# request held 30 s), e-mail due for retry still goes out, and a change
# that needs a scan (an import) is planned and sent, within seconds: each
# channel has a sender of its own and the daemon's loop only plans.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || t_skip_all "python3-aiosmtpd not installed"
dir=$(t_tmpdir)
today=$(TZ=Asia/Shanghai date +%m-%d)

t_bg "$dir/gw.pid" /usr/bin/python3 "$top/tests/peers/httpsink.py" --port 0 \
	--portfile "$dir/gw.port" --log "$dir/gw.requests" --hang --owner-pid $$
t_wait_file "$dir/gw.port" 10
t_bg "$dir/smtp.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
	--portfile "$dir/smtp.port" --maildir "$dir/mail" --fail-first 1 --fail-code 451 \
	--owner-pid $$ --quiet
t_wait_file "$dir/smtp.port" 10
t_wait_port "$(cat "$dir/smtp.port")" 10
cat >"$dir/s.conf" <<CONF
store = "$(t_store "$dir/s.db")";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; scan_interval = 3600; shutdown_grace = 1; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; };
  retry_base_seconds = 1; retry_max_seconds = 1; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$(cat "$dir/smtp.port")";
  tls = "none"; from = "a@acme.example"; };
sms: { transport = "http"; url = "http://127.0.0.1:$(cat "$dir/gw.port")/send";
  timeout_seconds = 30; };
http: { listen = "127.0.0.1:0"; };
CONF
mkdir -p "$dir/state"
{
	echo "external_id,name,email,phone,birthday,channel"
	echo "S1,Sms One,,13800138001,1980-$today,sms"
	echo "S2,Sms Two,,13800138002,1981-$today,sms"
	echo "E1,Mail One,e1@example.test,,1982-$today,email"
} >"$dir/c.csv"
"$CTL" -c "$dir/s.conf" import customers "$dir/c.csv" >/dev/null
"$D" -c "$dir/s.conf" --foreground --log-level info >"$dir/d.log" 2>&1 &
dpid=$!
t_cleanup_push "kill -9 $dpid 2>/dev/null"
eml() { ls "$dir/mail/new" 2>/dev/null | grep -c '\.eml$'; }
t_ok "the SMS gateway holds both texts" t_wait_until 10 sh -c "test \$(wc -l <'$dir/gw.requests') -ge 2"
t_ok "meanwhile the e-mail's retry (after a 451) goes out" t_wait_until 8 sh -c \
	"test \$(ls '$dir/mail/new' 2>/dev/null | grep -c '\\.eml\$') -ge 1"
echo "external_id,name,email,birthday" >"$dir/c2.csv"
echo "E2,Mail Two,e2@example.test,1983-$today" >>"$dir/c2.csv"
start=$(date +%s%N)
"$CTL" -c "$dir/s.conf" import customers "$dir/c2.csv" >/dev/null
t_ok "an import is planned and sent while the texts still hang" t_wait_until 8 sh -c \
	"test \$(ls '$dir/mail/new' 2>/dev/null | grep -c '\\.eml\$') -ge 2"
t_diag "second e-mail after $(( ($(date +%s%N) - start) / 1000000 )) ms"
t_is "$("$CTL" -c "$dir/s.conf" outbox --json | js 'sorted(m["state"] for m in d if m["channel"] == "sms")')" \
	"['sending', 'sending']" "the texts are still in flight"
start=$(date +%s%N)
kill -TERM "$dpid"
wait "$dpid"
t_is "$?" 0 "SIGTERM: exit 0"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_ok "within the shutdown grace, not the gateway's 30 s (${ms} ms)" test "$ms" -lt 5000
t_done
