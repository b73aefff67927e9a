#!/bin/bash
# postgres.sh - a private PostgreSQL server on 127.0.0.1 for outreachd's
# tests, from Debian's server binaries (package postgresql).
#
# Run it, or source it for the functions (from a test that sourced lib.sh):
#   postgres.sh start DIR     pg_start DIR     initdb into DIR/data (user
#                             "outreach", trust authentication, UTF8, no
#                             fsync), start the server on a free port of
#                             127.0.0.1 with its socket in DIR, wait until it
#                             answers (pg_isready), create the database
#                             "outreach" and write DIR/env.  pg_start exports
#                             the variables below; "start" prints them.
#                             Status 0 ready, 77 when the binaries are
#                             missing (say t_skip), 1 on failure (the server
#                             is stopped again; DIR/server.log tells why).
#   postgres.sh stop DIR      pg_stop DIR      pg_ctl stop -m fast, then TERM
#                             and KILL by the postmaster's PID.  Idempotent.
#   postgres.sh restart DIR   pg_restart DIR   pg_ctl restart -m fast on the
#                             same port: connections are cut, as in a server
#                             restart in production.
#   postgres.sh resume DIR    pg_resume DIR    start again, on the same port,
#                             a server pg_stop stopped.
#
# DIR/env (shell assignments; ". DIR/env"), exported by pg_start:
#   PG_URI      postgresql://outreach@127.0.0.1:PORT/outreach
#   PG_PORT, PG_DIR (DIR), PG_BINDIR, PG_PID (the postmaster), PG_RUN_USER
#
# The binaries: $PG_BINDIR, else the newest /usr/lib/postgresql/*/bin.
#
# As root: initdb and the server refuse to run as root, so they run as
# $PG_RUN_USER (default: postgres, which the Debian package creates, else
# nobody) through runuser(1).  DIR is made and given to that user, and
# each directory above it that the user cannot enter and that lies under
# $TMPDIR (or /tmp), such as lib.sh's private 0700 temp dir, gets o+x
# (enter, not list); a DIR elsewhere must be reachable already.  The same
# works in CI, which runs as root too.

_pg_note() { echo "postgres.sh: $*" >&2; }

# The directory of the newest server binaries, or status 1.
_pg_bindir() {
    local d
    if [ -n "${PG_BINDIR:-}" ]; then
        [ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/pg_ctl" ] &&
            { echo "$PG_BINDIR"; return 0; }
        return 1
    fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || return 1
    echo "$d"
}

_pg_user() {
    [ "$(id -u)" = 0 ] || { id -un; return; }
    if [ -n "${PG_RUN_USER:-}" ]; then echo "$PG_RUN_USER"
    elif getent passwd postgres >/dev/null; then echo postgres
    else echo nobody; fi
}

# Runs a command as the server's user, from / (root's working directory
# may be closed to it).
_pg_as() {
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u "$_pg_run_user" -- "$@")
    else
        (cd / && "$@")
    fi
}

# Lets the server's user reach DIR (see "As root" above).
_pg_reach() {
    local d=$1 tmp=${TMPDIR:-/tmp}
    [ "$(id -u)" = 0 ] || return 0
    chown "$_pg_run_user" "$d" && chmod 700 "$d" || return 1
    d=$(dirname "$d")
    while [ "$d" != / ]; do
        if ! _pg_as test -x "$d"; then
            case $d/ in
            "$tmp"/?*|/tmp/?*) chmod o+x "$d" || return 1 ;;
            *) _pg_note "$_pg_run_user cannot enter $d: use a directory under $tmp"
               return 1 ;;
            esac
        fi
        d=$(dirname "$d")
    done
}

_pg_freeport() {
    if declare -F t_freeport >/dev/null; then t_freeport
    else /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/netutil.py" freeport 1; fi
}

_pg_alive() {
    [ -n "${1:-}" ] && [ -d "/proc/$1" ] &&
        ! grep -q '^[0-9]* ([^)]*) [ZX]' "/proc/$1/stat" 2>/dev/null
}

_pg_pid() { head -1 "$1/data/postmaster.pid" 2>/dev/null; }

_pg_write_env() {
    local dir=$1
    PG_DIR=$dir PG_PID=$(_pg_pid "$dir") PG_RUN_USER=$_pg_run_user
    PG_URI="postgresql://outreach@127.0.0.1:$PG_PORT/outreach"
    export PG_URI PG_PORT PG_DIR PG_BINDIR PG_PID PG_RUN_USER
    {
        for v in PG_URI PG_PORT PG_DIR PG_BINDIR PG_PID PG_RUN_USER; do
            printf "%s='%s'\n" "$v" "${!v}"
        done
    } >"$dir/env"
}

