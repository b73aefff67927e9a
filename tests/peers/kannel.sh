#!/bin/bash
# kannel.sh - run a private Kannel SMS gateway (bearerbox + fake SMSC + smsbox)
# on 127.0.0.1 for outreachd's tests.
#
# Usage:
#   kannel.sh start DIR        write DIR/kannel.conf with free ports, start
#                              bearerbox, the fakesmsc receiving MT messages,
#                              an injector fakesmsc for inbound (MO) messages
#                              and smsbox; wait until bearerbox's status shows
#                              both fake SMSCs online and smsbox on-line and the
#                              sendsms port is answered by our smsbox; write
#                              DIR/env.  Exit 0 ready, 77 if Kannel is not
#                              installed, 1 on failure (everything started is
#                              stopped again, logs stay in DIR).
#   kannel.sh stop DIR         stop all processes recorded in DIR/env by PID
#                              (TERM, then KILL after KANNEL_STOP_TIMEOUT s,
#                              default 10) and wait for them.  Idempotent.
#   kannel.sh inbound [--text|--ucs2] [--no-wait] DIR FROM TO TEXT
#                              inject a mobile-originated SMS FROM -> TO through
#                              the fake SMSC (see "Inbound" below).
#   kannel.sh status DIR       print bearerbox's status.txt.
#
# Environment for "start":
#   KANNEL_INBOUND_URL   if set, inbound SMS are forwarded by smsbox with
#                        HTTP GET to  $KANNEL_INBOUND_URL?from=%p&to=%P&text=%b
#                        &coding=%c&charset=%C&smsc=%i&ts=%T  ('&' instead of
#                        '?' if the URL already has a query).  Kannel escape
#                        codes (Kannel user guide, "Parameters (escape codes)"
#                        table; gw/urltrans.c): %p sender (the phone), %P
#                        receiver (our number), %b the message data exactly
#                        (URL-encoded bytes; UTF-8 for coding 0, UTF-16BE for
#                        coding 2 unless KANNEL_MO_RECODE=1), %c coding
#                        (0 7-bit, 1 8-bit, 2 UCS-2), %C charset (UTF-8,
#                        UTF-16BE, ...), %i smsc-id ("inbound"), %T unix time.
#                        (%a would squeeze spaces, so it is not used.)  A
#                        non-empty text/plain response body is sent back to the
#                        phone as a reply (max 10 parts, as GSM 7-bit: other
#                        characters become '?'); empty bodies send nothing; if
#                        the URL cannot be fetched, Kannel replies "Could not
#                        fetch content, sorry."  Replies land in
#                        KANNEL_INBOUND_LOG.  Without the variable: a default
#                        service that never replies.
#   KANNEL_MO_RECODE=1   smsbox mo-recode = true: UCS-2 inbound text is
#                        recoded to UTF-8 before forwarding (charset=UTF-8).
#   KANNEL_START_TIMEOUT seconds to wait for readiness (default 30).
#   KANNEL_LOG_LEVEL     log-level for the Kannel log files (default 1 = info;
#                        0 = debug).
#   KANNEL_OWNER_PID     if set, a watchdog stops everything when this process
#                        is gone (e.g. KANNEL_OWNER_PID=$$ in a test script).
#   KANNEL_FAKESMSC      path of fakesmsc (default /usr/lib/kannel/test/fakesmsc).
#   KANNEL_WANT_SENDSMS_PORT  if set, smsbox's sendsms port (the port of
#                        KANNEL_SENDSMS_URL) is this one instead of a free one
#                        picked at start; the other ports are still picked
#                        free.  For a test that points the daemon at the URL
#                        first and starts (or restarts) Kannel on it later,
#                        e.g. with a port from t_freeport: the gateway down,
#                        then back.  "start" fails (exit 1) at once if
#                        something already listens there.  Unset (the
#                        default): every port is picked free, as before.
#
# DIR/env (shell assignments, single-quoted; source it with ". DIR/env"):
#   KANNEL_DIR, KANNEL_CONF
#   KANNEL_SENDSMS_URL   http://127.0.0.1:PORT/cgi-bin/sendsms
#   KANNEL_SENDSMS_PORT, KANNEL_USER, KANNEL_PASS   (sendsms-user: max-messages
#                        10, concatenation true)
#   KANNEL_ADMIN_URL     http://127.0.0.1:PORT   (admin/status HTTP server)
#   KANNEL_ADMIN_PORT, KANNEL_ADMIN_PASS, KANNEL_STATUS_URL (status.txt with
#                        the password)
#   KANNEL_BOX_PORT      bearerbox's smsbox port
#   KANNEL_SMSC_PORT     fake SMSC port for MT (smsc-id "fake")
#   KANNEL_INBOUND_SMSC_PORT  fake SMSC port for MO injection (smsc-id "inbound")
#   KANNEL_FAKESMSC_LOG  DIR/fakesmsc.log: every MT message the daemon sent
#                        (decode with fakesmsc_decode.py)
#   KANNEL_INBOUND_LOG   DIR/fakesmsc-inbound.log: the injector's log; replies
#                        to injected messages show up here (same format)
#   KANNEL_INBOUND_FIFO  DIR/inbound.fifo (written by "inbound")
#   KANNEL_INBOUND_URL   as configured ('' if none)
#   KANNEL_BEARERBOX_LOG, KANNEL_SMSBOX_LOG, KANNEL_ACCESS_LOG (bearerbox),
#   KANNEL_SMSBOX_ACCESS_LOG (sendsms requests and inbound HTTP requests)
#   KANNEL_BEARERBOX_PID, KANNEL_FAKESMSC_PID, KANNEL_INJECTOR_PID,
#   KANNEL_SMSBOX_PID, KANNEL_WATCHDOG_PID ('' without KANNEL_OWNER_PID)
#   KANNEL_PIDS          all of the above PIDs, space-separated
#   KANNEL_READY         1 once everything is up
#
# Routing: the "inbound" SMSC has allowed-smsc-id = inbound and the MT SMSC
# denied-smsc-id = inbound, so messages sent through sendsms always reach
# DIR/fakesmsc.log, and Kannel's replies to injected messages (which carry
# smsc-id "inbound") go back to the injector (DIR/fakesmsc-inbound.log).
#
# Inbound: the injector is a fakesmsc in interactive mode reading lines
# "FROM TO TYPE DATA" from DIR/inbound.fifo (opened read-write, so it never sees
# EOF; stdin unbuffered via stdbuf -i0 so every line is taken at once).  TEXT
# made only of printable ASCII goes as type "text"; anything else (or --ucs2)
# as "ucs2" (UTF-16BE, URL-encoded, i.e. coding 2 as a phone would send it);
# --text forces raw UTF-8 as type "text" (coding 0, charset UTF-8).  fakesmsc
# reads at most 255 bytes per line, so the whole line must fit: about 230 ASCII
# characters, or about 40 CJK characters as UCS-2 (about 75 with --text);
# longer texts are refused.  A newline is only possible with UCS-2.  FROM and
# TO must not contain spaces.  "inbound" waits (KANNEL_INBOUND_TIMEOUT, default
# 15 s) until bearerbox counted the message and, when KANNEL_INBOUND_URL is
# set, until smsbox logged the HTTP request to it (the daemon has answered);
# it then prints "inbound: OK ..." with the HTTP reply status (-1: smsbox
# could not fetch the URL; still exit 0).  --no-wait
# returns after writing the line.  Calls on the same DIR are serialized (flock).

