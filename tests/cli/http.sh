#!/bin/bash
# The daemon's HTTP service, black-box on 127.0.0.1: feeds with tokens,
# ETag/304 and gzip, a subscribed calendar (vdirsyncer + khal), one-click
# unsubscribe, Kannel's delivery reports and inbound STOP through its fake
# SMSC, /healthz, /metrics, bad requests, 200 concurrent clients, a reload
# and a clean SIGTERM.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
OUTREACHD=${OUTREACHD:-$(dirname "$CTL")/outreachd}
top=$(cd "$(dirname "$0")/../.." && pwd)
fx="$top/tests/fixtures/plan"
command -v faketime >/dev/null || t_skip_all "faketime not installed"
command -v curl >/dev/null || t_skip_all "curl not installed"
[ -x "$OUTREACHD" ] || t_skip_all "no outreachd at $OUTREACHD"
"$T_PY" -c 'import icalendar' 2>/dev/null || t_skip_all "python3-icalendar not installed"
dir=$(t_tmpdir)
conf="$dir/o.conf"
port=$(t_freeport)
B="http://127.0.0.1:$port"
ctl() { "$CTL" -c "$conf" "$@"; }
feedinfo() { "$T_PY" "$top/tests/feed_check.py" "$1"; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
mkconf() { # HTTP-SETTINGS
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
http: { listen = "127.0.0.1:$port"; base_url = "$B"; $1 };
CONF
}
mkconf ""

# The fixture store; a scan on 2027-02-28 plans tasks and "sends" the
# day's messages into maildirs (their unsubscribe links are used below).
faketime '2027-01-29 10:00:00' "$CTL" -c "$conf" rep add li --name '李娜' >/dev/null
faketime '2027-01-29 10:00:00' "$CTL" -c "$conf" rep add smith --name 'Anna Smith' >/dev/null
# History is imported once it has happened (contacts of 2027-02-01).
for k in customers purchases contacts; do
	at='2027-01-29 10:00:00'
	[ $k = customers ] || at='2027-02-01 10:00:00'
	faketime "$at" "$CTL" -c "$conf" import $k "$fx/$k.csv" >/dev/null 2>&1
done
# B01's (tier A) birthday is her rep's to send; H01's goes by SMS, for
# the delivery report below.
printf 'external_id,name,phone,birthday,tier,channel\nH01,Hu Sms,13700137001,1985-02-28,C,sms\n' >"$dir/h.csv"
faketime '2027-01-29 10:00:00' "$CTL" -c "$conf" import customers "$dir/h.csv" >/dev/null 2>&1
t_ok "scan and send (outreachd --once)" faketime '2027-02-28 08:00:00' "$OUTREACHD" -c "$conf" --once

start_daemon() {
	t_bg "$dir/d.pid" "$OUTREACHD" -c "$conf" --foreground --log-level info
	pid=$T_BG_PID
	t_wait_port "$port" 10 "$pid"
}
start_daemon
t_is "$?" 0 "outreachd listens on 127.0.0.1:$port"
# The daemon scans at start (real time); wait for it so counts are stable.
scanned() { curl -s "$B/metrics" | grep -Eq '^outreachd_last_scan_timestamp_seconds [1-9]'; }
t_ok "the first scan is done" t_wait_until 20 scanned

# --- feeds -----------------------------------------------------------------
urls=$(ctl rep token smith 2>/dev/null)
fu=$(echo "$urls" | sed -n 1p)
bu=$(echo "$urls" | sed -n 2p)
tok=${fu#"$B/feeds/"}; tok=${tok%%/*}
curl -s -D "$dir/h1" -o "$dir/f1.ics" "$fu"
t_like "$(head -1 "$dir/h1")" "^HTTP/1.1 200" "follow-up feed: 200"
t_like "$(cat "$dir/h1")" $'Content-Type: text/calendar; charset=utf-8\r' "Content-Type text/calendar; charset=utf-8"
t_like "$(cat "$dir/h1")" $'Cache-Control: private, max-age=[0-9]+\r' "Cache-Control: private, max-age"
t_like "$(cat "$dir/h1")" $'Last-Modified: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT\r' "Last-Modified"
etag=$(sed -n 's/^ETag: \(.*\)\r$/\1/p' "$dir/h1")
t_like "$etag" '^"[0-9a-f]+-[0-9a-f]+"$' "a strong ETag"
ntasks=$(ctl task list --rep smith --json | js 'len(d)')
t_is "$(feedinfo "$dir/f1.ics")" "{\"vevent\": $ntasks, \"vtodo\": 0, \"uids_unique\": true}" \
	"the feed parses (icalendar): one event per task of the rep ($ntasks)"
t_is "$(grep -c "^UID:task-[0-9]*@127.0.0.1" "$dir/f1.ics")" "$ntasks" "UIDs task-ID@host"
curl -s -o "$dir/b1.ics" "$bu"
t_is "$(feedinfo "$dir/b1.ics")" '{"vevent": 3, "vtodo": 0, "uids_unique": true}' "birthday feed: 3 customers"
t_is "$(curl -s "$fu" | cmp - "$dir/f1.ics" && echo same)" same "a second fetch: the same bytes"
ctl feed smith >"$dir/cli.ics"
t_is "$(cmp "$dir/cli.ics" "$dir/f1.ics" && echo same)" same "outreachctl feed gives the same bytes"

# Conditional requests.
curl -s -D "$dir/h2" -H "If-None-Match: $etag" "$fu" >"$dir/b2"
t_like "$(head -1 "$dir/h2")" "^HTTP/1.1 304" "If-None-Match with the ETag: 304"
t_is "$(wc -c <"$dir/b2")" 0 "304 has no body"
t_like "$(cat "$dir/h2")" "ETag: $etag" "304 repeats the ETag"
t_is "$(code -H "If-None-Match: \"x\", W/$etag" "$fu")" 304 "a weak or listed ETag matches too"
t_is "$(code -H 'If-None-Match: "other"' "$fu")" 200 "another ETag: 200"
t_is "$(code -H 'If-Modified-Since: Thu, 01 Jan 2015 00:00:00 GMT' "$fu")" 200 "If-Modified-Since, an older copy: 200"
t_is "$(code -H 'If-Modified-Since: Fri, 31 Dec 2100 00:00:00 GMT' "$fu")" 304 "If-Modified-Since, a current copy: 304"
t_is "$(code -H 'If-Modified-Since: yesterday' "$fu")" 200 "If-Modified-Since unparsable: 200"
hd=$(curl -s -I "$fu")
t_like "$hd" "^HTTP/1.1 200" "HEAD: 200"
t_like "$hd" "Content-Length: $(wc -c <"$dir/f1.ics")" "HEAD: the Content-Length of the feed"
curl -s -D "$dir/hz" -H 'Accept-Encoding: gzip' -o "$dir/fz.gz" "$fu"
t_like "$(cat "$dir/hz")" "Vary: Accept-Encoding" "Vary: Accept-Encoding"
if grep -q '^Content-Encoding: gzip' "$dir/hz"; then
	t_is "$(gzip -dc "$dir/fz.gz" | cmp - "$dir/f1.ics" && echo same)" same "gzip: the same feed, compressed"
	t_unlike "$(sed -n 's/^ETag: \(.*\)\r$/\1/p' "$dir/hz")" "^$etag\$" "gzip: its own ETag"
else
	t_skip 2 "built without zlib"
fi

# Wrong tokens and paths: one 404 for all.
nf=$(curl -s "$B/nothing/here")
t_is "$nf" "Not Found" "an unknown path: 404 Not Found"
t_is "$(code "$B/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAA/followups.ics")/$(curl -s "$B/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAA/followups.ics")" \
	"404/$nf" "a wrong token: the same 404"
t_is "$(code "$B/feeds//followups.ics")" 404 "a missing token: 404"
t_is "$(code "$B/feeds/$tok/other.ics")" 404 "an unknown feed name: 404"
t_is "$(code "$B/feeds/$tok")" 404 "no feed name: 404"
t_is "$(code "$B/feeds/$tok%2F..%2F/followups.ics")" 404 "an escaped slash in the token: 404"
t_is "$(code -X POST "$fu")" 405 "POST to a feed: 405"
t_is "$(curl -s -o /dev/null -D - -X PUT "$B/healthz" | tr -d '\r' | grep -E '^(HTTP|Allow)' | tr '\n' ' ')" \
	"HTTP/1.1 405 Method Not Allowed Allow: GET, HEAD, POST " "PUT: 405 with Allow"
t_is "$(code -X DELETE "$fu")" 405 "DELETE: 405"
long=$(head -c 40000 /dev/zero | tr '\0' a)
t_like "$(code "$B/feeds/$long/followups.ics")" "^(400|414|431)$" "a 40 kB path: refused, not a crash"
t_like "$(code "$B/feeds/${long:0:5000}/followups.ics")" "^(404|414)$" "a 5 kB path: 414"
t_like "$(code -H "X-Big: $long" "$B/healthz")" "^(400|431)$" "a 40 kB header: 431"
raw() { "$T_PY" - "$port" "$1" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
print(s.recv(200).split(b"\r\n")[0].decode())
EOF
}
t_like "$(raw 'GARBAGE\r\n\r\n')" "^(HTTP/1.1 400.*)?$" "a malformed request line: 400 or closed"
t_like "$(raw 'GET /healthz HTTP/1.1\r\nNoColonHere\r\n\r\n')" "^HTTP/1.1 400" "a malformed header: 400"
t_like "$(raw 'GET /healthz HTTP/1.1\r\n\r\n')" "^HTTP/1.1 400" "HTTP/1.1 without Host: 400"
t_is "$(curl -s "$B/healthz")" "ok" "still alive after all that"

# Rotating the token retires the old URLs.
urls2=$(ctl rep token smith 2>/dev/null)
t_is "$(code "$fu")" 404 "after rep token: the old URL is 404"
fu=$(echo "$urls2" | sed -n 1p)
# The same events, but every task link is signed for the new token.
links() { grep -E '^(UID|URL):' "$1"; }
curl -s -o "$dir/f1b.ics" "$fu"
t_is "$(links "$dir/f1b.ics" | grep -c ^UID)/$(links "$dir/f1b.ics" | grep -c ^URL)" \
	"$(links "$dir/f1.ics" | grep -c ^UID)/$(links "$dir/f1.ics" | grep -c ^UID)" \
	"the new URL serves the same events, each with a task link"
t_is "$(links "$dir/f1b.ics" | grep ^URL | sort | comm -12 - <(links "$dir/f1.ics" | grep ^URL | sort) | wc -l)" 0 \
	"the task links changed with the token"

# A done task shows as completed on the next fetch.
tid=$(ctl task list --rep smith --json | js '[t["id"] for t in d if t["customer"]=="R01"][0]')
ctl task done "$tid" --note 'ordered tea' >/dev/null
curl -s -D "$dir/h3" -H "If-None-Match: $etag" "$fu" >"$dir/f3.ics"
t_like "$(head -1 "$dir/h3")" "^HTTP/1.1 200" "after task done: the old ETag no longer matches"
cal() { "$T_PY" - "$@" <<'EOF'
import icalendar, sys
cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
for ev in cal.walk("VEVENT"):
    if str(ev["UID"]) == sys.argv[2]:
        print("%s|%s" % (ev["SUMMARY"], ev["SEQUENCE"]))
EOF
}
t_is "$(cal "$dir/f3.ics" "task-$tid@127.0.0.1")" "✓ Call Bob Revisit (tier B)|1" \
	"the done task is marked done, SEQUENCE 1"
t_is "$(feedinfo "$dir/f3.ics")" "{\"vevent\": $ntasks, \"vtodo\": 0, \"uids_unique\": true}" "and stays in the feed"

# --- a subscribed calendar: vdirsyncer (http -> filesystem) and khal --------
if command -v vdirsyncer >/dev/null && command -v khal >/dev/null; then
	export XDG_CONFIG_HOME="$dir/xdg/config" XDG_DATA_HOME="$dir/xdg/data"
	mkdir -p "$dir/vd/cal" "$dir/vd/status" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
	cat >"$dir/vd/config" <<VD
[general]
status_path = "$dir/vd/status/"

[pair feed]
a = "feed_remote"
b = "feed_local"
collections = null

[storage feed_remote]
type = "http"
url = "$fu"

[storage feed_local]
type = "filesystem"
path = "$dir/vd/cal/"
fileext = ".ics"
VD
	cat >"$dir/vd/khal.conf" <<KHAL
[calendars]
[[feed]]
path = $dir/vd/cal/
type = calendar

[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
KHAL
	vdirsyncer -c "$dir/vd/config" discover </dev/null >"$dir/vd/log" 2>&1
	t_ok "vdirsyncer sync" vdirsyncer -c "$dir/vd/config" sync
	t_is "$(ls "$dir/vd/cal" | wc -l)" "$ntasks" "vdirsyncer stored every event ($ntasks)"
	k=$(khal -c "$dir/vd/khal.conf" list --format '{title}' 2027-02-20 30d 2>&1)
	t_like "$k" "Call Lost Lucy \\(tier C\\)" "khal lists the follow-ups"
	t_like "$k" "✓ Call Bob Revisit \\(tier B\\)" "khal shows the done task as done"
	# Google Calendar and Outlook show only an event's notes, so the task
	# link must be in DESCRIPTION as the synced copy has it: one "Open:"
	# line per event, the same link as the feed's URL, and it opens.
	k=$(khal -c "$dir/vd/khal.conf" list --format '@@{description}' 2027-02-20 30d 2>&1 |
		"$T_PY" -c '
import re, sys
evs = sys.stdin.read().split("@@")[1:]
links = [re.search(r"^Open: (\S+)$", e, re.M) for e in evs]
print(len(evs), sum(1 for m in links if m))
for m in links:
    if m:
        print(m.group(1))')
	t_is "$(echo "$k" | head -1)" "$ntasks $ntasks" "khal: every event's description has its task link"
	t_is "$(echo "$k" | tail -n +2 | sort | tr '\n' ' ')" \
		"$(sed -n 's/^URL:\(.*\)\r$/\1/p' "$dir/f3.ics" | sort | tr '\n' ' ')" \
		"the links of the feed's URL properties"
	t_is "$(code "$(echo "$k" | sed -n 2p)")" 200 "a link from khal opens the task's page"
else
	t_skip 7 "vdirsyncer or khal not installed"
fi

# --- one-click unsubscribe ---------------------------------------------------
ulink=$(grep -h '^List-Unsubscribe:' "$dir"/state/maildir/email/new/* | grep -v mailto | head -1 |
	sed 's/.*<\(http[^>]*\)>.*/\1/')
t_like "$ulink" "^$B/u/[A-Za-z0-9_-]+$" "an e-mail carries the one-click URL"
ucust=$(grep -l "$ulink" "$dir"/state/maildir/email/new/* | head -1 | xargs sed -n 's/^To: .*<\(.*\)>.*/\1/p')
uext=$(ctl customer list --json | js "[c['external_id'] for c in d if c['email']=='$ucust'][0]")
curl -s -D "$dir/uh" -o "$dir/u.html" "$ulink"
t_like "$(head -1 "$dir/uh")" "^HTTP/1.1 200" "GET /u/TOKEN: 200"
t_like "$(cat "$dir/uh")" $'Content-Type: text/html; charset=utf-8\r' "an HTML page in UTF-8"
t_like "$(cat "$dir/u.html")" '<form method="post">' "with a POST form"
cat >"$dir/check1.py" <<'EOF'
import html.parser, sys
class P(html.parser.HTMLParser):
    void = {"meta", "input", "br", "link", "img"}
    def __init__(self):
        super().__init__(); self.stack = []
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href") or (v or "").startswith("http"):
                sys.exit("external resource: %s=%s" % (k, v))
        if tag not in self.void: self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag: sys.exit("unbalanced </%s>" % tag)
data = open(sys.argv[1], encoding="utf-8").read()
assert data.startswith("<!DOCTYPE html>"), "no doctype"
p = P(); p.feed(data); p.close()
assert not p.stack, "unclosed: %s" % p.stack
EOF
t_ok "the page is well-formed, self-contained HTML" "$T_PY" "$dir/check1.py" "$dir/u.html"
t_is "$(ctl customer show "$uext" --json | js 'd["opt_out"]')" "None" "GET alone changes nothing"
bad=${ulink%?}; [ "${ulink: -1}" = A ] && bad="${bad}B" || bad="${bad}A"
t_is "$(code "$bad")" 404 "GET with a tampered token: 404"
t_is "$(code -X POST -d 'List-Unsubscribe=One-Click' "$bad")" 404 "POST with a tampered token: 404"
t_is "$(ctl customer show "$uext" --json | js 'd["opt_out"]')" "None" "and changes nothing"
curl -s -D "$dir/uh2" -o "$dir/u2.html" -X POST -d 'List-Unsubscribe=One-Click' "$ulink"
t_like "$(head -1 "$dir/uh2")" "^HTTP/1.1 200" "RFC 8058 one-click POST: 200"
t_like "$(cat "$dir/u2.html")" "no more e-mail messages" "a short confirmation page"
t_is "$(ctl customer show "$uext" --json | js 'd["opt_out"]')" "email" "the customer is opted out of e-mail at once"
t_is "$(code -X POST "$ulink")" 200 "a second POST (any body): 200, still opted out"
t_unlike "$(cat "$dir/d.log")" "${ulink##*/}" "the token is never logged"

# --- Kannel delivery reports --------------------------------------------------
# The callbacks need the secret the daemon made at start (http_abuse.sh
# tries them without).
cs=$(head -1 "$dir/state/callback.secret")
oid=$(ctl outbox --json | js '[m["id"] for m in d if m["channel"]=="sms" and m["state"]=="sent"][0]')
t_is "$(code "$B/callbacks/kannel/dlr?secret=$cs&id=$oid&status=1&answer=ACK%2Fok")" 200 "DLR callback: 200"
t_is "$(ctl outbox --json | js "[m['state'] for m in d if m['id']==$oid][0]")" "delivered" \
	"the SMS row is now delivered"
t_is "$(code "$B/callbacks/kannel/dlr?secret=$cs&id=x&status=1")" 400 "DLR with a bad id: 400"
t_is "$(code "$B/callbacks/kannel/dlr?secret=$cs&id=$oid")" 400 "DLR without a status: 400"
t_is "$(code -H 'X-Forwarded-For: 203.0.113.9' "$B/callbacks/kannel/dlr?secret=$cs&id=$oid&status=2")" 403 \
	"DLR through a proxy (X-Forwarded-For): 403"
t_is "$(code -H 'Forwarded: for=203.0.113.9' "$B/callbacks/kannel/inbound?secret=$cs&from=1&text=STOP")" 403 \
	"inbound through a proxy (Forwarded): 403"
t_is "$(ctl outbox --json | js "[m['state'] for m in d if m['id']==$oid][0]")" "delivered" "still delivered"

# --- inbound STOP through Kannel's fake SMSC -----------------------------------
kdir="$dir/kannel"
KANNEL_INBOUND_URL="$B/callbacks/kannel/inbound?secret=$cs" KANNEL_OWNER_PID=$$ \
	"$top/tests/peers/kannel.sh" start "$kdir" >"$dir/kannel.out" 2>&1
krc=$?
if [ $krc = 0 ]; then
	t_cleanup_push "'$top/tests/peers/kannel.sh' stop '$kdir'"
	optout() { ctl customer show "$1" --json | js 'd["opt_out"]'; }
	t_is "$(optout B03)" "None" "B03 has not opted out yet"
	t_ok "Kannel forwards 'TD' from B03's phone" "$top/tests/peers/kannel.sh" inbound "$kdir" 13900139000 10690000 TD
	t_is "$(optout B03)" "sms" "B03 is opted out of SMS"
	t_ok "Kannel forwards '退订' as UCS-2 from +8613800138000" "$top/tests/peers/kannel.sh" inbound "$kdir" +8613800138000 10690000 退订
	t_is "$(optout B01)" "sms" "B01 is opted out of SMS (UTF-16BE decoded)"
	t_ok "Kannel forwards an ordinary reply" "$top/tests/peers/kannel.sh" inbound "$kdir" +14155550100 10690000 'see you on Monday'
	t_is "$(optout O01)" "all" "an ordinary reply changes nothing"
	sleep 0.5
	t_unlike "$(cat "$kdir/fakesmsc-inbound.log")" "Could not fetch|sorry" "nothing was texted back"
else
	t_skip 7 "Kannel not available (kannel.sh start: $krc)"
fi

# --- health and metrics ----------------------------------------------------------
t_is "$(curl -s "$B/healthz")" "ok" "/healthz: ok"
curl -s -D "$dir/mh" -o "$dir/metrics" "$B/metrics"
m=$(cat "$dir/metrics")
t_like "$(cat "$dir/mh")" $'Content-Type: text/plain; version=0.0.4; charset=utf-8\r' "/metrics: Prometheus text 0.0.4"
t_like "$m" $'# HELP outreachd_customers [^\n]+\n# TYPE outreachd_customers gauge\n' "HELP and TYPE lines"
t_like "$m" $'\noutreachd_customers\\{tier="A"\\} 2\n' "customers by tier"
nopen=$(ctl task list --json | js 'len([t for t in d if t["status"]=="open"])')
t_like "$m" $'\noutreachd_tasks_open '"$nopen"$'\n' "open tasks ($nopen)"
t_like "$m" $'\noutreachd_outbox_messages\\{state="delivered",channel="sms"\\} 1\n' "outbox by state and channel"
t_like "$m" $'\noutreachd_outbox_oldest_due_age_seconds\\{channel="email"\\} [0-9]+\n' "oldest due message's age"
t_like "$m" $'\noutreachd_last_send_timestamp_seconds\\{channel="sms"\\} [1-9][0-9]+\n' "last send time"
t_like "$m" $'\noutreachd_sends_total\\{channel="email"\\} [0-9]+\n' "sends counter"
t_like "$m" $'\noutreachd_send_failures_total\\{channel="sms"\\} [0-9]+\n' "failures counter"
t_like "$m" $'\noutreachd_last_scan_timestamp_seconds [1-9][0-9]+\n' "last scan time"
t_like "$m" $'\noutreachd_last_scan_duration_seconds [0-9.]+\n' "last scan duration"
cat >"$dir/check2.py" <<'EOF'
import re, sys
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("#"):
        assert re.match(r"# (HELP|TYPE) [a-z_]+ .+", line), line
    else:
        assert re.match(r'[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? -?[0-9.e+]+$', line), line
EOF
t_ok "every sample line is name{labels} value" "$T_PY" "$dir/check2.py" "$dir/metrics"

# --- 200 concurrent feed requests ------------------------------------------------
cat >"$dir/check3.py" <<'EOF'
import hashlib, sys, threading, urllib.request
url, res, lock = sys.argv[1], [], threading.Lock()
def client(n):
    for _ in range(n):
        with urllib.request.urlopen(url, timeout=30) as r:
            body = r.read()
            with lock:
                res.append((r.status, hashlib.sha256(body).hexdigest()))
ts = [threading.Thread(target=client, args=(4,)) for _ in range(50)]
[t.start() for t in ts]; [t.join() for t in ts]
codes = set(c for c, _ in res); bodies = set(h for _, h in res)
print(len(res), codes, len(bodies))
assert len(res) == 200 and codes == {200} and len(bodies) == 1
EOF
t_ok "200 requests from 50 clients: all 200 with identical bodies" "$T_PY" "$dir/check3.py" "$fu"

# --- reload: the new configuration reaches the feeds -------------------------------
mkconf "with_vtodo = true; threads = 5;"
kill -HUP "$pid"
t_ok "after SIGHUP with with_vtodo = true, the feed has VTODOs" t_wait_until 10 \
	eval "curl -s '$fu' >'$dir/f4.ics' && feedinfo '$dir/f4.ics' | grep -q '\"vtodo\": $ntasks'"
t_like "$(cat "$dir/d.log")" "http: a new listen address, max_connections or threads needs a restart" \
	"a new http.threads is named as needing a restart"

# --- SIGTERM: a clean exit ---------------------------------------------------------
kill -TERM "$pid"
wait "$pid"
t_is "$?" 0 "SIGTERM: outreachd exits 0"
t_is "$(code "$B/healthz")" 000 "and no longer listens"

# A busy port: a clear message and EX_UNAVAILABLE, not a daemon without HTTP.
busy=$(t_freeport)
t_bg "$dir/busy.pid" "$T_PY" -c "import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $busy)); s.listen(); time.sleep(120)"
t_wait_port "$busy" 10 "$T_BG_PID"
sed "s|listen = \"127.0.0.1:$port\"|listen = \"127.0.0.1:$busy\"|" "$conf" >"$dir/busy.conf"
out=$("$OUTREACHD" -c "$dir/busy.conf" --foreground 2>&1); rc=$?
t_is "$rc" 69 "http.listen on a busy port: exit 69 (EX_UNAVAILABLE)"
t_like "$out" "http.listen 127.0.0.1:$busy: Address already in use" "with the address and the reason"
t_kill "$dir/busy.pid"

# http.threads: the worker threads (beside them the daemon has its main
# thread, one sender per channel, the HTTP guard's thread, which closes
# connections past their deadline, and the thread that commits the reps'
# outcomes); out of range, a clear error with the line.
t_bg "$dir/d5.pid" "$OUTREACHD" -c "$conf" --foreground
pid5=$T_BG_PID
t_wait_port "$port" 10 "$pid5"
t_ok "threads = 5: five worker threads beside the main one, two senders, the guard and the outcomes'" t_wait_until 10 \
	eval "[ \$(ls /proc/$pid5/task | wc -l) -eq 10 ]"
t_kill "$dir/d5.pid"
sed 's/threads = 5;/threads = 65;/' "$conf" >"$dir/t65.conf"
out=$("$CTL" -c "$dir/t65.conf" check-config 2>&1); rc=$?
t_is "$rc" 78 "http.threads = 65: check-config exits EX_CONFIG"
t_like "$out" "t65.conf:[0-9]+: .*threads" "with the file, line and setting"

# IPv6 loopback, when the host has it.
if "$T_PY" -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	port6=$(t_freeport)
	sed -i "s|listen = \"127.0.0.1:$port\"|listen = \"[::1]:$port6\"|" "$conf"
	t_bg "$dir/d6.pid" "$OUTREACHD" -c "$conf" --foreground
	pid6=$T_BG_PID
	t_ok "listen = \"[::1]:PORT\": /healthz over IPv6" t_wait_until 10 \
		eval "[ \"\$(curl -s -g 'http://[::1]:$port6/healthz')\" = ok ]"
	kill -TERM "$pid6"
	wait "$pid6"
	t_is "$?" 0 "and a clean exit"
else
	t_skip 2 "no IPv6 loopback"
fi
t_done
