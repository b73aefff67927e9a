#!/bin/bash
# peers_selftest.sh - self-test of the test harness for real peers:
# tests/lib.sh, tests/peers/smtpd.py, mkcert.sh, kannel.sh,
# fakesmsc_decode.py and httpsink.py.  TAP output; everything on 127.0.0.1.
#
# (a) SMTP: storage with envelope and AUTH, fail-first 451, RCPT and DATA
#     rejection, drop in DATA, STARTTLS, slow answer vs client timeout.
# (b) Kannel: sendsms of an ASCII, a Chinese (UCS-2) and a long Chinese SMS,
#     decoded from the fake SMSC's log; bad credentials; inbound SMS forwarded
#     to an HTTP URL.  Skipped when Kannel is not installed.
# (c) everything stopped, no process left behind.

. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"

PEERS=$T_PEERS_DIR
TMP=$(t_tmpdir)
START=$EPOCHREALTIME

command -v curl >/dev/null 2>&1 || t_skip_all "curl is not installed"
[ -x "$T_PY" ] || t_skip_all "$T_PY is not installed"

PIDS=()   # every long-running process we started (checked at the end)

# curl wrapper for SMTP: smtp_send PORT RCPT FILE [curl args...]
# sets RC (curl's exit status) and CODE (last SMTP response code).
smtp_send() {
    local port=$1 rcpt=$2 file=$3
    shift 3
    CODE=$(curl -sS --noproxy '*' --max-time 15 \
        --url "smtp://127.0.0.1:$port/test.local" \
        --mail-from a@example.test --mail-rcpt "$rcpt" --upload-file "$file" \
        -w '%{response_code}' "$@" 2>"$TMP/curl.err")
    RC=$?
}

# start_smtpd NAME [smtpd.py options...]: sets SMTP_PORT and SMTP_PID.
start_smtpd() {
    local name=$1
    shift
    rm -f "$TMP/$name.port"
    t_bg "$TMP/$name.pid" "$T_PY" "$PEERS/smtpd.py" --port 0 --portfile "$TMP/$name.port" \
        --owner-pid $$ "$@"
    SMTP_PID=$T_BG_PID
    PIDS+=("$SMTP_PID")
    if ! t_wait_file "$TMP/$name.port" 20; then
        t_diag "smtpd $name did not start:"; t_diag "$(cat "$TMP/$name.log")"
        SMTP_PORT=0
        return 1
    fi
    SMTP_PORT=$(cat "$TMP/$name.port")
    t_wait_port "$SMTP_PORT" 10 "$SMTP_PID"
}

count_eml() { local n; n=$(find "$1/new" -name '*.eml' 2>/dev/null | wc -l); echo $((n)); }

# ---------------------------------------------------------------- (a) SMTP
if ! "$T_PY" -c 'import aiosmtpd' 2>/dev/null; then
    t_skip 29 "python3-aiosmtpd is not installed for $T_PY"