set -u

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }

PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NETUTIL="$HERE/netutil.py"
FAKESMSC=${KANNEL_FAKESMSC:-/usr/lib/kannel/test/fakesmsc}

die() { echo "kannel.sh: $*" >&2; exit 1; }
note() { echo "kannel.sh: $*" >&2; }

find_bin() {
    local b
    b=$(command -v "$1" 2>/dev/null) && { echo "$b"; return 0; }
    for d in /usr/sbin /usr/local/sbin /sbin; do
        [ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}

q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }

absdir() { mkdir -p "$1" && (cd "$1" && pwd); }

alive() {  # PID alive and not a zombie
    local st
    [ -n "${1:-}" ] || return 1
    st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

status_txt() {
    curl -s --noproxy '*' --max-time 3 "http://127.0.0.1:$ADMIN_PORT/status.txt?password=$ADMIN_PASS"
}

write_env() {
    local f="$DIR/env" tmp="$DIR/env.tmp.$$"
    {
        echo "# written by kannel.sh start $(date '+%F %T')"
        echo "KANNEL_DIR=$(q "$DIR")"
        echo "KANNEL_CONF=$(q "$DIR/kannel.conf")"
        echo "KANNEL_SENDSMS_URL=$(q "http://127.0.0.1:$SENDSMS_PORT/cgi-bin/sendsms")"
        echo "KANNEL_SENDSMS_PORT=$(q "$SENDSMS_PORT")"
        echo "KANNEL_USER=$(q "$USER_NAME")"
        echo "KANNEL_PASS=$(q "$USER_PASS")"
        echo "KANNEL_ADMIN_URL=$(q "http://127.0.0.1:$ADMIN_PORT")"
        echo "KANNEL_ADMIN_PORT=$(q "$ADMIN_PORT")"
        echo "KANNEL_ADMIN_PASS=$(q "$ADMIN_PASS")"
        echo "KANNEL_STATUS_URL=$(q "http://127.0.0.1:$ADMIN_PORT/status.txt?password=$ADMIN_PASS")"
        echo "KANNEL_BOX_PORT=$(q "$BOX_PORT")"
        echo "KANNEL_SMSC_PORT=$(q "$SMSC_PORT")"
        echo "KANNEL_INBOUND_SMSC_PORT=$(q "$INJ_PORT")"
        echo "KANNEL_FAKESMSC_LOG=$(q "$DIR/fakesmsc.log")"
        echo "KANNEL_INBOUND_LOG=$(q "$DIR/fakesmsc-inbound.log")"
        echo "KANNEL_INBOUND_FIFO=$(q "$DIR/inbound.fifo")"
        echo "KANNEL_INBOUND_URL=$(q "${KANNEL_INBOUND_URL:-}")"
        echo "KANNEL_BEARERBOX_LOG=$(q "$DIR/bearerbox.log")"
        echo "KANNEL_SMSBOX_LOG=$(q "$DIR/smsbox.log")"
        echo "KANNEL_ACCESS_LOG=$(q "$DIR/access.log")"
        echo "KANNEL_SMSBOX_ACCESS_LOG=$(q "$DIR/smsbox-access.log")"
        echo "KANNEL_BEARERBOX_PID=$(q "${BB_PID:-}")"
        echo "KANNEL_FAKESMSC_PID=$(q "${FS_PID:-}")"
        echo "KANNEL_INJECTOR_PID=$(q "${INJ_PID:-}")"
        echo "KANNEL_SMSBOX_PID=$(q "${SB_PID:-}")"
        echo "KANNEL_WATCHDOG_PID=$(q "${WD_PID:-}")"
        echo "KANNEL_PIDS=$(q "$(echo ${SB_PID:-} ${INJ_PID:-} ${FS_PID:-} ${BB_PID:-} ${WD_PID:-})")"
        echo "KANNEL_READY=$(q "${READY:-0}")"
    } >"$tmp" && mv "$tmp" "$f"
}

write_conf() {
    local url svc
    if [ -n "${KANNEL_INBOUND_URL:-}" ]; then
        case $KANNEL_INBOUND_URL in
            *'"'*|*' '*) die "KANNEL_INBOUND_URL must not contain quotes or spaces" ;;
        esac
        url=${KANNEL_INBOUND_URL//%/%%}   # literal % must be doubled for Kannel
        case $url in *\?*) url="$url&" ;; *) url="$url?" ;; esac
        svc="group = sms-service
