#!/bin/bash
# Delivery against real peers on 127.0.0.1: aiosmtpd with AUTH (a normal
# run, a server that answers 451 a few times, one that answers 550), and
# Kannel with its fake SMSC for SMS, Chinese text included.  The raw
# messages and the outbox states are checked.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
peers="$top/tests/peers"
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
	t_skip_all "python3-aiosmtpd not installed"
command -v faketime >/dev/null || t_skip_all "faketime not installed"
dir=$(t_tmpdir)
today=$(TZ=Asia/Shanghai date +%F)

# SMTP server with AUTH; each mode gets its own server and store.
start_smtpd() { # NAME ARGS...
	name=$1; shift
	printf 's3cret-%s\n' "$name" >"$dir/$name.pw"
	t_bg "$dir/$name.pid" /usr/bin/python3 "$peers/smtpd.py" --port 0 \
		--portfile "$dir/$name.port" --maildir "$dir/$name.mail" \
		--auth "outreachd:$dir/$name.pw" --owner-pid $$ "$@"
	t_wait_file "$dir/$name.port" 10
	port=$(cat "$dir/$name.port")
	t_wait_port "$port" 10
}

# A store with one customer per channel whose birthday is today.
setup() { # NAME SMTP-PORT [EXTRA-CONF]
	name=$1
	cat >"$dir/$name.conf" <<CONF
store = "$(t_store "$dir/$name.db")";
company = "Acme Trading";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
daemon: { state_dir = "$dir/$name.state"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; };
  retry_base_seconds = 1; retry_max_seconds = 2; max_attempts = 4; };
email: { transport = "smtp"; url = "smtp://127.0.0.1:$2"; tls = "none";
  username = "outreachd"; password_file = "$dir/$name.pw";
  helo = "outreachd.test"; from = "greetings@acme.example";
  from_name = "Acme Trading"; };
http: { base_url = "https://crm.acme.example"; };
$3
CONF
	mkdir -p "$dir/$name.state"
	ctl() { "$CTL" -c "$dir/$name.conf" "$@"; }
	ctl rep add li --name '李娜' --email li.na@acme.example --phone 13911112222 >/dev/null
	printf 'external_id,name,salutation,email,birthday,rep,locale,hobby\n' >"$dir/$name.csv"
	printf 'E1,张伟,张总,zhang.wei@example.test,1980-%s,li,zh_CN,茶道\n' "${today#*-}" >>"$dir/$name.csv"
	printf 'E2,"Brown, Alice",Ms. Brown,alice@example.test,1975-%s,li,en,golf\n' "${today#*-}" >>"$dir/$name.csv"
	ctl import customers "$dir/$name.csv" >/dev/null
	ctl scan
}

# 1. A normal run: two messages, raw headers and bodies checked.
start_smtpd ok
setup ok "$port"
out=$(ctl send 2>&1)
t_like "$out" "2 queued, 2 sent" "send: both birthday e-mails accepted"
t_is "$(ctl outbox --json | js '[m["state"] for m in d]')" "['sent', 'sent']" "outbox: both sent"
t_is "$(ls "$dir/ok.mail/new/"*.eml | wc -l)" 2 "the server stored two messages"
for f in "$dir/ok.mail/new/"*.eml; do
	/usr/bin/python3 "$top/tests/mime_check.py" "$f" >"$f.json" 2>"$f.err" ||
		t_diag "mime_check $f: $(cat "$f.err")"