else
    printf 'Subject: first\r\nFrom: a@example.test\r\nTo: b@example.test\r\n\r\nHello 1\r\n.leading dot\r\n' >"$TMP/m1.eml"
    printf 'Subject: second\r\nFrom: a@example.test\r\nTo: b@example.test\r\n\r\nHello 2\r\n' >"$TMP/m2.eml"
    printf 'pass\n' >"$TMP/smtp.pw"
    MD=$TMP/maildir

    t_ok "smtpd.py starts with --maildir --auth and answers on its port" \
        start_smtpd main --maildir "$MD" --auth "user:$TMP/smtp.pw"
    MAIN_PORT=$SMTP_PORT
    t_like "$MAIN_PORT" '^[1-9][0-9]*$' "smtpd.py wrote its port to --portfile"

    smtp_send "$MAIN_PORT" b@example.test "$TMP/m1.eml" --user user:pass
    t_is "$RC/$CODE" "0/250" "first message accepted (curl exit/code)"
    smtp_send "$MAIN_PORT" b@example.test "$TMP/m2.eml" --user user:pass
    t_is "$RC/$CODE" "0/250" "second message accepted"
    t_is "$(count_eml "$MD")" 2 "two messages stored in maildir/new"
    t_ok "message 1 stored byte for byte (dot-unstuffed)" cmp "$TMP/m1.eml" "$MD/new/000001.eml"
    t_ok "message 2 stored byte for byte" cmp "$TMP/m2.eml" "$MD/new/000002.eml"
    env1=$(cat "$MD/new/000001.env" 2>/dev/null)
    t_like "$env1" $'(^|\n)X-Envelope-From: <a@example.test>(\n|$)' "envelope sender recorded"
    t_like "$env1" $'(^|\n)X-Envelope-To: <b@example.test>(\n|$)' "envelope recipient recorded"
    t_like "$env1" $'(^|\n)X-Helo: test.local(\n|$)' "EHLO name from the URL path recorded"
    t_like "$env1" $'(^|\n)X-Auth-User: user(\n|$)' "authenticated user recorded"

    smtp_send "$MAIN_PORT" b@example.test "$TMP/m1.eml" --user user:wrong
    t_is "$RC/$CODE" "67/535" "wrong password refused (CURLE_LOGIN_DENIED, 535)"
    smtp_send "$MAIN_PORT" b@example.test "$TMP/m1.eml"
    t_is "$RC/$CODE" "55/530" "no AUTH refused at MAIL (530)"
    t_is "$(count_eml "$MD")" 2 "refused messages not stored"

    # fail-first and RCPT rejection
    t_ok "smtpd.py starts with --fail-first 1 --fail-code 451 --reject-rcpt" \
        start_smtpd fail --maildir "$TMP/md-fail" --fail-first 1 --fail-code 451 --reject-rcpt '^bad@'
    FAIL_PORT=$SMTP_PORT
    smtp_send "$FAIL_PORT" bad@example.test "$TMP/m1.eml"
    t_is "$RC/$CODE" "55/550" "rejected recipient: 550 at RCPT (CURLE_SEND_ERROR)"
    smtp_send "$FAIL_PORT" b@example.test "$TMP/m1.eml"
    t_is "$RC/$CODE" "8/451" "first DATA answered 451 (CURLE_WEIRD_SERVER_REPLY)"
    smtp_send "$FAIL_PORT" b@example.test "$TMP/m1.eml"
    t_is "$RC/$CODE" "0/250" "second DATA accepted (count kept across connections)"
    t_is "$(count_eml "$TMP/md-fail")" 1 "only the accepted message stored"

    # drop in DATA, then permanent DATA rejection
    t_ok "smtpd.py starts with --drop-in-data 1 --reject-data-code 550" \
        start_smtpd rej --maildir "$TMP/md-rej" --drop-in-data 1 --reject-data-code 550
    REJ_PORT=$SMTP_PORT
    smtp_send "$REJ_PORT" b@example.test "$TMP/m1.eml"
    t_like "$RC" '^(55|56|52)$' "connection dropped in DATA: curl send/recv error (got exit $RC)"
    smtp_send "$REJ_PORT" b@example.test "$TMP/m1.eml"
    t_is "$RC/$CODE" "8/550" "DATA rejected with 550"
    t_is "$(count_eml "$TMP/md-rej")" 0 "nothing stored"

    # STARTTLS and slow answers
    if "$PEERS/mkcert.sh" "$TMP/cert" >"$TMP/mkcert.log" 2>&1; then
        t_pass "mkcert.sh made a self-signed certificate"
        t_ok "smtpd.py starts with --starttls --require-starttls --slow 1" \
            start_smtpd tls --maildir "$TMP/md-tls" --starttls "$TMP/cert/cert.pem" "$TMP/cert/key.pem" \
            --require-starttls --slow 1
        TLS_PORT=$SMTP_PORT
        smtp_send "$TLS_PORT" b@example.test "$TMP/m1.eml"
        t_like "$RC" '^[1-9]' "plain text refused when STARTTLS is required (curl exit $RC, code $CODE)"
        smtp_send "$TLS_PORT" b@example.test "$TMP/m1.eml" --ssl-reqd --cacert "$TMP/cert/cert.pem"
        t_is "$RC/$CODE" "0/250" "STARTTLS with the certificate verified: accepted after --slow"
        t_like "$(cat "$TMP/md-tls/new/000001.env" 2>/dev/null)" $'(^|\n)X-TLS: yes(\n|$)' "TLS recorded in the envelope"
        smtp_send "$TLS_PORT" b@example.test "$TMP/m1.eml" --ssl-reqd --cacert "$TMP/cert/cert.pem" --max-time 0.5
        t_is "$RC" 28 "--slow 1 makes a 0.5 s client time out (CURLE_OPERATION_TIMEDOUT)"
    else
        rc=$?
        if [ $rc -eq 77 ]; then
            t_skip 6 "openssl is not installed"
        else
            t_fail "mkcert.sh made a self-signed certificate"
            t_diag "$(cat "$TMP/mkcert.log")"
            t_skip 5 "no certificate"
        fi
    fi
