# tests/lib.sh - TAP helpers for outreachd's shell tests (bash).
#
# Source it first thing from a test script:
#     #!/bin/bash
#     . "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"     # from tests/<dir>/x.sh
#
# Sourcing creates a private temp directory $T_TMPDIR (removed on exit unless
# KEEP_TMP=1) and installs an EXIT trap (plus INT/TERM/HUP -> exit) that runs
# the cleanup stack and removes the temp dir.  Do not install your own EXIT
# trap; use t_cleanup_push.  Output is TAP on stdout; the plan is printed at
# the end by t_done (a trailing plan is valid TAP for automake's tap-driver).
# The t_* checks return 1 on failure (handy for "if t_ok ...; then"), so do
# not run test scripts under "set -e".
#
# Tests
#   t_ok "desc" cmd args...    ok if cmd exits 0; runs in the current shell
#                              (functions and variable assignments work); its
#                              stdout+stderr are captured and shown as '#' lines
#                              only on failure.  Output of the last t_ok / t_fails
#                              is in $T_OUT.
#   t_fails "desc" cmd args... ok if cmd exits non-zero.
#   t_is "got" "expected" "desc"   string equality; prints both on failure.
#   t_like "got" "regex" "desc"    bash [[ =~ ]] extended regex match.
#   t_unlike "got" "regex" "desc"
#   t_pass "desc" / t_fail "desc"  a bare ok / not ok.
#   t_skip N "reason"          N tests reported as "ok K # SKIP reason".
#   t_diag msg...              "# msg" on stdout (each line prefixed).
#   t_skip_all "reason"        "1..0 # SKIP reason" and exit 0 (call it before
#                              any test; later it skips the rest via t_done).
#   t_bail "reason"            "Bail out! reason", exit 1.
#   t_done                     print the plan 1..N, exit 0 (failures are
#                              counted by the TAP driver).
#
# Processes and ports (127.0.0.1 only)
#   t_tmpdir [NAME]            print $T_TMPDIR, or create and print
#                              $T_TMPDIR/NAME (safe inside $(...)).
#   t_freeport [N]             print N (default 1) distinct free ports, one per
#                              line (bind to port 0 via /usr/bin/python3).
#                              Prefer servers that bind port 0 themselves and
#                              report it (smtpd.py --port 0 --portfile F).
#   t_wait_port PORT [TIMEOUT_S [PID]]   wait until 127.0.0.1:PORT accepts a
#                              connection (default 10 s); with PID: fail early
#                              if PID dies, and require that PID (or one of its
#                              descendants) owns the listening socket.
#   t_wait_file FILE [TIMEOUT_S]  wait until FILE exists and is non-empty.
#   t_wait_until TIMEOUT_S cmd args...   poll cmd (every 0.05-0.2 s) until it
#                              exits 0; returns 1 on timeout.
#   t_cleanup_push "cmd"       eval "cmd" at exit; LIFO order.
#   t_bg PIDFILE cmd args...   start cmd in the background (stdin /dev/null,
#                              stdout+stderr to ${PIDFILE%.pid}.log), write its
#                              PID to PIDFILE, set $T_BG_PID, and register
#                              "t_kill PIDFILE" for exit.  Started from the
#                              test shell, so the shell reaps it (no zombies).
#   t_kill PID|PIDFILE [TIMEOUT_S]  TERM, wait (default 5 s), then KILL.
#   t_alive PID                true if PID exists and is not a zombie (use it
#                              rather than kill -0: daemons started by
#                              kannel.sh are re-parented and stay zombies
#                              where PID 1 does not reap).
#
# Stores (tests/store.sh, sourced here; OUTREACHD_TEST_BACKEND=sqlite or
# postgresql): t_store PATH prints what a configuration's store says for
# the SQLite file PATH on the backend under test (PATH, or a fresh
# database of a private PostgreSQL server); t_sql STORE "SQL" queries it
# in sqlite3's list format; t_sqlite_only N skips what only SQLite has.
#
# Environment: T_PY=/usr/bin/python3, T_TESTS_DIR (tests/), T_PEERS_DIR
# (tests/peers/), T_TMPDIR.  TMPDIR is honoured for the temp dir location.

# shellcheck shell=bash

T_PY=/usr/bin/python3
T_TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_PEERS_DIR="$T_TESTS_DIR/peers"
T_N=0
T_FAILED=0
T_OUT=
T_CLEANUP=()
T_DONE=0