done
zh=$(grep -l 'zhang.wei' "$dir/ok.mail/new/"*.eml | head -1)
en=$(grep -l 'alice@' "$dir/ok.mail/new/"*.eml | head -1)
t_is "$(js 'd["to"]' <"$zh.json")" "张伟 <zhang.wei@example.test>" "To: with an RFC 2047 display name, decoded"
t_like "$(js 'd["from"]' <"$zh.json")" "^李娜 \\| Acme Trading <greetings@acme.example>$" "From: the rep's name with the company"
t_like "$(js 'd["subject"]' <"$zh.json")" "张总" "Subject: carries the salutation"
t_like "$(js 'd["text"]' <"$zh.json")" "茶道" "body: the personal line from a custom attribute"
t_like "$(js 'd["text"]' <"$zh.json")" "https://crm.acme.example/u/" "body: the opt-out link"
t_like "$(cat "$zh")" $'List-Unsubscribe: <https://crm.acme.example/u/[A-Za-z0-9_-]+>\r' "List-Unsubscribe header (RFC 8058)"
t_like "$(cat "$zh")" $'List-Unsubscribe-Post: List-Unsubscribe=One-Click\r' "List-Unsubscribe-Post header"
t_like "$(cat "$zh")" "Message-ID: <birthday\\.1\\.$today\\.email@outreachd\\.test>" "Message-ID derived from the dedup key"
t_like "$(cat "$zh")" $'Content-Type: text/plain; charset=UTF-8' "text/plain; charset=UTF-8"
t_like "$(cat "$zh")" $'Subject: =\\?UTF-8\\?B\\?' "non-ASCII subject as encoded-words"
t_like "$(cat "$zh")" $'Reply-To: li.na@acme.example' "Reply-To: the rep"
t_like "$(cat "$en")" $'To: "Brown, Alice" <alice@example.test>' "ASCII display name with a comma is quoted"
t_like "$(cat "$dir/ok.mail/new/"*.env)" "X-Auth-User: outreachd" "the server saw AUTH"
t_like "$(cat "$dir/ok.mail/new/"*.env)" "X-Helo: outreachd.test" "EHLO name from the configuration"
out=$(ctl send 2>&1)
t_like "$out" "0 queued, 0 sent" "a second pass sends nothing again"
t_is "$(ls "$dir/ok.mail/new/"*.eml | wc -l)" 2 "still two messages at the server"

# 2. A server that answers 451 twice, then accepts: retried, then sent.
start_smtpd tf --fail-first 2 --fail-code 451
setup tf "$port"
out=$(ctl send 2>&1)
t_like "$out" "2 to retry" "451: both messages to retry"
j=$(ctl outbox --json)
t_is "$(echo "$j" | js '[(m["state"], m["attempts"]) for m in d]')" "[('retry', 1), ('retry', 1)]" "outbox: retry after one attempt"
t_like "$(echo "$j" | js 'd[0]["last_error"]')" "^451 " "the server's 451 is recorded"
for _ in 1 2 3 4 5 6; do
	sleep 1
	ctl send >/dev/null 2>&1
	[ "$(ctl outbox --state sent --json | js 'len(d)')" = 2 ] && break
done
t_is "$(ctl outbox --json | js '[m["state"] for m in d]')" "['sent', 'sent']" "sent once the server accepts"
t_is "$(ls "$dir/tf.mail/new/"*.eml | wc -l)" 2 "exactly two messages arrived"

# 3. A server that rejects every message with 550: permanent failure.
start_smtpd rj --reject-data-code 550
setup rj "$port"
ctl send >/dev/null 2>&1
j=$(ctl outbox --json)
t_is "$(echo "$j" | js '[(m["state"], m["attempts"]) for m in d]')" "[('failed', 1), ('failed', 1)]" "550: failed at once, no retry"
t_like "$(echo "$j" | js 'd[0]["last_error"]')" "^550 " "the server's 550 text is recorded"
t_is "$(ctl retry --failed)" "2 messages will be sent again" "retry --failed requeues them"
t_is "$(ctl outbox --state retry --json | js 'len(d)')" 2 "both back in the queue"

# 4. A wrong password: AUTH refused, the message is retried, never lost.
start_smtpd au
setup au "$port"
printf 'wrong\n' >"$dir/au.pw"
ctl send >/dev/null 2>&1
t_is "$(ctl outbox --json | js '[m["state"] for m in d]')" "['retry', 'retry']" "refused login: retry, not loss"

