# tests/store.sh - the store a shell scenario writes into its configs, on
# the backend the suite runs against; sourced by lib.sh.
#
# OUTREACHD_TEST_BACKEND=sqlite (the default) or postgresql chooses it.
# With postgresql, the first t_store starts one private PostgreSQL server
# for the script (tests/peers/postgres.sh, in $T_TMPDIR/store-pg), stopped by
# its PID when the script exits, after the cleanup stack (the daemons the
# script started are gone by then); each store is a fresh database of it.
#
#   t_store PATH          print what a configuration's "store" says for the
#                         store PATH (a SQLite file name, "$dir/o.db"):
#                         PATH itself, or postgresql://.../DB where DB is a
#                         database made for PATH on its first call (named
#                         after PATH's base name) and the same one later.
#                         Works inside $(...) and here-documents.
#   t_store_reset STORE   make STORE (what t_store printed, or its PATH)
#                         absent again, a fresh start: remove the SQLite file
#                         and its companions (PATH*: -wal, -shm, .lock...),
#                         or drop the database and create it empty.
#   t_sql STORE [SQL]     run SQL (else stdin) on STORE (what t_store printed,
#                         or the PATH given to it) with sqlite3 or psql:
#                         rows one a line, columns joined by '|', no header,
#                         NULL empty (sqlite3's list mode).  Status non-zero
#                         on an error.  The SQL must mean the same on both
#                         engines (no "double-quoted" strings, booleans as
#                         CASE ... THEN 1 ELSE 0, string_agg/group_concat
#                         through t_sql_agg).
#   t_store_dump STORE    print the whole store as SQL (sqlite3 .dump,
#                         pg_dump), to look for what must not be there.
#   t_sql_agg EXPR [ORDER]  print the aggregate joining EXPR with "," in the
#                         backend's dialect; PostgreSQL's in the ORDER given,
#                         SQLite's in the order of its rows (order them in a
#                         subquery: SQLite 3.40 has no ORDER BY in aggregates).
#   t_backend             print sqlite or postgresql.
#   t_pg / t_sqlite       true on that backend.
#   t_sqlite_only N       on PostgreSQL: report N checks as "# SKIP sqlite
#                         only" and return 1; on SQLite return 0.  Guards a
#                         block that tests what only a SQLite file has:
#                             if t_sqlite_only 3; then ...3 checks...; fi
#   t_sqlite_only_all     on PostgreSQL: skip the whole script ("1..0 #
#                         SKIP sqlite only"); call it before any check.
#
# shellcheck shell=bash

T_BACKEND=${OUTREACHD_TEST_BACKEND:-sqlite}
case $T_BACKEND in
sqlite|postgresql) ;;
*) echo "Bail out! OUTREACHD_TEST_BACKEND=$T_BACKEND: sqlite or postgresql"
   exit 1 ;;
esac
export OUTREACHD_TEST_BACKEND=$T_BACKEND
T_PG_DIR=$T_TMPDIR/store-pg

t_backend() { printf '%s\n' "$T_BACKEND"; }
t_pg() { [ "$T_BACKEND" = postgresql ]; }
t_sqlite() { [ "$T_BACKEND" = sqlite ]; }

t_sqlite_only() {
	t_sqlite && return 0
	t_skip "$1" "sqlite only"
	return 1
}

t_sqlite_only_all() {
	t_sqlite || t_skip_all "sqlite only"
}

# The build may lack PostgreSQL, the machine its server: a pass on
# PostgreSQL then skips the scripts, saying why (a check of configure's
# result, as db_pg.sh does).
_t_pg_usable() {
	local bt
	bt=$(cd "${top_builddir:-..}" 2>/dev/null && pwd) || bt=$T_TESTS_DIR/..
	if [ -f "$bt/config.h" ] &&
	    ! grep -q '^#define HAVE_POSTGRESQL 1' "$bt/config.h"; then
		echo "built without PostgreSQL (configure --with-postgresql)"
		return 1
	fi
	if ! ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 &&
	    [ ! -x "${PG_BINDIR:-/nonexistent}/initdb" ]; then
		echo "PostgreSQL server binaries not found (apt-get install postgresql)"
		return 1
	fi
	command -v psql >/dev/null || { echo "psql not installed"; return 1; }
}
if t_pg; then
	_t_why=$(_t_pg_usable) || t_skip_all "OUTREACHD_TEST_BACKEND=postgresql: $_t_why"
	unset _t_why
	. "$T_PEERS_DIR/postgres.sh"
fi