# The server's options: only 127.0.0.1, the socket in DIR, no fsync.
_pg_opts() {
    printf '%s' "-c listen_addresses=127.0.0.1 -p $2 -k $1 -c fsync=off -c full_page_writes=off"
}

# Starts the server on a free port; tries three ports, as another
# program may take the one picked before the server binds it.
_pg_server_start() {
    local dir=$1 try
    for try in 1 2 3; do
        PG_PORT=$(_pg_freeport) || return 1
        _pg_as "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "$(_pg_opts "$dir" "$PG_PORT")" start >>"$dir/pg_ctl.log" 2>&1 && return 0
        _pg_note "start on port $PG_PORT failed (try $try)"
    done
    return 1
}

pg_start() {
    local dir=${1:?pg_start DIR} i
    PG_BINDIR=$(_pg_bindir) || {
        _pg_note "PostgreSQL server binaries not found (apt-get install postgresql)"
        return 77; }
    _pg_run_user=$(_pg_user)
    mkdir -p "$dir" && dir=$(cd "$dir" && pwd) || return 1
    _pg_reach "$dir" || return 1
    _pg_as "$PG_BINDIR/initdb" -D "$dir/data" -U outreach -A trust -E UTF8 \
        --locale=C --no-sync >"$dir/initdb.log" 2>&1 || {
        _pg_note "initdb failed: $(tail -1 "$dir/initdb.log")"; return 1; }
    _pg_server_start "$dir" || { pg_stop "$dir"; return 1; }
    for ((i = 0; i < 100; i++)); do
        "$PG_BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
        sleep 0.1
    done
    "$PG_BINDIR/createdb" -h 127.0.0.1 -p "$PG_PORT" -U outreach outreach \
        >>"$dir/pg_ctl.log" 2>&1 || {
        _pg_note "createdb failed: $(tail -1 "$dir/pg_ctl.log")"
        _pg_write_env "$dir"; pg_stop "$dir"; return 1; }
    _pg_write_env "$dir"
}

pg_stop() {
    local dir=${1:?pg_stop DIR} pid i bindir
    pid=$(_pg_pid "$dir")
    [ -n "$pid" ] || { [ -f "$dir/env" ] && pid=$(. "$dir/env"; echo "$PG_PID"); }
    _pg_run_user=${_pg_run_user:-$(_pg_user)}
    bindir=${PG_BINDIR:-$(_pg_bindir)}
    if [ -n "$bindir" ] && [ -f "$dir/data/postmaster.pid" ]; then
        _pg_as "$bindir/pg_ctl" -D "$dir/data" stop -m fast -w -t 20 \
            >>"$dir/pg_ctl.log" 2>&1
    fi
    _pg_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do _pg_alive "$pid" || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    for ((i = 0; i < 50; i++)); do _pg_alive "$pid" || return 0; sleep 0.1; done
    return 1
}

pg_restart() {
    local dir=${1:?pg_restart DIR}
    [ -f "$dir/env" ] || { _pg_note "$dir/env: no server started there"; return 1; }
    . "$dir/env"
    _pg_run_user=$PG_RUN_USER
    _pg_as "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        restart -m fast >>"$dir/pg_ctl.log" 2>&1 || {
        _pg_note "restart failed: $(tail -1 "$dir/pg_ctl.log")"; return 1; }
    _pg_write_env "$dir"
}

pg_resume() {
    local dir=${1:?pg_resume DIR}
    [ -f "$dir/env" ] || { _pg_note "$dir/env: no server started there"; return 1; }
    . "$dir/env"
    _pg_run_user=$PG_RUN_USER
    _pg_as "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "$(_pg_opts "$dir" "$PG_PORT")" start >>"$dir/pg_ctl.log" 2>&1 || {
        _pg_note "start failed: $(tail -1 "$dir/pg_ctl.log")"; return 1; }
    _pg_write_env "$dir"
}

# Run, not sourced: the command line.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    case ${1:-}:${2:-} in
    start:?*) pg_start "$2" || exit $?; cat "$2/env" ;;
    stop:?*) pg_stop "$2" ;;
    restart:?*) pg_restart "$2" ;;
    resume:?*) pg_resume "$2" ;;
    *) sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
    esac
fi
