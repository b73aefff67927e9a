#!/bin/bash
# Broken peers: an SMTP server that drops the connection in the middle of
# DATA, one that answers too slowly (client timeout), an HTTP SMS gateway
# (the generic JSON preset) that answers 429 with Retry-After before it
# comes back, and SMTP servers that answer "421 Service not available,
# closing transmission channel" (at the greeting, at MAIL FROM on a reused
# authenticated connection, at RCPT TO, after DATA) and hang up, and a
# Kannel SMS gateway that is down (connection refused) and then comes back.
# Messages are retried, never lost nor duplicated, and the gateway's
# Retry-After is honoured.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
D=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
peers="$top/tests/peers"
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || t_skip_all "python3-aiosmtpd not installed"
dir=$(t_tmpdir)
today=$(date +%m-%d)

setup() { # NAME EXTRA-CONF
	cat >"$dir/$1.conf" <<CONF
store = "$(t_store "$dir/$1.db")";
templates = "$top/templates";
country_code = "86";
daemon: { state_dir = "$dir/$1"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; };
  retry_base_seconds = 1; retry_max_seconds = 1; max_attempts = 6; };
$2
CONF
	cur=$1
	ctl() { "$CTL" -c "$dir/$cur.conf" "$@"; }
	printf 'external_id,name,email,phone,birthday,channel\nF1,Fay One,f1@example.test,13800138001,1980-%s,\nF2,Fay Two,f2@example.test,13800138002,1981-%s,\n' \
		"$today" "$today" >"$dir/$1.csv"
}
smtpd() { # NAME ARGS...   (NOPROBE=1: only wait for the port file)
	n=$1; shift
	t_bg "$dir/$n.pid" /usr/bin/python3 "$peers/smtpd.py" --port 0 --portfile "$dir/$n.port" \
		--maildir "$dir/$n.mail" --owner-pid $$ --quiet "$@"
	t_wait_file "$dir/$n.port" 10
	port=$(cat "$dir/$n.port")
	# The port file is written once the server listens; a probe connection
	# would use up a 421 given at the greeting.
	[ "${NOPROBE:-0}" = 1 ] || t_wait_port "$port" 10
}
until_sent() { # N: send passes until N messages are sent (at most 8 s)
	for _ in $(seq 1 8); do
		ctl send >/dev/null 2>&1
		[ "$(ctl outbox --state sent --json | js 'len(d)')" = "$1" ] && return 0
		sleep 1
	done
	return 1
}

# 1. The connection drops in the middle of DATA for the first message.
smtpd drop --drop-in-data 1
setup drop "email: { transport = \"smtp\"; url = \"smtp://127.0.0.1:$port\"; tls = \"none\"; from = \"a@acme.example\"; connections = 1; };"
ctl import customers "$dir/drop.csv" >/dev/null
ctl scan
ctl send >/dev/null 2>&1
t_like "$(ctl outbox --json | js '[m["last_error"] for m in d if m["state"] == "retry"]')" "." \
	"a drop in DATA: that message is to retry, with the error"
t_ok "both arrive once the server behaves" until_sent 2
t_is "$(ls "$dir/drop.mail/new/"*.eml | wc -l)" 2 "exactly two messages stored"

# 2. A server slower than the client's timeout.
smtpd slow --slow 3
setup slow "email: { transport = \"smtp\"; url = \"smtp://127.0.0.1:$port\"; tls = \"none\"; from = \"a@acme.example\"; timeout_seconds = 1; data_timeout_seconds = 1; connections = 2; };"
ctl import customers "$dir/slow.csv" >/dev/null
ctl scan
start=$(_t_now_us)
ctl send >/dev/null 2>&1
ms=$((($(_t_now_us) - start) / 1000))
# The server answers after 3 s, the timeout is 1 s: the pass ends at the
# timeout.  (libcurl waits, blocking, for each reply and for the QUIT of a
# timed-out connection; CURLOPT_SERVER_RESPONSE_TIMEOUT bounds that wait
# by timeout_seconds too, else it lasted until the server's late answer.)
# The transfer times out at 1 s and its connection's QUIT may wait up to
# 1 s more: about 2 s, well before the server's answer at 3 s.
t_ok "a slow server: the pass ends at the timeout, not later (${ms} ms)" test "$ms" -le 2800
j=$(ctl outbox --json)
t_is "$(echo "$j" | js '[m["state"] for m in d]')" "['unknown', 'unknown']" \
	"no reply to the end of DATA in time: 'unknown', not resent blindly"