fi

# ---------------------------------------------------------------- (b) Kannel
KDIR=$TMP/kannel
kannel_missing=
for b in bearerbox smsbox; do
    command -v $b >/dev/null 2>&1 || [ -x /usr/sbin/$b ] || kannel_missing="$kannel_missing $b"
done
[ -x "${KANNEL_FAKESMSC:-/usr/lib/kannel/test/fakesmsc}" ] || kannel_missing="$kannel_missing fakesmsc(kannel-extras)"

sendsms() {  # sendsms TO TEXT [extra GET params...]: sets SMS_OUT, SMS_HTTP
    local to=$1 text=$2 out
    shift 2
    local args=() p
    for p in "$@"; do args+=(--data-urlencode "$p"); done
    out=$(curl -sS --noproxy '*' --max-time 15 -G "$KANNEL_SENDSMS_URL" \
        --data-urlencode "username=$KANNEL_USER" --data-urlencode "password=$KANNEL_PASS" \
        --data-urlencode "from=10086" --data-urlencode "to=$to" --data-urlencode "text=$text" \
        "${args[@]}" -w '\n%{http_code}' 2>&1)
    SMS_HTTP=${out##*$'\n'}
    SMS_OUT=${out%$'\n'*}
}

decoded() { "$T_PY" "$PEERS/fakesmsc_decode.py" "$KANNEL_FAKESMSC_LOG"; }
decoded_count() { local n; n=$(decoded | wc -l); echo $((n)); }
have_n_sms() { [ "$(decoded_count)" -ge "$1" ]; }
# field N KEY: KEY of the N-th decoded message (1-based)
field() {
    decoded | "$T_PY" -c 'import sys, json
rows = [json.loads(l) for l in sys.stdin]
n, key = int(sys.argv[1]), sys.argv[2]
print(rows[n - 1].get(key, "") if len(rows) >= n else "<missing>")' "$1" "$2"
}

if [ -n "$kannel_missing" ]; then
    t_skip 18 "Kannel is not installed:$kannel_missing"
else
    # A recorder for inbound SMS forwarded by smsbox.
    rm -f "$TMP/sink.port"
    t_bg "$TMP/sink.pid" "$T_PY" "$PEERS/httpsink.py" --port 0 --portfile "$TMP/sink.port" \
        --log "$TMP/sink.jsonl" --owner-pid $$
    PIDS+=("$T_BG_PID")
    t_wait_file "$TMP/sink.port" 20
    SINK_PORT=$(cat "$TMP/sink.port" 2>/dev/null)
    t_ok "httpsink.py answers on its port" t_wait_port "${SINK_PORT:-0}" 10 "$T_BG_PID"

    t_cleanup_push "'$PEERS/kannel.sh' stop '$KDIR'"
    ks=$EPOCHREALTIME
    if t_ok "kannel.sh start: bearerbox, fakesmsc, smsbox up" \
        env KANNEL_INBOUND_URL="http://127.0.0.1:$SINK_PORT/sms/inbound" KANNEL_OWNER_PID=$$ \
        "$PEERS/kannel.sh" start "$KDIR"; then
        t_diag "kannel.sh start took $(( ($(_t_now_us) - ${ks/[.,]/}) / 1000 )) ms"
        # shellcheck disable=SC1091
        . "$KDIR/env"
        PIDS+=($KANNEL_PIDS)
        t_like "$KANNEL_SENDSMS_URL" '^http://127\.0\.0\.1:[0-9]+/cgi-bin/sendsms$' "env: KANNEL_SENDSMS_URL on 127.0.0.1"

        sendsms 4915100000001 "Hello from outreachd: 50% off & more!"
        t_is "$SMS_HTTP $SMS_OUT" "202 0: Accepted for delivery" "ASCII SMS accepted"
        ZH="您好，张先生：您的会员积分即将到期。"
        sendsms 8613800000002 "$ZH" charset=UTF-8 coding=2
        t_is "$SMS_HTTP $SMS_OUT" "202 0: Accepted for delivery" "Chinese SMS (charset=UTF-8, coding=2) accepted"
        ZHLONG=""
        for i in 1 2 3 4 5 6; do ZHLONG="$ZHLONG第${i}条：春节快乐，万事如意！"; done
        sendsms 8613800000003 "$ZHLONG" charset=UTF-8 coding=2
        t_is "$SMS_HTTP $SMS_OUT" "202 0: Accepted for delivery" "long Chinese SMS (${#ZHLONG} chars) accepted"
        t_is "$(curl -s --noproxy '*' --max-time 15 -o /dev/null -w '%{http_code}' -G "$KANNEL_SENDSMS_URL" \
            --data-urlencode "username=$KANNEL_USER" --data-urlencode "password=wrong" \
            --data-urlencode from=10086 --data-urlencode to=4915100000004 --data-urlencode text=x)" \
            403 "wrong sendsms password refused (403)"

        t_ok "fake SMSC received the 3 messages" t_wait_until 10 have_n_sms 3
        sleep 0.2
        t_is "$(decoded_count)" 3 "and nothing else"
        t_is "$(field 1 text)" "Hello from outreachd: 50% off & more!" "ASCII text decoded exactly"
        t_is "$(field 1 to)/$(field 1 from)/$(field 1 coding)" "4915100000001/10086/0" "ASCII SMS: to/from/coding 0"
        t_is "$(field 2 text)" "$ZH" "Chinese text decoded exactly from UCS-2"
        t_is "$(field 2 to)/$(field 2 coding)" "8613800000002/2" "Chinese SMS: to/coding 2"
        t_is "$(field 3 text)" "$ZHLONG" "long Chinese SMS reassembled from its parts"
        t_is "$(field 3 parts)/$(field 3 coding)" "2/2" "long Chinese SMS: 2 parts, UCS-2"

        # inbound: fake SMSC -> bearerbox -> smsbox -> HTTP GET to the sink
        t_ok "kannel.sh inbound (ASCII) reaches the inbound URL" \
            "$PEERS/kannel.sh" inbound "$KDIR" 8613900000005 10086 "STOP please"
        t_ok "kannel.sh inbound (Chinese, sent as UCS-2) reaches the inbound URL" \
            "$PEERS/kannel.sh" inbound "$KDIR" 8613900000006 10086 "退订 TD"
        inbound=$("$T_PY" -c 'import sys, json
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    q, h = r["query"], r["query_bytes_hex"]
    raw = bytes.fromhex(h["text"][0])
    text = raw.decode("utf-16-be" if q["charset"][0] == "UTF-16BE" else "utf-8")
    print("%s %s %s %s|%s" % (r["path"], q["from"][0], q["to"][0], q["coding"][0], text))
' "$TMP/sink.jsonl" 2>&1)
        t_is "$inbound" "/sms/inbound 8613900000005 10086 0|STOP please
/sms/inbound 8613900000006 10086 2|退订 TD" "inbound SMS forwarded with from, to, coding and exact text"
    else
        t_diag "$(tail -n 20 "$KDIR/start.log" "$KDIR/bearerbox.stderr" "$KDIR/smsbox.stderr" 2>/dev/null)"
        t_skip 16 "Kannel did not start"
    fi
fi

# ------------------------------------------------------- (c) stop everything
stop_all() {
    local rc=0 p
    if [ -f "$KDIR/env" ]; then "$PEERS/kannel.sh" stop "$KDIR" || rc=1; fi
    for p in "${PIDS[@]}"; do t_kill "$p" 10 || rc=1; done
    return $rc
}
t_ok "all peers stopped (kannel.sh stop, t_kill)" stop_all

left=
for p in "${PIDS[@]}"; do t_alive "$p" && left="$left $p"; done
t_is "${left# }" "" "none of the ${#PIDS[@]} started processes is left"

# Anything still running with our temp dir on its command line?
strays=
for d in /proc/[0-9]*; do
    [ "${d#/proc/}" = $$ ] && continue
    t_alive "${d#/proc/}" || continue
    cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null) || continue
    case $cmd in *"$TMP"*) strays="$strays ${d#/proc/}:${cmd:0:60}" ;; esac
done
t_is "${strays# }" "" "no process mentions our temp dir"

t_diag "self-test took $(( ($(_t_now_us) - ${START/[.,]/}) / 1000 )) ms"
t_done
