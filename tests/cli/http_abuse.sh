#!/bin/bash
# The public HTTP port against abusive requests: a flood of guessed tokens
# and one-click unsubscribes (counted in /metrics, summed up in the log
# instead of a line each, 429 past the per-address rate), the Kannel
# callbacks' secret (constant-time, never for HEAD, delivery reports only
# for SMS), log injection through a callback argument, and the shapes of
# request smuggling, refused on raw sockets as soon as the headers are in.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
fx="$top/tests/fixtures/plan"
command -v faketime >/dev/null || t_skip_all "faketime not installed"
command -v curl >/dev/null || t_skip_all "curl not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
"$T_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.3", 0))' 2>/dev/null ||
	t_skip_all "127.0.0.3 is not a local address here"
dir=$(t_tmpdir)
conf="$dir/o.conf"
port=$(t_freeport)
B="http://127.0.0.1:$port"
ctl() { "$CTL" -c "$conf" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
jf() { printf '%s' "$1" | js "$2"; }
cat >"$conf" <<CONF
store = "$(t_store "$dir/o.db")";
company = "Acme Trading";
timezone = "Asia/Shanghai";
country_code = "86";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; scan_interval = 86400; };
delivery: { quiet_hours = { start = "00:00"; end = "00:00"; }; };
email: { transport = "maildir"; };
sms: { transport = "maildir"; };
http: { listen = "127.0.0.1:$port"; base_url = "$B"; write_rate_per_ip = 30; };
CONF
faketime '2027-01-29 10:00:00' "$CTL" -c "$conf" rep add li --name '李娜' >/dev/null
faketime '2027-01-29 10:00:00' "$CTL" -c "$conf" rep add smith --name 'Anna Smith' >/dev/null
# History is imported once it has happened (contacts of 2027-02-01).
for k in customers purchases contacts; do
	at='2027-01-29 10:00:00'
	[ $k = customers ] || at='2027-02-01 10:00:00'
	faketime "$at" "$CTL" -c "$conf" import $k "$fx/$k.csv" >/dev/null 2>&1
done
# B01's (tier A) birthday is her rep's to send; H01's goes by SMS, for
# the delivery reports below.
printf 'external_id,name,phone,birthday,tier,channel\nH01,Hu Sms,13700137001,1985-02-28,C,sms\n' >"$dir/h.csv"
faketime '2027-01-29 10:00:00' "$CTL" -c "$conf" import customers "$dir/h.csv" >/dev/null 2>&1
t_ok "scan and send (outreachd --once)" faketime '2027-02-28 08:00:00' "$OUTREACHD" -c "$conf" --once
t_bg "$dir/d.pid" "$OUTREACHD" -c "$conf" --foreground --log-level info
pid=$T_BG_PID
t_ok "outreachd listens" t_wait_port "$port" 10 "$pid"
scanned() { curl -s "$B/metrics" | grep -Eq '^outreachd_last_scan_timestamp_seconds [1-9]'; }
t_ok "the first scan is done" t_wait_until 20 scanned
log="$dir/d.log"