name = outreachd-inbound
keyword = default
get-url = \"${url}from=%p&to=%P&text=%b&coding=%c&charset=%C&smsc=%i&ts=%T\"
max-messages = 10
concatenation = true
omit-empty = true"
    else
        svc="group = sms-service
name = no-reply
keyword = default
text = \"\"
max-messages = 0
omit-empty = true"
    fi
    cat >"$DIR/kannel.conf" <<EOF
# generated by tests/peers/kannel.sh - private test instance, loopback only
group = core
admin-port = $ADMIN_PORT
admin-interface = 127.0.0.1
admin-password = $ADMIN_PASS
status-password = $ADMIN_PASS
admin-allow-ip = 127.0.0.1
admin-deny-ip = "*.*.*.*"
smsbox-port = $BOX_PORT
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
box-deny-ip = "*.*.*.*"
dlr-storage = internal
log-file = "$DIR/bearerbox.log"
log-level = $LOG_LEVEL
access-log = "$DIR/access.log"

group = smsc
smsc = fake
smsc-id = fake
port = $SMSC_PORT
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1
denied-smsc-id = inbound

group = smsc
smsc = fake
smsc-id = inbound
allowed-smsc-id = inbound
port = $INJ_PORT
our-host = 127.0.0.1
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = $BOX_PORT
sendsms-port = $SENDSMS_PORT
sendsms-interface = 127.0.0.1
mo-recode = $MO_RECODE
log-file = "$DIR/smsbox.log"
log-level = $LOG_LEVEL
access-log = "$DIR/smsbox-access.log"

