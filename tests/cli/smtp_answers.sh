#!/bin/bash
# What an SMTP server answers, and when: a server that stores the message
# but answers the end of DATA late gets it once, not once per attempt (the
# reply is awaited data_timeout_seconds, and without it the message is
# "unknown", never resent blindly); a refused recipient and a multiline
# refusal are recorded in the server's own words, not as the QUIT's 221.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
	t_skip_all "python3-aiosmtpd not installed"
dir=$(t_tmpdir)
today=$(TZ=Asia/Shanghai date +%m-%d)

start_smtpd() { # NAME ARGS...
	t_bg "$dir/$1.pid" /usr/bin/python3 "$top/tests/peers/smtpd.py" --port 0 \
		--portfile "$dir/$1.port" --maildir "$dir/$1.mail" --owner-pid $$ --quiet "${@:2}"
	t_wait_file "$dir/$1.port" 10
	port=$(cat "$dir/$1.port")
	t_wait_port "$port" 10
}
setup() { # NAME PORT EMAIL-EXTRA
	cat >"$dir/$1.conf" <<CONF
store = "$(t_store "$dir/$1.db")";
timezone = "Asia/Shanghai";
templates = "$top/templates";
daemon: { state_dir = "$dir/$1.state"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; };
  retry_base_seconds = 1; retry_max_seconds = 1; max_attempts = 4; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$2"; tls = "none";
  from = "greetings@acme.example"; helo = "acme.example"; $3 };
CONF
	mkdir -p "$dir/$1.state"
	printf 'external_id,name,email,birthday\nS1,Slow Sun,s1@example.test,1980-%s\n' "$today" >"$dir/$1.csv"
	"$CTL" -c "$dir/$1.conf" import customers "$dir/$1.csv" >/dev/null
	"$CTL" -c "$dir/$1.conf" scan
}
copies() { ls "$dir/$1.mail/new" 2>/dev/null | grep -c '\.eml$'; }

# 1. Stored, but the 250 comes after 3 s; the client waits 1 s.
start_smtpd late --late-reply 3
setup late "$port" "timeout_seconds = 1; data_timeout_seconds = 1;"
c() { "$CTL" -c "$dir/late.conf" "$@"; }
c send >/dev/null 2>&1
for _ in 1 2 3; do sleep 1.2; c send >/dev/null 2>&1; done
j=$(c outbox --json)
t_is "$(echo "$j" | js '[(m["state"], m["attempts"]) for m in d]')" "[('unknown', 1)]" \
	"no reply to the end of DATA: 'unknown' after one attempt, not retried"
t_like "$(echo "$j" | js 'd[0]["last_error"]')" "no reply to the end of the message" "with the reason"
t_ok "the server stored it" t_wait_until 5 test "$(copies late)" = 1
sleep 1
t_is "$(copies late)" 1 "exactly one copy at the server (4 before: one per attempt)"
t_like "$(c outbox --state unknown)" "s1@example.test" "outbox --state unknown lists it"
id=$(echo "$j" | js 'd[0]["id"]')
t_is "$(c retry --failed)" "0 messages will be sent again" "retry --failed leaves it alone"
t_is "$(c retry "$id")" "1 message will be sent again" "retry ID sends it again: the admin's call"

# 2. The same server with the default wait for the reply: sent once.
start_smtpd patient --late-reply 3
setup patient "$port" "timeout_seconds = 1;"
t_ok "a 3 s reply to the end of DATA is awaited" "$CTL" -c "$dir/patient.conf" send
t_is "$("$CTL" -c "$dir/patient.conf" outbox --json | js '[m["state"] for m in d]')" "['sent']" "and the message is sent"
t_is "$(copies patient)" 1 "once"

# 3. A recipient refused at RCPT TO: its 550, not the 221 to QUIT, and
# not libcurl's "SMTP 550" before it.
start_smtpd rcpt --reject-rcpt 's1@'
setup rcpt "$port" ""
"$CTL" -c "$dir/rcpt.conf" send >/dev/null 2>&1
j=$("$CTL" -c "$dir/rcpt.conf" outbox --json)
t_is "$(echo "$j" | js '[(m["state"], m["attempts"]) for m in d]')" "[('failed', 1)]" "a 550 at RCPT TO fails the message at once"
t_is "$(echo "$j" | js 'd[0]["last_error"]')" "550 5.1.1 <s1@example.test>: Recipient address rejected (test)" \
	"the reason is the server's reply to RCPT TO, code and text, nothing else"
t_like "$("$CTL" -c "$dir/rcpt.conf" outbox --state failed)" $'\tfailed\temail\t.*\t550 5\\.1\\.1 <s1@example\\.test>: Recipient address rejected \\(test\\)$' \
	"outbox (text) shows it too"
t_like "$(cat "$dir/rcpt.log")" "rcpt-rejected" "the peer refused RCPT TO"

# 4. A multiline refusal keeps every line.
start_smtpd multi --reject-data-code 554 --multiline
setup multi "$port" ""
"$CTL" -c "$dir/multi.conf" send >/dev/null 2>&1
err=$("$CTL" -c "$dir/multi.conf" outbox --json | js 'd[0]["last_error"]')
t_like "$err" "^554-5\\.[0-9.]* Message rejected \\(test\\) / 554 5\\.[0-9.]* Policy line two \\(test\\)$" "both lines of a multiline reply, and only them"
t_done