# --- the callback secret ---------------------------------------------------
sf="$dir/state/callback.secret"
t_ok "the daemon made the callback secret at start" test -s "$sf"
t_is "$(stat -c %a "$sf")" 600 "readable by its owner only"
sec=$(head -1 "$sf")
t_like "$sec" '^[0-9a-f]{64}$' "256 random bits in hex"
state() { ctl outbox --json | js "[m['state'] for m in d if m['id']==$1][0]"; }
sms=$(ctl outbox --json | js '[m["id"] for m in d if m["channel"]=="sms" and m["state"]=="sent"][0]')
mail=$(ctl outbox --json | js '[m["id"] for m in d if m["channel"]=="email" and m["state"]=="sent"][0]')
dlr="$B/callbacks/kannel/dlr"
t_is "$(code "$dlr?id=$sms&status=1")" 403 "a delivery report without the secret: 403"
wrong=${sec%?}; [ "${sec: -1}" = a ] && wrong=${wrong}b || wrong=${wrong}a
t_is "$(code "$dlr?secret=$wrong&id=$sms&status=1")" 403 "with a wrong secret: 403"
t_is "$(code "$dlr?secret=$sec$sec&id=$sms&status=1")" 403 "with the secret twice over: 403"
t_is "$(state "$sms")" sent "the SMS is still sent"
t_is "$(code -I "$dlr?secret=$sec&id=$sms&status=1")" 200 "HEAD with the secret: 200"
t_is "$(state "$sms")" sent "but HEAD changes nothing"
t_is "$(code "$dlr?secret=$sec&id=$sms&status=1")" 200 "GET with the secret: 200"
t_is "$(state "$sms")" delivered "the SMS is delivered"
t_is "$(code "$dlr?secret=$sec&id=$mail&status=2")" 200 "a delivery report naming an e-mail: 200 (Kannel needs no retry)"
t_is "$(state "$mail")" sent "but the e-mail is not touched"
t_like "$(cat "$log")" "delivery report for message $mail, which is not a sent SMS" "and the log says why"
optout() { ctl customer show "$1" --json | js 'd["opt_out"]'; }
in="$B/callbacks/kannel/inbound"
t_is "$(code "$in?from=13800138000&text=TD")" 403 "an inbound STOP without the secret: 403"
t_is "$(code -I "$in?secret=$sec&from=13800138000&text=TD")" 200 "HEAD with the secret: 200"
t_is "$(optout B01)" None "and nobody opted out"
t_is "$(code "$in?secret=$sec&from=13800138000&text=TD")" 200 "GET with the secret: 200"
t_is "$(optout B01)" sms "B01 opted out of SMS"
t_is "$(code -H 'X-Forwarded-For: 203.0.113.9' "$in?secret=$sec&from=1&text=TD")" 403 \
	"the secret through a proxy: still 403"

# --- a log line forged through a callback argument --------------------------
# %0A<2> would start a journald line at level crit.
t_is "$(code "$dlr?secret=$sec&id=1%0A%3C2%3Eforged&status=1%0D%0A%3C2%3Etoo")" 400 \
	"a delivery report with a newline in its id: 400"
t_is "$(grep -c '^<2>' "$log")" 0 "no line of the log was forged"
t_like "$(cat "$log")" 'DLR with a bad id "1\\x0a<2>forged"' "the id is logged quoted"
t_is "$(code "$B/callbacks/kannel/dlr%0A%3C2%3Eforged")" 404 "a newline in the path: 404"
t_is "$(grep -c '^<2>' "$log")" 0 "nor through the path"

# --- a flood of guessed tokens -----------------------------------------------
# From 127.0.0.3, on two keep-alive connections, for 3 s: guessed
# unsubscribe and feed tokens, and one-click POSTs (30 a minute allowed).
before=$(wc -l <"$log")
spray=$("$T_PY" "$top/tests/http_flood.py" spray "$port" --seconds 3 --conns 2 --post --src 127.0.0.3)
during=$(($(wc -l <"$log") - before))
t_diag "spray: $spray; log lines meanwhile: $during"
n404=$(jf "$spray" 'd["status"].get("404", 0)')
n429=$(jf "$spray" 'd["status"].get("429", 0)')
t_like "$(jf "$spray" 'd["requests"] > 300')" True "the flood made its requests ($(jf "$spray" 'd["requests"]'))"
t_like "$during" '^[0-2]$' "the log got at most 2 lines meanwhile, not one per request ($during)"
t_like "$n429" '^[1-9][0-9]*$' "one-click POSTs past 30 a minute: 429 ($n429)"
t_like "$(jf "$spray" 'd.get("retry_after")')" '^[1-9]$' "with Retry-After"
t_is "$(jf "$spray" 'd["status"].get("200", 0)')" 0 "no guess succeeded"
t_is "$(code -X POST --interface 127.0.0.3 "$B/u/AAAAAAAAAAAAAAAAAAAAAA")" 429 \
	"the flooding address is still over its rate"
m=$(curl -s "$B/metrics")
t_like "$m" $'\noutreachd_http_bad_requests_total\\{reason="invalid_token"\\} '"$n404"$'\n' \
	"/metrics: every guessed token counted ($n404)"
t_like "$m" $'\noutreachd_http_bad_requests_total\\{reason="rate_limited"\\} '"$((n429 + 1))"$'\n' \
	"/metrics: every 429 counted"