group = sendsms-user
username = $USER_NAME
password = $USER_PASS
concatenation = true
max-messages = 10

$svc
EOF
}

# kill_wait PID PATTERN TIMEOUT: TERM the PID if its command line matches
# PATTERN (guards against a recycled PID), then KILL after TIMEOUT seconds.
kill_wait() {
    local pid=$1 pat=$2 t=$3 i cmd
    [ -n "$pid" ] || return 0
    alive "$pid" || return 0
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
    case $cmd in
        *"$pat"*) ;;
        *) note "pid $pid is not ours any more ($cmd), not killing"; return 0 ;;
    esac
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < t * 20; i++)); do
        alive "$pid" || return 0
        sleep 0.05
    done
    note "pid $pid did not stop after ${t}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        alive "$pid" || return 0
        sleep 0.05
    done
    note "pid $pid survived KILL"
    return 1
}

do_stop() {
    local t=${KANNEL_STOP_TIMEOUT:-10} rc=0
    [ -f "$DIR/env" ] || return 0
    # shellcheck disable=SC1091
    . "$DIR/env"
    : >"$DIR/stopped"
    if [ -n "${KANNEL_WATCHDOG_PID:-}" ] && [ "$KANNEL_WATCHDOG_PID" != "${KANNEL_SH_WATCHDOG_SELF:-}" ]; then
        kill_wait "$KANNEL_WATCHDOG_PID" "kannel.sh" 2 || rc=1
    fi
    kill_wait "${KANNEL_SMSBOX_PID:-}" "$DIR/kannel.conf" "$t" || rc=1
    kill_wait "${KANNEL_INJECTOR_PID:-}" "-r ${KANNEL_INBOUND_SMSC_PORT:-x}" "$t" || rc=1
    kill_wait "${KANNEL_FAKESMSC_PID:-}" "-r ${KANNEL_SMSC_PORT:-x}" "$t" || rc=1
    kill_wait "${KANNEL_BEARERBOX_PID:-}" "$DIR/kannel.conf" "$t" || rc=1
    return $rc
}

start_fakesmsc() {  # PORT LOG [interactive]
    local port=$1 log=$2 mode=${3:-}
    if [ "$mode" = interactive ]; then
        (cd "$DIR" && exec stdbuf -i0 -oL -eL "$FAKESMSC" -H 127.0.0.1 -r "$port" -i 0 \
            <>"$DIR/inbound.fifo" >>"$log" 2>&1) &
    else
        # -m 0: never send; the dummy message keeps it out of interactive mode.
        (cd "$DIR" && exec stdbuf -oL -eL "$FAKESMSC" -H 127.0.0.1 -r "$port" -m 0 \
            "0 0 text unused" </dev/null >>"$log" 2>&1) &
    fi
    echo $!
}

smsc_online() {  # STATUS ID
    printf '%s\n' "$1" | grep -Eq "^[[:space:]]*$2\[$2\][[:space:]].*\(online"
}