# 5. STARTTLS required (the default): a server with a self-signed
# certificate is refused until its CA is configured; then the message goes
# over TLS.  A server without STARTTLS is never sent to in the clear.
if "$peers/mkcert.sh" "$dir/tls" >/dev/null 2>&1; then
	start_smtpd tls --starttls "$dir/tls/cert.pem" "$dir/tls/key.pem" --require-starttls
	setup tls "$port"
	sed -i 's/tls = "none";//' "$dir/tls.conf"
	ctl send >/dev/null 2>&1
	j=$(ctl outbox --json)
	t_is "$(echo "$j" | js '[m["state"] for m in d]')" "['retry', 'retry']" "unknown CA: not sent (verification is on), retried"
	t_like "$(echo "$j" | js 'd[0]["last_error"]')" "SSL|certificate" "the TLS error is recorded"
	sed -i "s|username = \"outreachd\";|username = \"outreachd\"; ca_file = \"$dir/tls/cert.pem\";|" "$dir/tls.conf"
	sleep 2
	ctl send >/dev/null 2>&1
	t_is "$(ctl outbox --json | js '[m["state"] for m in d]')" "['sent', 'sent']" "with ca_file: sent"
	t_like "$(cat "$dir/tls.mail/new/"*.env)" "X-TLS: yes" "the server saw TLS"
	start_smtpd plain
	setup plain "$port"
	sed -i 's/tls = "none";//' "$dir/plain.conf"
	ctl send >/dev/null 2>&1
	t_is "$(ls "$dir/plain.mail/new" 2>/dev/null | wc -l)" 0 "no STARTTLS offered: nothing sent in the clear"
	t_is "$(ctl outbox --json | js '[m["state"] for m in d]')" "['retry', 'retry']" "and the messages wait"
else
	t_skip 6 "openssl not available"
fi

