#!/bin/bash
# Broken peers: an SMTP server that drops the connection in the middle of
# DATA, one that answers too slowly (client timeout), and an HTTP SMS
# gateway (the generic JSON preset) that answers 429 with Retry-After
# before it comes back.  Messages are retried, never lost, and the
# gateway's Retry-After is honoured.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
peers="$top/tests/peers"
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || t_skip_all "python3-aiosmtpd not installed"
dir=$(t_tmpdir)
js() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
today=$(date +%m-%d)

setup() { # NAME EXTRA-CONF
	cat >"$dir/$1.conf" <<CONF
store = "$dir/$1.db";
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
smtpd() { # NAME ARGS...
	n=$1; shift
	t_bg "$dir/$n.pid" /usr/bin/python3 "$peers/smtpd.py" --port 0 --portfile "$dir/$n.port" \
		--maildir "$dir/$n.mail" --owner-pid $$ --quiet "$@"
	t_wait_file "$dir/$n.port" 10
	port=$(cat "$dir/$n.port")
	t_wait_port "$port" 10
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
setup slow "email: { transport = \"smtp\"; url = \"smtp://127.0.0.1:$port\"; tls = \"none\"; from = \"a@acme.example\"; timeout_seconds = 1; connections = 2; };"
ctl import customers "$dir/slow.csv" >/dev/null
ctl scan
start=$(date +%s)
ctl send >/dev/null 2>&1
t_ok "a slow server: the pass ends at the timeout, not later" test $(( $(date +%s) - start )) -le 3
j=$(ctl outbox --json)
t_is "$(echo "$j" | js '[m["state"] for m in d]')" "['retry', 'retry']" "timed-out messages are to retry"
t_like "$(echo "$j" | js 'd[0]["last_error"]')" "[Tt]imeout|timed out" "the timeout is recorded"

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
nb=$(echo "$j" | js 'd[0]["not_before"]')
t_ok "Retry-After: 2 is honoured over the 1 s backoff ($nb)" python3 -c "
import datetime, sys
nb = datetime.datetime.strptime('$nb', '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
sys.exit(0 if (nb - datetime.datetime.now(datetime.timezone.utc)).total_seconds() > 0.5 else 1)"
t_ok "the gateway comes back: both sent" until_sent 2
t_is "$(ctl outbox --json | js '[m["provider_id"] for m in d]')" "['msg-42', 'msg-42']" "the provider id comes from id_regex"
last=$(tail -1 "$dir/gw.requests")
t_like "$(echo "$last" | js 'd["headers"]["Authorization"]')" "^Bearer tok3n-" "the secret goes in the header template"
t_like "$(echo "$last" | js 'd["body"]')" '"to": "\+861380013800[12]"' "a JSON body with the E.164 number"
t_done