t_like "$m" $'\noutreachd_http_bad_requests_total\\{reason="forbidden"\\} [1-9]' \
	"/metrics: the refused callbacks counted"
guesses() { grep -o '[0-9]* invalid token requests' "$log" | awk '{ n += $1 } END { print n + 0 }'; }
t_ok "within 10 s the log sums the flood up: $n404 guesses" \
	t_wait_until 12 eval '[ "$(guesses)" = "$n404" ]'
t_diag "$(grep 'http: in the last' "$log")"
t_is "$(grep -c 'invalid token' "$log")" "$(grep -c 'http: in the last .*invalid token requests' "$log")" \
	"no line per guess, only the summaries"
t_is "$(code -X POST --interface 127.0.0.4 "$B/u/AAAAAAAAAAAAAAAAAAAAAA")" 404 "another address is not"
t_is "$(code --interface 127.0.0.3 "$dlr?secret=$sec&id=$sms&status=1")" 200 \
	"Kannel with the secret is never rate limited"

# --- request smuggling, on raw sockets ---------------------------------------
# Each request is sent whole, followed by a GET /metrics; the answer must
# come at once (not after a timeout), and the GET must not be answered
# (read as a request of its own).  (libmicrohttpd 0.9.75 sends the head
# of its own 400 twice: answers are told apart by their status.)
raw() { "$T_PY" - "$port" "$1" <<'EOF'
import re, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
t0, data, closed = time.monotonic(), b"", False
try:
    while True:
        d = s.recv(65536)
        if not d:
            closed = True
            break
        data += d
except socket.timeout:
    pass
except OSError:  # reset: the server closed with the rest unread
    closed = True
line = data.split(b"\r\n")[0].decode()
codes = sorted(set(c.decode() for c in re.findall(rb"HTTP/1.1 (\d{3}) ", data)))
print("%s|%s|%s|%.1f" % (line, ",".join(codes), "closed" if closed else "open",
                         time.monotonic() - t0))
EOF
}
next='GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n'
refused() { # STATUS DESCRIPTION REQUEST
	local r
	r=$(raw "$3")
	t_like "$r" "^HTTP/1.1 $1 [^|]*\\|$1\\|closed\\|0\\.[0-9]$" "$2: $1 at once, connection closed ($r)"
}
refused 400 "two different Content-Length values" \
	"POST /u/AAAA HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: ${#next}\r\n\r\nx=1&y$next"
refused 400 "Content-Length: 5, 6" \
	"POST /u/AAAA HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nx=1&y$next"
refused 400 "Content-Length with Transfer-Encoding" \
	"POST /u/AAAA HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n$next"
refused 400 "Transfer-Encoding: xchunked" \
	"POST /u/AAAA HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nx=1&y\r\n0\r\n\r\n$next"
refused 400 "Transfer-Encoding: chunked, chunked" \
	"POST /u/AAAA HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n$next"
refused 400 "two Transfer-Encoding headers" \
	"POST /u/AAAA HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n$next"
refused 411 "an oversized chunk size (chunked bodies need Content-Length)" \
	"POST /u/AAAA HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\nx"
refused 413 "Content-Length: 100000 (bodies of more than 64 KiB)" \
	"POST /u/AAAA HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\nx"
r=$(raw "GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n")
t_like "$r" '^HTTP/1.1 200 ' "the same Content-Length twice is fine ($r)"
r=$(raw "POST /u/AAAA HTTP/1.1\r\nHost: a\r\nContent-Length: 26\r\n\r\nList-Unsubscribe=One-Click$next")
t_like "$r" '^HTTP/1.1 404 [^|]*\|200,404\|' "a well-framed POST and the next request: both answered ($r)"
m=$(curl -s "$B/metrics")
t_like "$m" $'\noutreachd_http_bad_requests_total\\{reason="malformed"\\} ([8-9]|[1-9][0-9])\n' \
	"/metrics counts the refused requests"
t_is "$(curl -s "$B/healthz")" ok "the daemon is fine"
kill -TERM "$pid"
wait "$pid"
t_is "$?" 0 "SIGTERM: exit 0"
t_done