# 6. Pacing with the embedded maildir transport: a dry run changes
# nothing; a rate of 2 per minute sends 2 of 3 and keeps the third for the
# next window (counted across passes, not per run).
cat >"$dir/rate.conf" <<CONF
store = "$(t_store "$dir/rate.db")";
templates = "$top/templates";
daemon: { state_dir = "$dir/rate"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
email: { rate = { messages = 2; seconds = 60; }; };
CONF
rctl() { "$CTL" -c "$dir/rate.conf" "$@"; }
printf 'external_id,name,email,birthday
' >"$dir/rate.csv"
for i in 1 2 3; do printf 'P%d,Pace %d,p%d@example.test,1980-%s\n' $i $i $i "$(date +%m-%d)" >>"$dir/rate.csv"; done
rctl import customers "$dir/rate.csv" >/dev/null
rctl scan
rctl send >/dev/null   # queue and send: the rate lets two through
t_is "$(rctl outbox --json | js 'sorted(m["state"] for m in d)')" "['pending', 'sent', 'sent']" \
	"rate 2 per 60 s: two sent, the third waits"
t_like "$(rctl send --dry-run)" "0 sent" "a dry run sends nothing"
t_is "$(rctl outbox --json | js 'sorted(m["state"] for m in d)')" "['pending', 'sent', 'sent']" "and changes nothing"
rctl send >/dev/null
t_is "$(rctl outbox --state sent --json | js 'len(d)')" 2 "a second pass in the same minute still sends only two"
t_is "$(ls "$dir/rate/maildir/email/new" | wc -l)" 2 "two messages in the maildir"

# 6b. Opt-outs and caps are checked again at the send, a page at a time:
# Q1 opts out after its greeting was queued; Q2's birthday and
# anniversary, both queued under the default cap of 2, meet a cap of 1 by
# the send: the first goes, the second (of the same page) is suppressed.
cat >"$dir/gate.conf" <<CONF
store = "$(t_store "$dir/gate.db")";
templates = "$top/templates";
daemon: { state_dir = "$dir/gate"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
CONF
gctl() { "$CTL" -c "$dir/gate.conf" "$@"; }
md=$(date +%m-%d)
gate_csv() { # Q1-OPT-OUT
	printf 'external_id,name,email,birthday,anniversary,opt_out\n'
	printf 'Q1,Q One,q1@example.test,1980-%s,,%s\n' "$md" "$1"
	printf 'Q2,Q Two,q2@example.test,1980-%s,2010-%s,\n' "$md" "$md"
	printf 'Q3,Q Three,q3@example.test,1980-%s,,\n' "$md"
}
gate_csv "" >"$dir/gate1.csv"
gate_csv email >"$dir/gate2.csv"
gctl import customers "$dir/gate1.csv" >/dev/null
gctl scan
gctl outbox hold >/dev/null
gctl send >/dev/null	# queued, held
t_is "$(gctl outbox --json | js 'sorted(m["state"] for m in d)')" "['pending', 'pending', 'pending', 'pending']" \
	"four greetings queued"
gctl import customers "$dir/gate2.csv" >/dev/null
echo 'planner: { frequency_cap = { messages = 1; }; };' >>"$dir/gate.conf"
gctl outbox release >/dev/null
gctl send >/dev/null
t_is "$(gctl outbox --json | js 'sorted((m["key"].split(":")[0] + ":" + m["key"].split(":")[1], m["state"], m["last_error"]) for m in d)')" \
	"[('anniversary:2', 'suppressed', 'frequency cap reached'), ('birthday:1', 'suppressed', 'opted out'), ('birthday:2', 'sent', None), ('birthday:3', 'sent', None)]" \
	"at the send: the opt-out since queueing and the cap suppress, the others go"
t_is "$(ls "$dir/gate/maildir/email/new" | wc -l)" 2 "two messages in the maildir"

# 7. SMS through Kannel, Chinese and English.
if "$peers/kannel.sh" start "$dir/kannel" >"$dir/kannel.out" 2>&1; then
	t_cleanup_push "$peers/kannel.sh stop '$dir/kannel' >/dev/null 2>&1"
	. "$dir/kannel/env"
	printf '%s\n' "$KANNEL_PASS" >"$dir/sms.pw"
	cat >"$dir/sms.conf" <<CONF
store = "$(t_store "$dir/sms.db")";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
daemon: { state_dir = "$dir"; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
sms: { transport = "kannel"; url = "$KANNEL_SENDSMS_URL"; username = "$KANNEL_USER";
  password_file = "$dir/sms.pw"; sender = "Acme"; };
CONF
	sctl() { "$CTL" -c "$dir/sms.conf" "$@"; }
	sctl rep add li --name '李娜' --phone 13911112222 >/dev/null
	printf 'external_id,name,salutation,phone,birthday,rep,locale,channel\n' >"$dir/sms.csv"
	printf 'S1,张伟,张总,138 0013 8000,1980-%s,li,zh_CN,sms\n' "${today#*-}" >>"$dir/sms.csv"
	printf 'S2,Bob Lee,Mr. Lee,+44 20 7946 0018,1975-%s,li,en,sms\n' "${today#*-}" >>"$dir/sms.csv"
	sctl import customers "$dir/sms.csv" >/dev/null
	sctl scan
	t_like "$(sctl send 2>&1)" "2 queued, 2 sent" "two SMS accepted by Kannel"
	t_wait_until 10 grep -q 'Got message 2' "$KANNEL_FAKESMSC_LOG"
	got=$(/usr/bin/python3 "$peers/fakesmsc_decode.py" "$KANNEL_FAKESMSC_LOG")
	zhsms=$(sctl render birthday S1 --channel sms | tail -1)
	t_is "$(echo "$got" | python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m["to"].endswith("8613800138000"): print(m["text"])')" "$zhsms" "the Chinese SMS arrived exactly as rendered (UCS-2)"
	ensms=$(sctl render birthday S2 --channel sms | tail -1)
	t_is "$(echo "$got" | python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m["to"].endswith("442079460018"): print(m["text"], m["parts"])')" "$ensms 2" \
		"the English SMS (with the rep's Chinese name: UCS-2) arrived whole in 2 parts"
else
	t_skip 2 "Kannel did not start: $(tail -1 "$dir/kannel.out")"
fi
t_done