# Runs its arguments holding the lock of the store map: t_store may run in
# two subshells at once (two here-documents of a pipeline).
_t_store_locked() {
	(
		flock 9 || exit 1
		"$@"
	) 9>>"$T_TMPDIR/.store.lock"
}

# Starts the server once; its env file says it runs.  A subshell may be
# the one that starts it (the postmaster is detached by pg_ctl): the exit
# trap stops it by what it finds in $T_PG_DIR.
_t_pg_server() {
	[ -f "$T_PG_DIR/env" ] && return 0
	# Not holding the lock's descriptor: the postmaster would keep it,
	# and the lock, for its life.
	if ! pg_start "$T_PG_DIR" >"$T_TMPDIR/pg_start.log" 2>&1 9>&-; then
		echo "t_store: PostgreSQL did not start:" \
		    "$(tail -3 "$T_TMPDIR/pg_start.log" "$T_PG_DIR/server.log" 2>/dev/null)" >&2
		rm -f "$T_PG_DIR/env"
		return 1
	fi
}

_t_pg_admin() {  # SQL on the server's first database, outreach
	(. "$T_PG_DIR/env" && psql -XAtq -v ON_ERROR_STOP=1 "$PG_URI" -c "$1")
}

_t_pg_uri() {  # DB
	(. "$T_PG_DIR/env" && printf '%s\n' "${PG_URI%/*}/$1")
}

# The database of PATH, made on first use.  Its name: "s_" and the base
# name without .db, lower case, [a-z0-9_] only, numbered when another
# PATH had it already ("s_o", "s_o_2").
_t_pg_store() {
	local path=$1 map=$T_TMPDIR/.stores db base n
	_t_pg_server || return 1
	db=$(awk -F'\t' -v p="$path" '$1 == p { print $2; exit }' "$map" 2>/dev/null)
	if [ -z "$db" ]; then
		base=${path##*/}
		base=${base%.db}
		base=$(printf '%s' "$base" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_' '_')
		base=s_${base:-store}
		db=$base n=1
		while cut -f2 "$map" 2>/dev/null | grep -qx "$db"; do
			n=$((n + 1)) db=${base}_$n
		done
		_t_pg_admin "CREATE DATABASE $db;" >/dev/null || {
			echo "t_store: CREATE DATABASE $db failed" >&2; return 1; }
		printf '%s\t%s\n' "$path" "$db" >>"$map"
	fi
	_t_pg_uri "$db"
}

t_store() {
	local path=${1:?t_store PATH}
	if t_sqlite; then
		printf '%s\n' "$path"
		return 0
	fi
	_t_store_locked _t_pg_store "$path"
}

t_store_reset() {
	local store db
	store=$(_t_store_of "${1:?t_store_reset STORE}") || return 1
	case $store in
	postgresql://*)
		db=${store##*/}
		db=${db%%\?*}
		_t_pg_admin "DROP DATABASE IF EXISTS $db WITH (FORCE);" >/dev/null &&
			_t_pg_admin "CREATE DATABASE $db;" >/dev/null ;;
	*)
		rm -f "$store"* ;;
	esac
}

# STORE: what t_store printed or, the same, the PATH given to it.
_t_store_of() {
	case $1 in
	postgresql://*) printf '%s\n' "$1" ;;
	*) t_store "$1" ;;
	esac
}

t_sql() {
	local store
	store=$(_t_store_of "${1:?t_sql STORE [SQL]}") || return 1
	shift
	case $store in
	postgresql://*)
		if [ $# -gt 0 ]; then printf '%s\n' "$1"; else cat; fi |
			psql -XAtq -F'|' -v ON_ERROR_STOP=1 "$store" -f - ;;
	*)
		if [ $# -gt 0 ]; then
			sqlite3 -batch -noheader "$store" "$1"
		else
			sqlite3 -batch -noheader "$store"
		fi ;;
	esac
}

t_store_dump() {
	local store
	store=$(_t_store_of "${1:?t_store_dump STORE}") || return 1
	case $store in
	postgresql://*) pg_dump --no-owner "$store" ;;
	*) sqlite3 "$store" .dump ;;
	esac
}

t_sql_agg() {
	if t_pg; then
		printf "string_agg(CAST(%s AS TEXT), ','%s)\n" "$1" "${2:+ ORDER BY $2}"
	else
		printf "group_concat(%s)\n" "$1"
	fi
}

# At exit, after the cleanup stack: the server, by its PID (pg_stop).
_t_store_atexit() {
	[ -d "$T_PG_DIR/data" ] || return 0
	pg_stop "$T_PG_DIR" >/dev/null 2>&1
}