attempt_start() {
    local deadline i st ports
    ports=$($PY "$NETUTIL" freeport 5) || die "cannot pick free ports"
    if [ -n "$WANT_SENDSMS_PORT" ]; then
        # The wanted port is not bound yet, so it may be among the free
        # ones: leave it out and take four others.
        ports=$(printf '%s\n' $ports | grep -vx "$WANT_SENDSMS_PORT" | head -n 4)
        read -r ADMIN_PORT BOX_PORT SMSC_PORT INJ_PORT <<<"$(echo $ports)"
        [ -n "$INJ_PORT" ] || die "cannot pick free ports"
        SENDSMS_PORT=$WANT_SENDSMS_PORT
    else
        read -r ADMIN_PORT BOX_PORT SENDSMS_PORT SMSC_PORT INJ_PORT <<<"$(echo $ports)"
    fi
    BB_PID= FS_PID= INJ_PID= SB_PID= WD_PID= READY=0
    write_conf
    rm -f "$DIR/stopped" "$DIR/inbound.fifo"
    mkfifo "$DIR/inbound.fifo" || die "mkfifo failed"
    for f in bearerbox.log smsbox.log access.log smsbox-access.log fakesmsc.log \
             fakesmsc-inbound.log bearerbox.stderr smsbox.stderr; do
        : >"$DIR/$f"
    done
    deadline=$((SECONDS + START_TIMEOUT))

    (cd "$DIR" && exec "$BEARERBOX" -v 2 "$DIR/kannel.conf" </dev/null >>"$DIR/bearerbox.stderr" 2>&1) &
    BB_PID=$!
    write_env
    for port in "$ADMIN_PORT" "$BOX_PORT" "$SMSC_PORT" "$INJ_PORT"; do
        $PY "$NETUTIL" wait-listen "$port" --pid "$BB_PID" \
            --timeout $((deadline - SECONDS > 0 ? deadline - SECONDS : 1)) 2>>"$DIR/start.log" ||
            { note "bearerbox is not listening on port $port"; return 1; }
    done

    # fakesmsc exits if it cannot connect: retry until it stays connected.
    for which in mt inj; do
        for ((i = 0; ; i++)); do
            if [ $which = mt ]; then
                FS_PID=$(start_fakesmsc "$SMSC_PORT" "$DIR/fakesmsc.log"); pid=$FS_PID
            else
                INJ_PID=$(start_fakesmsc "$INJ_PORT" "$DIR/fakesmsc-inbound.log" interactive); pid=$INJ_PID
            fi
            write_env
            sleep 0.2
            alive "$pid" && break
            ((SECONDS < deadline)) || { note "fakesmsc ($which) keeps exiting"; return 1; }
        done
    done

    (cd "$DIR" && exec "$SMSBOX" -v 2 "$DIR/kannel.conf" </dev/null >>"$DIR/smsbox.stderr" 2>&1) &
    SB_PID=$!
    write_env

    while :; do
        for p in "$BB_PID" "$FS_PID" "$INJ_PID" "$SB_PID"; do
            alive "$p" || { note "process $p died during startup"; return 1; }
        done
        st=$(status_txt)
        if smsc_online "$st" fake && smsc_online "$st" inbound &&
           printf '%s\n' "$st" | grep -q 'smsbox:.*(on-line'; then
            break
        fi
        ((SECONDS < deadline)) || { note "timeout waiting for Kannel to come up"; printf '%s\n' "$st" >&2; return 1; }
        sleep 0.1
    done
    $PY "$NETUTIL" wait-port "$SENDSMS_PORT" --pid "$SB_PID" \
        --timeout $((deadline - SECONDS > 0 ? deadline - SECONDS : 1)) 2>>"$DIR/start.log" ||
        { note "sendsms port $SENDSMS_PORT is not answered by smsbox $SB_PID"; return 1; }
    $PY "$NETUTIL" wait-port "$ADMIN_PORT" --pid "$BB_PID" --timeout 2 2>>"$DIR/start.log" ||
        { note "admin port $ADMIN_PORT is not answered by bearerbox $BB_PID"; return 1; }
    return 0
}

