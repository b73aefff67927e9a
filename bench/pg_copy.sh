#!/bin/bash
# bench/pg_copy.sh - copies the rows of an SQLite store into a PostgreSQL
# store of the same schema version, with COPY, for the benchmarks.
#
#   bench/pg_copy.sh SQLITE_DB PG_URI
#
# The PostgreSQL store must exist and be empty (`outreachctl init` on its
# conninfo makes the schema).  Every table SQLite has is copied, columns
# by name: those PostgreSQL computes itself (the STORED generated columns
# tier_eff and revisit_from) are left out, and the state table keeps the
# schema version PostgreSQL's init wrote.  Triggers are off during the
# copy (session_replication_role = replica, which needs a superuser, as
# the private server of tests/peers/postgres.sh gives): the rows carry what
# they derived already.  Then each identity column's sequence is moved
# past the largest id, and VACUUM ANALYZE gives the planner statistics and
# the visibility map index-only scans need (a store loaded in bulk in
# production gets them from autovacuum a little later).
#
# Until `outreachctl import` into PostgreSQL sends rows in bulk this is the
# way to a large PostgreSQL store in minutes rather than hours.
set -eu -o pipefail

[ $# -eq 2 ] || { echo "usage: pg_copy.sh SQLITE_DB PG_URI" >&2; exit 64; }
db=$1
uri=$2

psql_q() { psql -X -q -v ON_ERROR_STOP=1 -At "$uri" "$@"; }

# Columns SQLite stores (table_xinfo's hidden 2 and 3 are generated).
sqlite_cols() {
	sqlite3 -readonly "$db" "SELECT name FROM pragma_table_xinfo('$1')
	    WHERE hidden = 0 ORDER BY cid;"
}

# Columns PostgreSQL accepts values for, in its order.
pg_cols() {
	psql_q -c "SELECT column_name FROM information_schema.columns
	    WHERE table_schema = current_schema() AND table_name = '$1'
	    AND is_generated = 'NEVER' ORDER BY ordinal_position;"
}

copy_table() {
	local t=$1 cols where="" n
	cols=$(comm -12 <(sqlite_cols "$t" | sort) <(pg_cols "$t" | sort) |
	    paste -sd, -)
	[ -n "$cols" ] || { echo "pg_copy: $t: no common columns" >&2; return 1; }
	[ "$t" = state ] && where="WHERE key <> 'schema_version'"
	n=$(sqlite3 -readonly "$db" "SELECT count(*) FROM \"$t\" $where;")
	[ "$n" -gt 0 ] || return 0
	sqlite3 -readonly -cmd ".mode csv" -cmd '.separator , "\n"' "$db" \
	    "SELECT $cols FROM \"$t\" $where;" |
	psql_q -c "SET session_replication_role = replica" \
	    -c "\\copy $t ($cols) FROM pstdin WITH (FORMAT csv)"
	echo "$t $n"
}

tables=$(sqlite3 -readonly "$db" "SELECT name FROM sqlite_schema WHERE
    type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;")
for t in $tables; do
	if [ -z "$(pg_cols "$t")" ]; then
		echo "pg_copy: $t: not in the PostgreSQL store (another schema version?)" >&2
		exit 1
	fi
	copy_table "$t"
done
# Identity sequences past the ids copied.
psql_q <<'EOF' >/dev/null
DO $$
DECLARE r record;
BEGIN
	FOR r IN SELECT table_name, column_name FROM information_schema.columns
	    WHERE table_schema = current_schema() AND is_identity = 'YES' LOOP
		EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L),'
		    ' coalesce((SELECT max(%I) FROM %I), 0) + 1, false)',
		    r.table_name, r.column_name, r.column_name, r.table_name);
	END LOOP;
END $$;
EOF
psql_q -c "VACUUM ANALYZE"
