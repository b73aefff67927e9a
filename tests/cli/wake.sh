#!/bin/bash
# outreachctl and the running daemon: the preview is the sent message (byte
# for byte apart from Date), and a command that changes what is due (retry,
# import, contact log, task done, customer add/set) wakes the daemon, so it
# acts within a second, not at the next scan_interval (here an hour).
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
today=$(TZ=Asia/Shanghai date +%m-%d)

conf() { # FILE NAME [EMAIL-SETTINGS]
	cat >"$1" <<CONF
store = "$(t_store "$dir/$2.db")";
company = "Acme Trading";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
daemon: { state_dir = "$dir/$2"; scan_interval = 3600; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
http: { listen = "127.0.0.1:0"; base_url = "https://crm.acme.example"; };
email: { from = "greetings@acme.example"; from_name = "Acme"; helo = "acme.example"; $3 };
CONF
	mkdir -p "$dir/$2"
}

# The layering, as linked: outreachctl shares the cycle with the daemon but
# not its loop, its HTTP server or its service-manager notifications.
if command -v nm >/dev/null && bin=$(command -v "$CTL"); then
	t_is "$(nm "$bin" | grep -cE ' [TU] (MHD_|sd_notify|httpd_|daemon_run)')" 0 \
		"outreachctl links no HTTP server, sd_notify or daemon loop"
else
	t_skip 1 "nm not installed"
fi

# The preview is the message the maildir transport writes.
conf "$dir/p.conf" p
ctl() { "$CTL" -c "$dir/p.conf" "$@"; }
ctl rep add li --name 'Li Na' --email li@acme.example >/dev/null
printf 'external_id,name,email,birthday,rep,locale\nP1,Wang Fang,wf@example.test,1985-%s,li,en\n' \
	"$today" >"$dir/p.csv"
ctl import customers "$dir/p.csv" >/dev/null
t_ok "scan plans today's birthday" ctl scan
ctl render birthday P1 --channel email --raw >"$dir/preview.eml"
t_ok "render --raw exits 0" test -s "$dir/preview.eml"
human=$(ctl render birthday P1 --channel email)
t_like "$human" "Reply-To: li@acme.example" "the preview shows the rep's Reply-To the sent message carries"
t_like "$human" "https://crm.acme.example/u/" "the preview shows the unsubscribe link the sent message carries"
t_ok "send" ctl send
sent=$(ls "$dir/p/maildir/email/new/"* 2>/dev/null | head -1)
t_ok "one e-mail in the maildir" test -f "$sent"
t_ok "preview and sent message are the same bytes but for Date" \
	diff <(grep -av '^Date: ' "$dir/preview.eml") <(grep -av '^Date: ' "$sent")
t_like "$(grep -a '^Reply-To: ' "$sent")" "li@acme.example" "the sent message has that Reply-To"

# Waking the daemon.
if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
	t_skip 8 "python3-aiosmtpd not installed"
	t_done
fi
t_bg "$dir/smtp.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
	--portfile "$dir/smtp.port" --maildir "$dir/mail" --fail-first 1 --fail-code 550 \
	--owner-pid $$ --quiet
t_wait_file "$dir/smtp.port" 10
port=$(cat "$dir/smtp.port")
t_wait_port "$port" 10
conf "$dir/w.conf" w "transport = \"smtp\"; url = \"smtp://127.0.0.1:$port\"; tls = \"none\";"
w() { "$CTL" -c "$dir/w.conf" "$@"; }
printf 'external_id,name,email,birthday\nW1,Wake One,w1@example.test,1980-%s\n' "$today" >"$dir/w1.csv"
w import customers "$dir/w1.csv" >/dev/null
"$D" -c "$dir/w.conf" --foreground --log-level info >"$dir/w.log" 2>&1 &
dpid=$!
t_cleanup_push "kill -9 $dpid 2>/dev/null"
t_ok "the first attempt fails for good (550)" t_wait_until 20 sh -c \
	"'$CTL' -c '$dir/w.conf' outbox --state failed | grep -q w1@"
sleep 0.3	# the daemon is asleep now, for an hour

# Milliseconds until the SMTP server holds N messages (gives up at 10 s).
until_mail() {
	local n=$1 start=$2 i
	for ((i = 0; i < 500; i++)); do
		[ "$(ls "$dir/mail/new" 2>/dev/null | grep -c "\.eml$")" -ge "$n" ] && break
		sleep 0.02
	done
	echo $(( ($(date +%s%N) - start) / 1000000 ))
}
start=$(date +%s%N)
t_like "$(w retry --failed)" "1 message will be sent again" "retry --failed"
ms=$(until_mail 1 "$start")
t_ok "the retry goes out within a second of the command (${ms} ms)" test "$ms" -lt 1000
t_is "$(ls "$dir/mail/new" | grep -c "\.eml$")" 1 "the retried e-mail arrived"

printf 'external_id,name,email,birthday\nW2,Wake Two,w2@example.test,1981-%s\n' "$today" >"$dir/w2.csv"
start=$(date +%s%N)
w import customers "$dir/w2.csv" >/dev/null
ms=$(until_mail 2 "$start")
t_ok "an imported birthday is planned and sent within a second (${ms} ms)" test "$ms" -lt 1000

start=$(date +%s%N)
w customer add W3 name='Wake Three' email=w3@example.test birthday="1982-$today" >/dev/null
ms=$(until_mail 3 "$start")
t_ok "customer add wakes the daemon too (${ms} ms)" test "$ms" -lt 1000
t_ok "the daemon is still running" kill -0 "$dpid"
kill -TERM "$dpid"
wait "$dpid"
t_is "$?" 0 "SIGTERM: exit 0"
t_done