do_start() {
    local missing=() attempt
    BEARERBOX=$(find_bin bearerbox) || missing+=(bearerbox)
    SMSBOX=$(find_bin smsbox) || missing+=(smsbox)
    [ -x "$FAKESMSC" ] || missing+=("$FAKESMSC (kannel-extras)")
    command -v stdbuf >/dev/null || missing+=(stdbuf)
    command -v curl >/dev/null || missing+=(curl)
    [ -x "$PY" ] || missing+=("$PY")
    if [ ${#missing[@]} -gt 0 ]; then
        echo "kannel.sh: missing: ${missing[*]}" >&2
        exit 77
    fi
    case $DIR in *'"'*) die "DIR must not contain double quotes" ;; esac
    if [ -f "$DIR/env" ]; then
        # shellcheck disable=SC1091
        (. "$DIR/env"; for p in $KANNEL_PIDS; do alive "$p" && exit 0; done; exit 1) &&
            die "an instance is already running in $DIR (kannel.sh stop $DIR)"
    fi
    START_TIMEOUT=${KANNEL_START_TIMEOUT:-30}
    WANT_SENDSMS_PORT=${KANNEL_WANT_SENDSMS_PORT:-}
    if [ -n "$WANT_SENDSMS_PORT" ]; then
        case $WANT_SENDSMS_PORT in
            *[!0-9]*|0*) die "KANNEL_WANT_SENDSMS_PORT must be a port number" ;;
        esac
        [ "$WANT_SENDSMS_PORT" -le 65535 ] || die "KANNEL_WANT_SENDSMS_PORT must be a port number"
        $PY -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$WANT_SENDSMS_PORT" 2>/dev/null ||
            die "KANNEL_WANT_SENDSMS_PORT: port $WANT_SENDSMS_PORT on 127.0.0.1 is in use"
    fi
    LOG_LEVEL=${KANNEL_LOG_LEVEL:-1}
    case ${KANNEL_MO_RECODE:-0} in 1|true|yes) MO_RECODE=true ;; *) MO_RECODE=false ;; esac
    USER_NAME=outreachd
    USER_PASS=sms-$RANDOM$RANDOM
    ADMIN_PASS=adm-$RANDOM$RANDOM
    : >"$DIR/start.log"
    for attempt in 1 2 3; do
        if attempt_start; then
            if [ -n "${KANNEL_OWNER_PID:-}" ]; then
                local owner=$KANNEL_OWNER_PID self
                self="$HERE/$(basename "$0")"
                rm -f "$DIR/.watchdog.fifo"
                mkfifo "$DIR/.watchdog.fifo" || die "mkfifo failed"
                (
                    # No child processes: 'read -t' on a private FIFO is the sleep.
                    trap '' HUP
                    exec 8<>"$DIR/.watchdog.fifo"
                    while alive "$owner" && [ ! -e "$DIR/stopped" ]; do read -r -t 1 -u 8 _; done
                    [ -e "$DIR/stopped" ] || KANNEL_SH_WATCHDOG_SELF=$BASHPID "$self" stop "$DIR"
                ) </dev/null >>"$DIR/start.log" 2>&1 &
                WD_PID=$!
            fi
            READY=1
            write_env
            return 0
        fi
        note "start attempt $attempt failed (logs in $DIR)"
        do_stop
        for f in bearerbox.log bearerbox.stderr smsbox.log smsbox.stderr fakesmsc.log fakesmsc-inbound.log; do
            [ -f "$DIR/$f" ] && cp "$DIR/$f" "$DIR/$f.attempt$attempt"
        done
        tail -n 5 "$DIR/bearerbox.stderr" "$DIR/smsbox.stderr" "$DIR/fakesmsc.log" >&2 2>/dev/null
        rm -f "$DIR/env"
    done
    exit 1
}

# --- inbound ---------------------------------------------------------------

bb_rcvd() {  # messages bearerbox received from the inbound SMSC
    status_txt | sed -n 's/^[[:space:]]*inbound\[inbound\].*rcvd: sms \([0-9]*\).*/\1/p' | head -n 1
}