t_like "$(echo "$j" | js 'd[0]["last_error"]')" "no reply to the end of the message \\(.*[Tt]imeout" "the timeout is recorded"

# 3. A JSON SMS gateway answering 429 Retry-After: 2 twice, then 200 with an id.
t_bg "$dir/gw.pid" /usr/bin/python3 "$peers/httpsink.py" --port 0 --portfile "$dir/gw.port" \
	--log "$dir/gw.requests" --fail-first 2 --fail-status 429 --retry-after 2 \
	--reply '{"ok": true, "id": "msg-42"}' --owner-pid $$
t_wait_file "$dir/gw.port" 10
gw="http://127.0.0.1:$(cat "$dir/gw.port")/send"
printf 'tok3n-%s\n' "$RANDOM" >"$dir/gw.secret"
# libconfig strings: \" is a quote; written literally, then the URL and
# secret file are filled in.
cat >"$dir/gw.extra" <<'CONF'
sms: { transport = "http"; url = "GW_URL"; method = "POST_JSON";
  password_file = "GW_SECRET"; sender = "Acme";
  body = "{\"to\": \"{to}\", \"text\": \"{text}\", \"from\": \"{from}\"}";
  headers = [ "Authorization: Bearer {password}" ];
  success_match = "\"ok\": true"; id_regex = "\"id\": *\"([^\"]+)\""; };
email: { transport = "maildir"; };
CONF
sed -i "s|GW_URL|$gw|; s|GW_SECRET|$dir/gw.secret|" "$dir/gw.extra"
setup gw "$(cat "$dir/gw.extra")"
sed -i '2,3s/$/sms/' "$dir/gw.csv"
t_ok "check-config accepts the JSON gateway" ctl check-config
ctl import customers "$dir/gw.csv" >/dev/null
ctl scan
ctl send >/dev/null 2>&1
j=$(ctl outbox --json)
t_is "$(echo "$j" | js '[m["state"] for m in d]')" "['retry', 'retry']" "429: both to retry"
t_like "$(echo "$j" | js 'd[0]["last_error"]')" "429" "with the gateway's status"
nb=$(echo "$j" | js '"%s %s" % (d[0]["updated_at"], d[0]["not_before"])')
# The retry's due time and its update come from the same clock reading.
t_ok "Retry-After: 2 is honoured over the 1 s backoff ($nb)" python3 -c "
import datetime, sys
u, n = (datetime.datetime.strptime(x, '%Y-%m-%dT%H:%M:%SZ') for x in '$nb'.split())
sys.exit(0 if (n - u).total_seconds() >= 2 else 1)"
t_ok "the gateway comes back: both sent" until_sent 2
t_is "$(ctl outbox --json | js '[m["provider_id"] for m in d]')" "['msg-42', 'msg-42']" "the provider id comes from id_regex"
last=$(tail -1 "$dir/gw.requests")
t_like "$(echo "$last" | js 'd["headers"]["Authorization"]')" "^Bearer tok3n-" "the secret goes in the header template"
t_like "$(echo "$last" | js 'd["body"]')" '"to": "\+861380013800[12]"' "a JSON body with the E.164 number"

