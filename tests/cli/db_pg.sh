#!/bin/bash
# The database interface against a real PostgreSQL server (started here
# with tests/peers/postgres.sh): test_db's checks with PG_URI set, then one
# connection kept across restarts of the server (tests/db_restart.c): a
# transaction open across a restart is reported lost, transiently, and
# the next one works; an idle connection is made again unnoticed; with
# the server down, begin fails transiently until it is back.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
. "$T_PEERS_DIR/postgres.sh"
bt=$(cd "${top_builddir:-..}/tests" 2>/dev/null && pwd) || bt=$PWD
[ -x "$bt/unit/test_db" ] || t_skip_all "unit/test_db not built (cmocka missing?)"
grep -q '^#define HAVE_POSTGRESQL 1' "$bt/../config.h" 2>/dev/null ||
	t_skip_all "built without PostgreSQL (configure --with-postgresql)"
dir=$(t_tmpdir)/pg
pg_start "$dir" >"$T_TMPDIR/pg_start.log" 2>&1
rc=$?
[ $rc = 77 ] && t_skip_all "$(tail -1 "$T_TMPDIR/pg_start.log")"
t_cleanup_push "pg_stop '$dir'"
[ $rc = 0 ] || t_bail "PostgreSQL did not start: $(tail -3 "$T_TMPDIR/pg_start.log" "$dir/server.log" 2>/dev/null)"
. "$dir/env"
t_pass "PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"

# 1. test_db against the server: every PostgreSQL check runs, none skipped.
t_ok "test_db passes with PG_URI" env PG_URI="$PG_URI" CMOCKA_MESSAGE_OUTPUT=TAP "$bt/unit/test_db"
out=$T_OUT
t_like "$out" "ok [0-9]+ - postgresql: test_transient" "the PostgreSQL checks ran"
t_unlike "$out" "SKIP" "none skipped"

# The store's schema on PostgreSQL: the same shape as SQLite's, the same
# triggers doing the same.
if [ -x "$bt/unit/test_store_pg" ]; then
	t_ok "test_store_pg passes with PG_URI" env PG_URI="$PG_URI" CMOCKA_MESSAGE_OUTPUT=TAP "$bt/unit/test_store_pg"
	t_like "$T_OUT" "ok [0-9]+ - test_same_shape" "the schema checks ran on PostgreSQL"
fi

# The store's unit scenarios (the planner's hidden dates, tiers, outcomes,
# feeds, delivery, key dates...) and each store group's checks, with
# their stores on this server (tests/unit/tstore.h); what only SQLite
# has is skipped there, saying so.
for t in "$bt"/unit/test_pg_* "$bt"/unit/test_store "$bt"/unit/test_outcome \
    "$bt"/unit/test_planner "$bt"/unit/test_tiers "$bt"/unit/test_feeds \
    "$bt"/unit/test_keydate "$bt"/unit/test_lifecycle \
    "$bt"/unit/test_holdout "$bt"/unit/test_escalate "$bt"/unit/test_deliver; do
	[ -x "$t" ] || continue
	t_ok "$(basename "$t") with its stores on PostgreSQL" \
	    env TSTORE_PG_URI="$PG_URI" CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done

# 2. One connection across restarts.
sync=$(t_tmpdir sync)
t_bg "$T_TMPDIR/restart.pid" "$bt/db_restart" "$PG_URI" "$sync"
drv=$T_BG_PID
serve() {  # serve NAME CMD...: when the driver asks NAME, do CMD
	local name=$1
	shift
	if t_wait_until 60 test -e "$sync/$name"; then
		"$@" >>"$T_TMPDIR/serve.log" 2>&1 || t_diag "$name: $* failed"
	fi
	touch "$sync/$name.done"
}
serve restart1 pg_restart "$dir"
serve restart2 pg_restart "$dir"
serve stop3 pg_stop "$dir"
serve start3 pg_resume "$dir"
t_wait_until 60 eval '! t_alive $drv'
wait "$drv"
t_is "$?" 0 "db_restart exits 0"
while IFS= read -r line; do
	case $line in
	"ok - "*) t_pass "${line#ok - }" ;;
	"not ok - "*) t_fail "${line#not ok - }" ;;
	*) t_diag "$line" ;;
	esac
done <"$T_TMPDIR/restart.log"
t_like "$(cat "$T_TMPDIR/restart.log")" "ok - 4 rows in the end" "the driver ran to its end"
t_done