# faketime(1) names a semaphore and a shared memory object after its pid
# and leaves them behind when it is killed; once pids wrap (pid_max is
# often 32768) a later faketime with the same pid fails with "sem_open:
# File exists".  Remove the ones whose process is gone.
_t_faketime_sweep() {
    local f p
    for f in /dev/shm/sem.faketime_sem_* /dev/shm/faketime_shm_*; do
        [ -e "$f" ] || continue
        p=${f##*_}
        [ -d "/proc/$p" ] || rm -f "$f" 2>/dev/null
    done
}
_t_faketime_sweep

# A test is no systemd service, whatever runs the suite: outreachd would
# take an inherited unit's $INVOCATION_ID or $NOTIFY_SOCKET for its own
# (and warn about the maildir transport, or notify the runner's manager).
unset INVOCATION_ID NOTIFY_SOCKET

T_TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/outreachd-test.XXXXXX") || {
    echo "Bail out! cannot create a temp dir"; exit 1; }
export T_TMPDIR

_t_on_exit() {
    local rc=$? i
    trap - EXIT INT TERM HUP
    for ((i = ${#T_CLEANUP[@]} - 1; i >= 0; i--)); do
        eval "${T_CLEANUP[i]}" >/dev/null 2>&1 </dev/null || true
    done
    # The store's server (tests/store.sh) outlives what used it.
    declare -F _t_store_atexit >/dev/null && _t_store_atexit </dev/null
    if [ "${KEEP_TMP:-0}" = 1 ]; then
        echo "# KEEP_TMP=1: temp dir kept: $T_TMPDIR"
    else
        rm -rf "$T_TMPDIR"
    fi
    if [ "$T_DONE" = 0 ] && [ "$T_N" -gt 0 ]; then
        echo "# exited (status $rc) before t_done after $T_N test(s)"
    fi
    exit "$rc"
}
trap _t_on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

_t_desc() {  # TAP-safe description: one line, '#' escaped
    local d=${1//$'\n'/ }
    d=${d//#/\\#}
    printf '%s' "$d"
}

t_diag() {
    local line
    while IFS= read -r line || [ -n "$line" ]; do
        printf '# %s\n' "$line"
    done <<<"$*"
}

t_pass() { T_N=$((T_N + 1)); printf 'ok %d - %s\n' "$T_N" "$(_t_desc "$1")"; }

t_fail() {
    T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
    printf 'not ok %d - %s\n' "$T_N" "$(_t_desc "$1")"
    return 1
}

_t_show_out() {  # last 30 lines of captured output as diagnostics
    [ -n "$T_OUT" ] || return 0
    t_diag "output (last 30 lines):"
    printf '%s\n' "$T_OUT" | tail -n 30 | sed 's/^/#   /'
}

# Runs a command with its output captured into T_OUT, its status in T_RC.
_t_run() {
    local f="$T_TMPDIR/.t_out.$T_N"
    "$@" >"$f" 2>&1 </dev/null
    T_RC=$?
    T_OUT=$(cat "$f" 2>/dev/null); rm -f "$f"
}

t_ok() {
    local desc=$1
    shift
    _t_run "$@"
    if [ "$T_RC" -eq 0 ]; then
        t_pass "$desc"
    else
        t_fail "$desc"
        t_diag "command failed (exit $T_RC): $*"
        _t_show_out
        return 1
    fi
}

t_fails() {
    local desc=$1
    shift
    _t_run "$@"
    if [ "$T_RC" -ne 0 ]; then
        t_pass "$desc"
    else
        t_fail "$desc"
        t_diag "command unexpectedly succeeded: $*"
        _t_show_out
        return 1
    fi
}

t_is() {
    if [ "$1" == "$2" ]; then
        t_pass "$3"
    else
        t_fail "$3"
        t_diag "     got: '$1'"
        t_diag "expected: '$2'"
        return 1
    fi
}

t_like() {
    if [[ $1 =~ $2 ]]; then
        t_pass "$3"
    else
        t_fail "$3"
        t_diag "     got: '$1'"
        t_diag "expected to match: /$2/"
        return 1
    fi
}

t_unlike() {
    if [[ $1 =~ $2 ]]; then
        t_fail "$3"
        t_diag "     got: '$1'"
        t_diag "expected not to match: /$2/"
        return 1
    else
        t_pass "$3"
    fi
}

t_skip() {
    local n=$1 reason=$2 i
    for ((i = 0; i < n; i++)); do
        T_N=$((T_N + 1))
        printf 'ok %d # SKIP %s\n' "$T_N" "$(_t_desc "$reason")"
    done
}

t_skip_all() {
    if [ "$T_N" -eq 0 ]; then
        printf '1..0 # SKIP %s\n' "$(_t_desc "$1")"
        T_DONE=1
        exit 0
    fi
    t_diag "skipping the rest: $1"
    t_done
}

t_bail() {
    printf 'Bail out! %s\n' "$(_t_desc "$1")"
    T_DONE=1
    exit 1
}

t_done() {
    printf '1..%d\n' "$T_N"
    [ "$T_FAILED" -eq 0 ] || t_diag "$T_FAILED of $T_N test(s) failed"
    T_DONE=1
    exit 0
}

t_tmpdir() {
    if [ $# -eq 0 ]; then
        printf '%s\n' "$T_TMPDIR"
    else
        mkdir -p "$T_TMPDIR/$1" && printf '%s\n' "$T_TMPDIR/$1"
    fi
}

t_freeport() {
    "$T_PY" "$T_PEERS_DIR/netutil.py" freeport "${1:-1}"
}

t_wait_port() {
    local port=$1 timeout=${2:-10} pid=${3:-}
    if [ -n "$pid" ]; then
        "$T_PY" "$T_PEERS_DIR/netutil.py" wait-port "$port" --timeout "$timeout" --pid "$pid"
    else
        "$T_PY" "$T_PEERS_DIR/netutil.py" wait-port "$port" --timeout "$timeout"
    fi
}

_t_now_us() { local t=${EPOCHREALTIME/[.,]/}; printf '%s' "$((10#$t))"; }

_t_us() {  # seconds (may be fractional) -> microseconds
    local t=$1 i f=0
    i=${t%%.*}
    if [ "$i" != "$t" ]; then f=${t#*.}000000; f=${f:0:6}; fi
    printf '%s' "$((10#${i:-0} * 1000000 + 10#$f))"
}

t_wait_until() {
    local timeout=$1 end delay=0.05
    shift
    end=$(($(_t_now_us) + $(_t_us "$timeout")))
    until "$@"; do
        [ "$(_t_now_us)" -lt "$end" ] || return 1
        sleep "$delay"
        case $delay in 0.05) delay=0.1 ;; 0.1) delay=0.2 ;; esac
    done
}

t_wait_file() {
    t_wait_until "${2:-10}" test -s "$1"
}

t_cleanup_push() { T_CLEANUP+=("$1"); }

t_alive() {
    local st
    [ -n "${1:-}" ] || return 1
    st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

t_bg() {
    local pidfile=$1 log
    shift
    case $pidfile in *.pid) log=${pidfile%.pid}.log ;; *) log=$pidfile.log ;; esac
    "$@" </dev/null >>"$log" 2>&1 &
    T_BG_PID=$!
    printf '%s\n' "$T_BG_PID" >"$pidfile"
    t_cleanup_push "t_kill $T_BG_PID"
}

t_kill() {
    local pid=$1 timeout=${2:-5} i
    if [ -f "$pid" ]; then pid=$(cat "$pid"); fi
    [ -n "$pid" ] || return 0
    t_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < timeout * 20; i++)); do
        t_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null
    for ((i = 0; i < 40; i++)); do
        t_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
        sleep 0.05
    done
    return 1
}

# faketime TIMESTAMP CMD...: libfaketime preloaded directly, not through
# the faketime(1) wrapper.  The wrapper keeps a named semaphore and shared
# memory per PID in /dev/shm and leaks them when it is killed; a later
# wrapper that gets the same PID then fails ("sem_open: File exists").
# Each process here starts its own clock at TIMESTAMP (local time, TZ).
T_FAKETIME_LIB=
for _f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 \
    /usr/local/lib/faketime/libfaketime.so.1; do
    if [ -f "$_f" ]; then T_FAKETIME_LIB=$_f; break; fi
done
unset _f
if [ -n "$T_FAKETIME_LIB" ]; then
    # The library is preloaded: ASan must not insist on coming first.
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
    faketime() {
        local ts=$1
        shift
        LD_PRELOAD="$T_FAKETIME_LIB${LD_PRELOAD:+:$LD_PRELOAD}" \
            FAKETIME="@$ts" "$@"
    }
fi

# js EXPR: evaluates a Python expression over the JSON on stdin (as d).
js() { "$T_PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# The store under test, sqlite or postgresql (after the t_* above: it may
# skip the script).
. "$T_TESTS_DIR/store.sh"