# 4. SMTP 421 "Service not available, closing transmission channel" (issue
# #9): a server going down or at a limit says 421 and hangs up.  It is a
# temporary failure: the message is to retry with the 421 in its error
# (outbox and log), then arrives exactly once; the next message must not go
# over the connection that was closed.  Each mode gets its own server,
# store and two customers (F1, F2), one connection at a time.
sent_now() { # N: one send pass; true when N messages are sent
	ctl send >/dev/null 2>&1
	[ "$(ctl outbox --state sent --json | js 'len(d)')" = "$1" ]
}
attempts_are() { # N: one send pass; true when both messages had N attempts
	ctl send >/dev/null 2>&1
	[ "$(ctl outbox --json | js '[m["attempts"] for m in d]')" = "[$1, $1]" ]
}
keys_once() { # NAME N: the maildir holds N messages, each X-Outreachd-Key once
	local k
	k=$(grep -h '^X-Outreachd-Key:' "$dir/$1.mail/new/"*.eml 2>/dev/null | tr -d '\r' | sort)
	[ "$(printf '%s\n' "$k" | grep -c .)" = "$2" ] && [ -z "$(printf '%s\n' "$k" | uniq -d)" ]
}
smtp421() { # NAME: the e-mail settings for server $port (AUTH if NAME.pw exists)
	local auth=
	[ -f "$dir/$1.pw" ] && auth="username = \"outreachd\"; password_file = \"$dir/$1.pw\";"
	printf 'email: { transport = "smtp"; url = "smtp://127.0.0.1:%s"; tls = "none"; from = "a@acme.example"; connections = 1; %s };' \
		"$port" "$auth"
}
re421='^421 4\.3\.2 Service not available, closing transmission channel$'

# 4a. 421 instead of the 220 greeting, for the first two connections; the
# daemon's own cycle (outreachd --once) meets it.
NOPROBE=1 smtpd g421 --reply-421 2 --reply-421-at greeting
setup g421 "$(smtp421 g421)"
ctl import customers "$dir/g421.csv" >/dev/null
"$D" -c "$dir/g421.conf" --once --log-level warning >"$dir/g421.dlog" 2>&1
t_is "$?" 0 "421 at the greeting: outreachd --once exits 0 (nothing failed for good)"
j=$(ctl outbox --json)
t_is "$(echo "$j" | js '[(m["state"], m["attempts"]) for m in d]')" "[('retry', 1), ('retry', 1)]" \
	"421 at the greeting: both messages to retry after one attempt, none failed"
t_like "$(echo "$j" | js 'd[0]["last_error"]')" "$re421" "the outbox error is the server's 421"
t_like "$(ctl outbox --state retry | head -1)" $'\tretry\temail\t.*\t421 4\.3\.2 ' "outbox (text) shows the retry with the 421 reason"
t_is "$(grep -c 'attempt 1 failed, retry in [0-9]*s: 421 4\.3\.2' "$dir/g421.dlog")" 2 \
	"the daemon logs each retry with the 421"
t_like "$(cat "$dir/g421.log")" "reply-421 conn=2 stage=greeting" "the server gave two 421 greetings"
t_ok "421 at the greeting: both arrive once the server answers 220" t_wait_until 8 sent_now 2
t_ok "421 at the greeting: 2 messages stored, each key once (lost 0, dups 0)" keys_once g421 2
t_is "$(ctl outbox --json | js '[(m["state"], m["attempts"]) for m in d]')" "[('sent', 2), ('sent', 2)]" \
	"421 at the greeting: sent at the second attempt"

# 4b. 421 at MAIL FROM on a reused, authenticated connection (a server's
# per-connection message limit): F1 is accepted, F2's MAIL FROM on the same
# connection gets 421 and the connection is closed.
printf 's3cret-421\n' >"$dir/m421.pw"
smtpd m421 --auth "outreachd:$dir/m421.pw" --reply-421 1 --reply-421-at mail --reply-421-after 1
setup m421 "$(smtp421 m421)"
ctl import customers "$dir/m421.csv" >/dev/null
ctl scan
t_like "$(ctl send 2>"$dir/m421.err")" "2 queued, 1 sent, 1 to retry, 0 failed" \
	"421 at MAIL FROM after one message: one sent, one to retry"