do_inbound() {
    local mode=auto wait=1 from to text line lines0 rc0 sb0 t deadline n reply
    while [ $# -gt 0 ]; do
        case $1 in
            --text) mode=text; shift ;;
            --ucs2) mode=ucs2; shift ;;
            --no-wait) wait=0; shift ;;
            --) shift; break ;;
            -*) usage ;;
            *) break ;;
        esac
    done
    [ $# -eq 4 ] || usage
    DIR=$(absdir "$1") from=$2 to=$3 text=$4
    [ -f "$DIR/env" ] || die "no Kannel instance in $DIR"
    # shellcheck disable=SC1091
    . "$DIR/env"
    [ "${KANNEL_READY:-0}" = 1 ] || die "Kannel in $DIR is not ready"
    alive "$KANNEL_INJECTOR_PID" || die "injector fakesmsc (pid $KANNEL_INJECTOR_PID) is not running"
    case "$from$to" in *[[:space:]]*|'') die "FROM and TO must be non-empty without spaces" ;; esac
    ADMIN_PORT=$KANNEL_ADMIN_PORT ADMIN_PASS=$KANNEL_ADMIN_PASS
    line=$($PY - "$mode" "$from" "$to" "$text" <<'EOF'
import sys, urllib.parse
mode, frm, to, text = sys.argv[1:5]
printable = all(0x20 <= ord(c) < 0x7f for c in text)
if mode == "auto":
    mode = "text" if printable else "ucs2"
if mode == "text":
    if "\n" in text or "\r" in text:
        sys.exit("kannel.sh: a newline needs --ucs2 (fakesmsc reads lines)")
    line = "%s %s text %s" % (frm, to, text)
else:
    line = "%s %s ucs2 %s" % (frm, to,
        urllib.parse.quote_plus(text.encode("utf-16-be"), safe=""))
if len(line.encode("utf-8")) + 1 > 255:
    sys.exit("kannel.sh: inbound line too long for fakesmsc (%d bytes, max 254): %s"
             % (len(line.encode("utf-8")), line[:60] + "..."))
print(line)
EOF
    ) || exit 1
    t=${KANNEL_INBOUND_TIMEOUT:-15}
    exec 9>"$DIR/inbound.lock"
    flock -w "$t" 9 || die "timeout waiting for the inbound lock"
    lines0=$(grep -c 'fakesmsc: sent message' "$KANNEL_INBOUND_LOG")
    rc0=$(bb_rcvd)
    sb0=$(grep -cF "SMS HTTP-request sender:$from " "$KANNEL_SMSBOX_ACCESS_LOG")
    timeout 5 bash -c 'printf "%s\n" "$1" >"$2"' _ "$line" "$KANNEL_INBOUND_FIFO" ||
        die "cannot write to $KANNEL_INBOUND_FIFO"
    if [ $wait = 0 ]; then
        echo "inbound: written: $line"
        return 0
    fi
    deadline=$((SECONDS + t))
    until [ "$(grep -c 'fakesmsc: sent message' "$KANNEL_INBOUND_LOG")" -gt "$lines0" ]; do
        ((SECONDS < deadline)) || die "injector did not send the message: $line"
        sleep 0.05
    done
    until n=$(bb_rcvd) && [ -n "$n" ] && [ -n "$rc0" ] && [ "$n" -gt "$rc0" ]; do
        ((SECONDS < deadline)) || die "bearerbox did not count the inbound message: $line"
        sleep 0.05
    done
    if [ -n "${KANNEL_INBOUND_URL:-}" ]; then
        until [ "$(grep -cF "SMS HTTP-request sender:$from " "$KANNEL_SMSBOX_ACCESS_LOG")" -gt "$sb0" ]; do
            ((SECONDS < deadline)) || die "smsbox did not forward the message to $KANNEL_INBOUND_URL"
            sleep 0.05
        done
        reply=$(grep -F "SMS HTTP-request sender:$from " "$KANNEL_SMSBOX_ACCESS_LOG" | tail -n 1 |
                sed -n "s/.* reply: \([0-9-]*\).*/\1/p")
        echo "inbound: OK $line (url reply: ${reply:-?})"
    else
        echo "inbound: OK $line"
    fi
}

# --- main ------------------------------------------------------------------

[ $# -ge 1 ] || usage
cmd=$1; shift
case $cmd in
    start)
        [ $# -eq 1 ] || usage
        DIR=$(absdir "$1") || die "cannot create $1"
        do_start ;;
    stop)
        [ $# -eq 1 ] || usage
        [ -d "$1" ] || exit 0
        DIR=$(cd "$1" && pwd)
        do_stop ;;
    inbound)
        do_inbound "$@" ;;
    status)
        [ $# -eq 1 ] || usage
        DIR=$(cd "$1" && pwd) || exit 1
        # shellcheck disable=SC1091
        . "$DIR/env" || exit 1
        ADMIN_PORT=$KANNEL_ADMIN_PORT ADMIN_PASS=$KANNEL_ADMIN_PASS
        status_txt ;;
    -h|--help|help) usage ;;
    *) usage ;;
esac