t_like "$(cat "$dir/m421.log")" "reply-421 conn=[0-9]+ stage=mail after=1 n=1 of=1" \
	"the 421 came on the connection that had carried the first message (after=1)"
j=$(ctl outbox --state retry --json)
t_like "$(echo "$j" | js 'd[0]["last_error"]')" "$re421" "421 at MAIL FROM: the 421 is recorded"
t_like "$(cat "$dir/m421.err")" "attempt 1 failed, retry in [0-9]+s: 421 4\.3\.2" "outreachctl send warns with the 421"
t_ok "421 at MAIL FROM: the other one arrives on a new connection" t_wait_until 8 sent_now 2
t_ok "421 at MAIL FROM: 2 messages stored, each key once" keys_once m421 2
t_is "$(grep -h '^X-Auth-User:' "$dir/m421.mail/new/"*.env | sort -u)" "X-Auth-User: outreachd" \
	"the new connection authenticated again"

# 4c. 421 at RCPT TO, for both messages (each on its own connection):
# retried, then exactly once.
smtpd r421 --reply-421 2 --reply-421-at rcpt
setup r421 "$(smtp421 r421)"
ctl import customers "$dir/r421.csv" >/dev/null
ctl scan
t_like "$(ctl send 2>/dev/null)" "2 queued, 0 sent, 2 to retry, 0 failed" "421 at RCPT TO: both to retry"
t_is "$(ctl outbox --json | js 'sorted(set(m["last_error"] for m in d))')" \
	"['421 4.3.2 Service not available, closing transmission channel']" \
	"421 at RCPT TO: both carry the 421"
t_ok "421 at RCPT TO: both arrive afterwards" t_wait_until 8 sent_now 2
t_ok "421 at RCPT TO: 2 messages stored, each key once" keys_once r421 2

# 4d. 421 as the final answer after DATA (the whole message went over, the
# server did not take it) for the first message only.
smtpd d421 --reply-421 1 --reply-421-at data
setup d421 "$(smtp421 d421)"
ctl import customers "$dir/d421.csv" >/dev/null
ctl scan
ctl send >/dev/null 2>&1
j=$(ctl outbox --json)
t_is "$(echo "$j" | js '[(m["state"], m["last_error"]) for m in d][0]')" \
	"('retry', '421 4.3.2 Service not available, closing transmission channel')" \
	"421 after DATA: the message is to retry with the 421"
f2=$(echo "$j" | js '"%s: %s" % (d[1]["state"], d[1]["last_error"] if d[1]["state"] != "sent" else "-")')
t_like "$f2" "^(sent|retry):" "421 after DATA: the next message is sent or to retry, never failed"
# After a 421 ("closing transmission channel") the next message goes
# over a new connection and is sent in the same pass.  (libcurl keeps a
# connection whose 421 answered the end of DATA; reusing it met the closed
# socket, "Connection reset by peer", and spent an attempt.)
t_is "$f2" "sent: -" "421 after DATA: the next message goes over a new connection, sent at once"
t_ok "421 after DATA: both arrive afterwards" t_wait_until 8 sent_now 2
t_ok "421 after DATA: 2 messages stored, each key once (lost 0, dups 0)" keys_once d421 2

# 5. The SMS gateway (Kannel) down for a while, then back (issue #9).  The
# daemon points at a sendsms port where nothing listens yet (t_freeport);
# Kannel is then started on that very port (kannel.sh's
# KANNEL_WANT_SENDSMS_PORT).  While it is down: connection refused, both
# SMS to retry with the error, nothing lost, and the pass returns at once
# (well under timeout_seconds).  Once it is back: both sent, and the fake
# SMSC gets each text exactly once.
kport=$(t_freeport)
printf 'not-yet-%s\n' "$RANDOM" >"$dir/kdown.pw"   # the real one once Kannel runs
setup kdown "sms: { transport = \"kannel\"; url = \"http://127.0.0.1:$kport/cgi-bin/sendsms\";
  username = \"outreachd\"; password_file = \"$dir/kdown.pw\"; sender = \"Acme\";
  timeout_seconds = 30; };
email: { transport = \"maildir\"; };"
sed -i '2,3s/$/sms/' "$dir/kdown.csv"
ctl import customers "$dir/kdown.csv" >/dev/null
ctl scan
start=$(_t_now_us)
out=$(ctl send 2>"$dir/kdown.err")
ms=$((($(_t_now_us) - start) / 1000))
t_like "$out" "2 queued, 0 sent, 2 to retry, 0 failed" "Kannel down: both SMS to retry, none failed"
# Connection refused is immediate: no wait for timeout_seconds (30 s).
t_ok "Kannel down: the pass returns at once, not at the timeout (${ms} ms)" test "$ms" -le 5000
j=$(ctl outbox --json)
t_is "$(echo "$j" | js '[(m["channel"], m["state"], m["attempts"]) for m in d]')" \
	"[('sms', 'retry', 1), ('sms', 'retry', 1)]" "Kannel down: both kept, to retry after one attempt (lost 0)"
# libcurl's words (7.88: "Failed to connect to 127.0.0.1 port P after 0
# ms: Couldn't connect to server") and the system's, which say why.
reconn="127\\.0\\.0\\.1 port $kport.*\\(Connection refused\\)"
t_like "$(echo "$j" | js 'd[0]["last_error"]')" "$reconn" "Kannel down: the connection error is recorded (1)"
t_like "$(echo "$j" | js 'd[1]["last_error"]')" "$reconn" "Kannel down: the connection error is recorded (2)"
t_like "$(cat "$dir/kdown.err")" "attempt 1 failed, retry in [0-9]+s: .*$reconn" \
	"outreachctl send warns with the connection error"
t_unlike "$(echo "$j"; cat "$dir/kdown.err")" "$(cat "$dir/kdown.pw")" "the sendsms password is in no error"
# Kannel comes back on the same port.
if KANNEL_WANT_SENDSMS_PORT=$kport KANNEL_OWNER_PID=$$ \
	"$peers/kannel.sh" start "$dir/kannel" >"$dir/kannel.out" 2>&1; then
	t_cleanup_push "'$peers/kannel.sh' stop '$dir/kannel' >/dev/null 2>&1"
	. "$dir/kannel/env"
	# The password file still holds a wrong password: Kannel answers 403
	# "Authorization failed for sendsms".  That is the configuration's
	# fault, not the messages': both wait, none fails (as with SMTP 535).
	t_ok "Kannel back, wrong password: a second attempt is made" \
		t_wait_until 10 attempts_are 2
	j=$(ctl outbox --json)
	t_is "$(echo "$j" | js '[(m["state"], m["attempts"]) for m in d]')" \
		"[('retry', 2), ('retry', 2)]" "wrong password: both SMS to retry, none failed"
	t_is "$(echo "$j" | js 'sorted(set(m["last_error"] for m in d))')" \
		"['Kannel refused the credentials (403): check sms.username/password_file']" \
		"wrong password: the error says what to check"
	t_is "$(grep -c 'Got HTTP request </cgi-bin/sendsms>' "$KANNEL_SMSBOX_LOG")" 2 \
		"wrong password: Kannel got (and refused) one request per SMS"
	printf '%s\n' "$KANNEL_PASS" >"$dir/kdown.pw"
	t_ok "Kannel back: both SMS sent" t_wait_until 15 sent_now 2
	t_is "$(ctl outbox --json | js '[(m["state"], m["attempts"]) for m in d]')" \
		"[('sent', 3), ('sent', 3)]" "the right password: sent at the third attempt"
	t_is "$(grep -c 'Got HTTP request </cgi-bin/sendsms>' "$KANNEL_SMSBOX_LOG")" 4 \
		"Kannel got one more sendsms request per SMS, no more"
	t_wait_until 10 grep -q 'Got message 2' "$KANNEL_FAKESMSC_LOG"
	want=$(for c in F1 F2; do ctl render birthday "$c" --channel sms | tail -1; done)
	got=$(/usr/bin/python3 "$peers/fakesmsc_decode.py" "$KANNEL_FAKESMSC_LOG" | python3 -c 'import json,sys
for m in sorted((json.loads(l) for l in sys.stdin), key=lambda m: m["to"]): print(m["to"][-11:], m["text"])')
	t_is "$got" "$(paste -d ' ' <(printf '13800138001\n13800138002\n') <(printf '%s\n' "$want"))" \
		"the fake SMSC got each SMS exactly once, text as rendered"
else
	t_skip 8 "Kannel did not start: $(tail -1 "$dir/kannel.out")"
fi

# 6. What sits at the kannel url is not Kannel, or refuses us: a proxy in
# front of Kannel that answers 403 twice before it lets us through, and
# one that answers every request with a 200 maintenance page.  Neither is
# the customer's fault nor took the SMS: both wait and are retried, with
# an error that says what to check; none fails.
kannel_sink() { # NAME ARGS...: setup NAME against an httpsink started with ARGS
	local n=$1; shift
	t_bg "$dir/$n.sink.pid" /usr/bin/python3 "$peers/httpsink.py" --port 0 \
		--portfile "$dir/$n.port" --log "$dir/$n.requests" --owner-pid $$ "$@"
	t_wait_file "$dir/$n.port" 10
	printf 'wrong-%s\n' "$RANDOM" >"$dir/$n.pw"
	setup "$n" "sms: { transport = \"kannel\"; url = \"http://127.0.0.1:$(cat "$dir/$n.port")/cgi-bin/sendsms\";
  username = \"outreachd\"; password_file = \"$dir/$n.pw\"; sender = \"Acme\"; };
email: { transport = \"maildir\"; };"
	sed -i '2,3s/$/sms/' "$dir/$n.csv"
	ctl import customers "$dir/$n.csv" >/dev/null
	ctl scan
}
kannel_sink k403 --fail-first 2 --fail-status 403 --status 202 \
	--reply '0: Accepted for delivery'
t_like "$(ctl send 2>"$dir/k403.err")" "2 queued, 0 sent, 2 to retry, 0 failed" \
	"403 from the kannel url: both SMS to retry, none failed"
t_is "$(ctl outbox --json | js 'sorted(set(m["last_error"] for m in d))')" \
	"['Kannel refused the credentials (403): check sms.username/password_file']" \
	"403: the error names the settings to check"
t_like "$(cat "$dir/k403.err")" "retry in [0-9]+s: Kannel refused the credentials \\(403\\)" \
	"outreachctl send warns with it"
t_ok "403 no more: both sent" t_wait_until 8 sent_now 2
t_is "$(wc -l <"$dir/k403.requests")" 4 "one refused and one accepted request per SMS"
kannel_sink kmaint --status 200 \
	--reply '<html><body>Down for maintenance</body></html>'
t_like "$(ctl send 2>/dev/null)" "2 queued, 0 sent, 2 to retry, 0 failed" \
	"a 200 maintenance page at the kannel url: not sent, to retry"
t_is "$(ctl outbox --json | js 'sorted(set(m["last_error"] for m in d))')" \
	"[\"HTTP 200 is not Kannel's answer (check sms.url): <html><body>Down for maintenance</body></html>\"]" \
	"a maintenance page: the error says it is not Kannel's answer"
t_done
